"""Reads for Service health and Planned maintenance; always for one organization (`tenant=`)."""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, Q

from support.health_catalog import SERVICES, component_label, service_label, services_for_plan_names
from support.models_health import Incident, IncidentUpdate, Maintenance

DAYS = 7  # Today + the previous 6 days

NORMAL = "normal"
DEGRADATION = "degradation"
INTERRUPTION = "interruption"
INFORMATION = "information"
RESTORED = "restored"


def viewer_zone(user) -> zoneinfo.ZoneInfo:
    """The viewer's time zone from My profile (the site's zone when none is set or it is unknown)."""
    try:
        return zoneinfo.ZoneInfo(getattr(user, "time_zone", "") or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def subscribed_services(*, tenant) -> list[str]:
    """Service keys of the organization's live (not deleted) subscriptions, plus the Portal. One query; read
    through the reverse relation so support does not import billing."""
    plan_lists = tenant.subscriptions.exclude(status="deleted").values_list("sku__service_plans", flat=True)
    names = {plan.get("displayName") for plans in plan_lists for plan in (plans or [])}
    return services_for_plan_names(names)


@dataclass
class Cell:
    day: datetime.date
    state: str = NORMAL
    incidents: list = field(default_factory=list)


def _overlapping(incidents, start, end):
    return [i for i in incidents if i.started_at < end and (i.ended_at is None or i.ended_at > start)]


def _today_state(incidents):
    active = [i for i in incidents if i.ended_at is None]
    if active:
        if any(i.classification == Incident.Classification.INTERRUPTION for i in active):
            return INTERRUPTION
        return DEGRADATION
    return RESTORED if incidents else NORMAL


def health_grid(*, tenant, now: datetime.datetime, zone: zoneinfo.ZoneInfo) -> dict:
    """The grid: days (today first) in the viewer's zone, rows per subscribed service and component with one
    cell per day, and the incidents shown (with their updates). Three queries whatever the size."""
    today = now.astimezone(zone).date()
    days = [today - datetime.timedelta(days=n) for n in range(DAYS)]
    bounds = {d: (datetime.datetime.combine(d, datetime.time(), tzinfo=zone).astimezone(datetime.UTC),
                  datetime.datetime.combine(d + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
                  .astimezone(datetime.UTC)) for d in days}
    window_start = bounds[days[-1]][0]
    services = subscribed_services(tenant=tenant)
    incidents = list(
        Incident.objects.filter(service__in=services, started_at__lt=bounds[today][1])
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=window_start))
        .prefetch_related(Prefetch("updates", queryset=IncidentUpdate.objects.order_by("posted_at", "pk")))
        .order_by("-started_at", "pk"))
    rows = []
    for service in services:
        components = []
        for component, _label in SERVICES[service][2]:
            mine = [i for i in incidents if i.service == service and i.component == component]
            cells = []
            for day in days:
                start, end = bounds[day]
                cell = Cell(day=day, incidents=_overlapping(mine, start, end))
                if day == today:
                    cell.state = _today_state(cell.incidents)
                elif cell.incidents:
                    cell.state = INFORMATION
                cells.append(cell)
            components.append({"key": component, "label": component_label(service, component), "cells": cells})
        rows.append({"key": service, "label": service_label(service), "components": components})
    return {"days": days, "rows": rows, "incidents": incidents}


def maintenance_for(*, tenant, now: datetime.datetime, past_days: int = 90) -> dict:
    """Upcoming (not yet ended) and past maintenance of the organization's services. Maintenance rows are few;
    the service match is made in Python so it works the same on every database."""
    services = set(subscribed_services(tenant=tenant))
    rows = [m for m in Maintenance.objects.filter(ends_at__gte=now - datetime.timedelta(days=past_days))
            if services.intersection(m.services or [])]
    upcoming = sorted((m for m in rows if m.ends_at >= now), key=lambda m: m.starts_at)
    past = [m for m in rows if m.ends_at < now]
    return {"upcoming": upcoming, "past": past}
