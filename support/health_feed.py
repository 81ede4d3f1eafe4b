"""The organization's secret RSS feed of incidents and maintenance (SPEC support/ "RSS feed").

Address: /support/health/feed/<token>/ where token = Signer(salt).sign("<tenant id>.<rotation>"). Signing
keeps no secret in the database; Regenerate (audited) raises the rotation so older addresses 404.
"""

import datetime

from django.contrib.syndication.views import Feed
from django.core import signing
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from support.health_selectors import subscribed_services
from support.models_health import HealthFeed, Incident, Maintenance
from tenantadmin.actors import Actor
from tenantadmin.models import Tenant
from tenantadmin.services.audit import audit_record

_SALT = "support.health_feed"
FEED_DAYS = 30


def _signer():
    return signing.Signer(salt=_SALT)


def feed_rotation(*, tenant) -> int:
    return HealthFeed.objects.filter(tenant=tenant).values_list("rotation", flat=True).first() or 0


def feed_token(*, tenant, rotation: int | None = None) -> str:
    rotation = feed_rotation(tenant=tenant) if rotation is None else rotation
    return _signer().sign(f"{tenant.pk}.{rotation}")


def feed_path(*, tenant) -> str:
    return reverse("support:health_feed", kwargs={"token": feed_token(tenant=tenant)})


def tenant_for_feed_token(token: str) -> Tenant:
    """The organization whose current feed address carries `token`; 404 for a wrong, forged or old one."""
    try:
        tenant_id, rotation = _signer().unsign(token).split(".")
        rotation = int(rotation)
    except (signing.BadSignature, ValueError):
        raise Http404(_("The item was not found.")) from None
    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None or feed_rotation(tenant=tenant) != rotation:
        raise Http404(_("The item was not found."))
    return tenant


@transaction.atomic
def feed_regenerate(*, tenant, actor: Actor) -> HealthFeed:
    """A new feed address; the old one stops working at once."""
    feed, _created = HealthFeed.objects.select_for_update().get_or_create(tenant=tenant)
    before = feed.rotation
    feed.rotation = before + 1
    feed.rotated_at = timezone.now()
    feed.save(update_fields=["rotation", "rotated_at"])
    audit_record(tenant=tenant, actor=actor, action="support.health_feed_regenerated", target=feed,
                 target_label=str(_("Service health RSS feed")), changes={"rotation": [before, feed.rotation]})
    return feed


def feed_items(*, tenant, now) -> list:
    """Incidents and maintenance of the organization's services changed in the last FEED_DAYS days (or still
    open / upcoming), newest change first."""
    services = set(subscribed_services(tenant=tenant))
    since = now - datetime.timedelta(days=FEED_DAYS)
    incidents = list(Incident.objects.filter(service__in=services, updated_at__gte=since)
                     .prefetch_related("updates").order_by("-updated_at")[:100])
    windows = [m for m in Maintenance.objects.filter(updated_at__gte=since).order_by("-updated_at")[:200]
               if services.intersection(m.services or [])]
    return sorted(incidents + windows, key=lambda item: item.updated_at, reverse=True)


class HealthFeedView(Feed):
    """RSS 2.0 of incidents and maintenance. Public (feed readers cannot sign in): the secret address is the key."""

    def get_object(self, request, token):
        self.request = request
        return tenant_for_feed_token(token)

    def title(self, tenant):
        return _("Service health for %(organization)s") % {"organization": tenant.name}

    def link(self, tenant):
        return reverse("support:health")

    def description(self, tenant):
        return _("Incidents and planned maintenance of the services your organization subscribes to.")

    def items(self, tenant):
        return feed_items(tenant=tenant, now=timezone.now())

    def item_title(self, item):
        if isinstance(item, Incident):
            return f"{item.service_label} — {item.component_label}: {item.title} ({item.get_status_display()})"
        return _("Planned maintenance: %(title)s (%(status)s)") % {"title": item.title,
                                                                   "status": item.get_status_display()}

    def item_description(self, item):
        if isinstance(item, Incident):
            updates = list(item.updates.all())
            started = _("Started %(time)s UTC.") % {"time": item.started_at.strftime("%Y-%m-%d %H:%M")}
            return f"{started} {updates[-1].message if updates else ''}".strip()
        return _("%(start)s to %(end)s UTC: %(description)s") % {
            "start": item.starts_at.strftime("%Y-%m-%d %H:%M"), "end": item.ends_at.strftime("%Y-%m-%d %H:%M"),
            "description": item.description}

    def item_link(self, item):
        if isinstance(item, Incident):
            return f"{reverse('support:health')}#incident-{item.pk}"
        return f"{reverse('support:maintenance')}#maintenance-{item.pk}"

    def item_guid(self, item):
        kind = "incident" if isinstance(item, Incident) else "maintenance"
        # A change is a new item for feed readers, so they show it again (SPEC: the feed "updates").
        return f"{kind}-{item.pk}-{int(item.updated_at.timestamp())}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.updated_at


health_feed = HealthFeedView()
