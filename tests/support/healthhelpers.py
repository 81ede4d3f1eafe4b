"""Incidents and maintenance as staff publish them (the staff site saves these rows directly)."""

from support.models_health import Incident, IncidentUpdate, Maintenance
from tests.factories import make_tenant


def exchange_only_org(label):
    """An organization holding only Exchange Online (Plan 1), bought outside the sign-up trial."""
    from billing.models import Sku  # test setup only: support itself reads plans through the tenant

    tenant, admin = make_tenant(label, plan=None)
    tenant.subscriptions.create(sku=Sku.objects.get(part_number="EXCHANGESTANDARD"), quantity=2)
    return tenant, admin


def incident(*, service="exchange", component="delivery", started_at, ended_at=None, title="Mail delivery delayed",
             classification=Incident.Classification.DEGRADATION, updates=()):
    status = Incident.Status.RESTORED if ended_at else Incident.Status.INVESTIGATING
    row = Incident.objects.create(service=service, component=component, title=title, classification=classification,
                                  status=status, started_at=started_at, ended_at=ended_at)
    row.full_clean()
    for posted_at, message in updates:
        IncidentUpdate.objects.create(incident=row, posted_at=posted_at, message=message, status=status)
    return row


def maintenance(*, services=("exchange",), starts_at, ends_at, title="Mailbox server upgrade",
                status=Maintenance.Status.SCHEDULED):
    row = Maintenance.objects.create(services=list(services), title=title, description="Short interruptions.",
                                     starts_at=starts_at, ends_at=ends_at, status=status)
    row.full_clean()
    return row
