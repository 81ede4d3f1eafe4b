"""Each user's service status, read from the state of the subscriptions of the plans they hold.

SPEC billing/ "Disabled/Suspended": accounts whose licenses come only from a disabled subscription lose access to
its services; admins keep the admin center. A plan's licenses work while one subscription of the plan is Active
or in its grace period (Warning); when every subscription of the plan is disabled or deleted, they give nothing.
The plan states come from billing's cached subscription digest, so a page or an API collection pays at most one
query for them, whatever the number of users.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from billing.selectors import cached_plan_states
from users.models import LicenseAssignment

ENABLED, WARNING, SUSPENDED, DELETED, OFF = "enabled", "warning", "suspended", "deleted", "off"
RANK = {ENABLED: 0, WARNING: 1, SUSPENDED: 2, DELETED: 3, OFF: 4}
LABELS = {ENABLED: _("Active"), WARNING: _("Warning"), SUSPENDED: _("Suspended"), DELETED: _("Deleted"),
          OFF: _("Turned off")}
# Graph's assignedPlan.service for our service plans, by the start of the servicePlanName.
GRAPH_SERVICES = (("EXCHANGE", "exchange"), ("SHAREPOINT", "SharePoint"), ("MCO", "MicrosoftCommunicationsOnline"),
                  ("OFFICESUBSCRIPTION", "MicrosoftOffice"))


def graph_service(plan: dict) -> str:
    name = plan.get("servicePlanName", "")
    return next((service for prefix, service in GRAPH_SERVICES if name.startswith(prefix)), name)


@dataclass(frozen=True)
class LicenseStatus:
    """One license a user holds, with the state of its plan's subscriptions."""

    assignment: LicenseAssignment
    state: str  # ENABLED, WARNING, SUSPENDED or DELETED
    subscription_id: str | None  # the subscription deciding the state (a link for billing admins)
    until: datetime | None  # in WARNING: when the users lose the services unless it is renewed
    service_plans: list = field(default_factory=list)  # the plan's service plans (Graph dicts)

    @property
    def sku(self):
        return self.assignment.sku

    @property
    def label(self):
        return LABELS[self.state]

    @property
    def gives_access(self) -> bool:
        return self.state in (ENABLED, WARNING)

    def plans(self) -> list[dict]:
        """The service plans with the user's state of each: OFF when switched off for the user."""
        off = set(self.assignment.disabled_plans or ())
        return [{"id": plan["servicePlanId"], "name": plan.get("displayName") or plan.get("servicePlanName", ""),
                 "service": graph_service(plan), "state": OFF if plan["servicePlanId"] in off else self.state}
                for plan in self.service_plans]


def license_statuses(*, tenant, assignments, states: dict | None = None) -> list[LicenseStatus]:
    """`assignments` (a user's licenses, sku selected unless every plan has a subscription) with their states;
    `states` from `cached_plan_states` when the caller already has them."""
    assignments = list(assignments)
    if not assignments:
        return []
    states = cached_plan_states(tenant=tenant) if states is None else states
    result = []
    for assignment in assignments:
        known = states.get(str(assignment.sku_id))
        if known is None:
            # No subscription of the plan at all (an operator's seeding): nothing says it stopped working.
            result.append(LicenseStatus(assignment, ENABLED, None, None, assignment.sku.service_plans))
            continue
        result.append(LicenseStatus(assignment, known["state"], known["subscription"],
                                    known["next_at"] if known["state"] == WARNING else None, known["service_plans"]))
    return result


def service_statuses(statuses: list[LicenseStatus]) -> list[dict]:
    """Per service (Exchange Online, SharePoint Online, …) the user can get from any license: the best state among
    the licenses offering it (a service another Active license still gives is Active), by name."""
    services: dict[str, dict] = {}
    for status in statuses:
        for plan in status.plans():
            entry = services.get(plan["name"])
            if entry is None or RANK[plan["state"]] < RANK[entry["state"]]:
                services[plan["name"]] = {"name": plan["name"], "state": plan["state"], "label": LABELS[plan["state"]],
                                          "license": status.sku.name, "until": status.until}
    return sorted(services.values(), key=lambda entry: entry["name"])
