"""Who performs a change: a person in the browser, a partner's person acting for a customer, a program with
an API token, or the system.

Services take an `Actor` so the audit log can say who acted however the change arrived.
"""

from dataclasses import dataclass
from typing import Any

from tenantadmin.delegation import act_with_roles, delegated_customer, delegated_role_codes, is_partner_organization
from tenantadmin.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    kind: str  # one of AuditEvent.ActorType
    label: str
    user: Any = None  # users.User when a person acts
    app: Any = None  # AppRegistration when a program acts
    ip_address: str | None = None
    # A partner's person acting as delegated administrator: their organization and the customer they act for.
    partner: Any = None
    customer: Any = None

    @property
    def tenant_id(self):
        """The organization the actor acts in: the customer for a partner's person, else the person's or the
        app's own (None for the system and support staff). Services compare it with the target's tenant."""
        if self.customer is not None:
            return self.customer.pk
        if self.user is not None:
            return self.user.tenant_id
        if self.app is not None:
            return self.app.tenant_id
        return None

    @classmethod
    def for_user(cls, user, ip_address: str | None = None) -> "Actor":
        kind = AuditEvent.ActorType.STAFF if user.tenant_id is None else AuditEvent.ActorType.USER
        return cls(kind=kind, label=user.upn, user=user, ip_address=ip_address)

    @classmethod
    def for_partner(cls, user, *, partner, customer, ip_address: str | None = None) -> "Actor":
        """A partner's person acting for `customer`: audited in the customer's log under the partner's name."""
        return cls(kind=AuditEvent.ActorType.PARTNER,
                   label=f"{user.upn} (partner {partner.name} on behalf of {customer.name})",
                   user=user, ip_address=ip_address, partner=partner, customer=customer)

    @classmethod
    def from_request(cls, request) -> "Actor":
        # TenantMiddleware sets partner_tenant while a partner's person manages a customer (request.tenant).
        partner = getattr(request, "partner_tenant", None)
        if partner is not None:
            return cls.for_partner(request.user, partner=partner, customer=request.tenant,
                                   ip_address=client_ip(request))
        return cls.for_user(request.user, client_ip(request))

    @classmethod
    def for_job(cls, job, label: str = "system") -> "Actor":
        """Who a background job works as: the person who started it, in the organization it runs in.

        A partner's person started it while managing the job's organization: the job works with their delegated
        roles as long as the relationship is active, and with none once the customer removed the partner (each
        step is then refused like any other change the person may no longer make)."""
        person = job.created_by
        if person is None:
            return cls.system(label)
        if person.tenant_id == job.tenant_id:
            return cls.for_user(person)
        partner = person.tenant
        active = is_partner_organization(partner) and delegated_customer(partner=partner,
                                                                         customer_id=job.tenant_id) is not None
        act_with_roles(person, delegated_role_codes(person.role_codes) if active else ())
        return cls.for_partner(person, partner=partner, customer=job.tenant)

    @classmethod
    def for_app(cls, app, ip_address: str | None = None) -> "Actor":
        return cls(kind=AuditEvent.ActorType.APP, label=f"{app.display_name} (app {app.client_id})", app=app,
                   ip_address=ip_address)

    @classmethod
    def system(cls, label: str = "system") -> "Actor":
        return cls(kind=AuditEvent.ActorType.SYSTEM, label=label)


def client_ip(request) -> str | None:
    """The client's address as the web server saw it (a proxy must set REMOTE_ADDR correctly)."""
    return request.META.get("REMOTE_ADDR") or None
