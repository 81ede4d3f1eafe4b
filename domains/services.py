"""Writes for domains: add, verify (claiming the name atomically), default domain.

Polling lives in domains/polling.py, removal in domains/removal.py, hosted zones in domains/zones.py.
"""

import random
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from domains.dns.verification import VerificationCheck, check_verification
from domains.models import Domain
from domains.names import check_registrable, to_ascii
from tenantadmin.actors import Actor
from tenantadmin.mail import mail_after_commit
from tenantadmin.models import Tenant
from tenantadmin.roles import Role
from tenantadmin.services.audit import audit_record

TAKEN = gettext_lazy("This domain is already verified by another organization. If your organization owns it, ask the "
          "other organization to remove it first, or contact support.")


class DomainTaken(Exception):
    """The name is verified by another organization (never says which)."""


@transaction.atomic
def domain_create_initial(*, tenant, actor: Actor) -> Domain:
    """The organization's initial domain: verified from birth, never removable."""
    domain = Domain.objects.create(
        tenant=tenant, name=tenant.initial_domain, status=Domain.Status.ACTIVE, is_initial=True,
        verified_at=timezone.now(),
    )
    audit_record(tenant=tenant, actor=actor, action="domain.create", target=domain,
                 changes={"name": [None, domain.name], "status": [None, domain.status]})
    return domain


def subdomains_allowed(tenant) -> bool:
    """SPEC plan rule: sub-domains need an enterprise (not small-business) plan that is still in force.

    Read through the reverse relation tenant.subscriptions: domains does not import billing (DESIGN)."""
    # Add-ons (sku applies_to "company", e.g. extra storage) are no plan of their own: they never make one enterprise.
    return tenant.subscriptions.filter(status__in=["enabled", "warning"], sku__is_small_business=False,
                                       sku__applies_to="user").exists()


def clean_new_domain_name(*, tenant, text: str) -> str:
    """The punycode name to add, or ValidationError saying why not."""
    name = to_ascii(text)
    if name == tenant.initial_domain or name.endswith("." + settings.INITIAL_DOMAIN_SUFFIX) \
            or name == settings.INITIAL_DOMAIN_SUFFIX:
        raise ValidationError(_("Names under %(suffix)s are initial domains and cannot be added.")
                              % {"suffix": settings.INITIAL_DOMAIN_SUFFIX}, code="reserved")
    check_registrable(name, subdomains_allowed=subdomains_allowed(tenant))
    if Domain.objects.filter(tenant=tenant, name=name).exists():
        raise ValidationError(_("%(name)s is already in your list of domains.") % {"name": name}, code="duplicate")
    if Domain.objects.filter(name=name, verified_at__isnull=False).exclude(tenant=tenant).exists():
        raise ValidationError(str(TAKEN), code="taken")
    return name


def first_check_at(now):
    """Spread new domains over one poll interval so a burst of additions does not poll at one instant."""
    return now + timedelta(seconds=random.uniform(0, settings.DNS_POLL_INTERVAL_SECONDS))


@transaction.atomic
def domain_add(*, tenant, actor: Actor, name: str) -> Domain:
    """Add an unverified domain; the poller starts looking for its verification record."""
    name = clean_new_domain_name(tenant=tenant, text=name)
    now = timezone.now()
    try:
        with transaction.atomic():
            domain = Domain.objects.create(tenant=tenant, name=name, polling_since=now,
                                           next_check_at=first_check_at(now))
    except IntegrityError:
        raise ValidationError(_("%(name)s is already in your list of domains.") % {"name": name},
                              code="duplicate") from None
    audit_record(tenant=tenant, actor=actor, action="domain.add", target=domain,
                 changes={"name": [None, name], "verification_code": [None, domain.verification_code]})
    return domain


def global_admin_addresses(tenant) -> list[str]:
    """Where notices about the organization's domains go: its global admins' alternate addresses."""
    # Through the reverse relation: domains does not import users.
    return list(tenant.users.filter(role_assignments__role=Role.GLOBAL_ADMIN, deleted_at__isnull=True)
                .exclude(alternate_email="").values_list("alternate_email", flat=True))


def _claim(domain_id, *, actor: Actor, check: VerificationCheck, now) -> Domain:
    """Mark the domain verified; the partial unique constraint decides a race between organizations."""
    with transaction.atomic():
        domain = Domain.objects.select_for_update().select_related("tenant").get(pk=domain_id)
        if domain.verified_at is not None:
            return domain
        # The partial unique constraint on verified names is the arbiter, whoever commits first.
        fields = {"verified_at": now, "status": Domain.Status.VERIFIED, "last_checked_at": now,
                  "last_result": check.message[:300], "next_check_at": None, "given_up_at": None}
        try:
            with transaction.atomic():
                Domain.objects.filter(pk=domain.pk).update(**fields)
        except IntegrityError:
            raise DomainTaken(str(TAKEN)) from None
        for key, value in fields.items():
            setattr(domain, key, value)
        audit_record(tenant=domain.tenant, actor=actor, action="domain.verify", target=domain,
                     changes={"status": [Domain.Status.UNVERIFIED, Domain.Status.VERIFIED]})
        mail_after_commit(
            to=global_admin_addresses(domain.tenant), subject=_("%(name)s is verified") % {"name": domain.name},
            template="domains/mail/domain_verified", language=domain.tenant.preferred_language,
            context={"domain": domain, "domain_url": reverse("domains:detail", args=[domain.name])},
            tenant=domain.tenant, category="service",
        )
        return domain


def miss_fields(domain: Domain, check: VerificationCheck, *, now) -> dict:
    """The polling state after a check that did not find the record: back-off, or give up after 72 hours."""
    attempts = domain.check_attempts + 1
    fields = {"check_attempts": attempts, "last_checked_at": now, "last_result": check.message[:300]}
    if now - (domain.polling_since or domain.created_at) >= timedelta(hours=settings.DNS_VERIFY_GIVE_UP_HOURS):
        fields.update(given_up_at=now, next_check_at=None)
    else:
        # Back-off: the poll interval doubling per attempt, at most 16 intervals apart; the jitter
        # keeps domains added together from staying in step.
        delay = settings.DNS_POLL_INTERVAL_SECONDS * min(2 ** min(attempts, 4), 16)
        fields["next_check_at"] = now + timedelta(seconds=delay * random.uniform(0.8, 1.0))
    return fields


def record_check(domain: Domain, check: VerificationCheck, *, actor: Actor, now) -> Domain:
    """Store one check's outcome: verify on success, else schedule the next check with back-off."""
    if check.found:
        return _claim(domain.pk, actor=actor, check=check, now=now)
    fields = miss_fields(domain, check, now=now)
    Domain.objects.filter(pk=domain.pk, verified_at__isnull=True).update(**fields)
    for key, value in fields.items():
        setattr(domain, key, value)
    return domain


def domain_verify(*, domain: Domain, actor: Actor, now=None) -> tuple[Domain, VerificationCheck]:
    """The Verify button: a live lookup now (outside any transaction: it waits on the network)."""
    if domain.verified_at is not None:
        return domain, VerificationCheck(True, _("This domain is already verified."))
    check = check_verification(domain)
    now = now or timezone.now()
    if not check.found and domain.given_up_at is not None:
        # The admin fixed the record and asks again: give the poller another 72 hours.
        Domain.objects.filter(pk=domain.pk).update(given_up_at=None, polling_since=now, check_attempts=0,
                                                   next_check_at=first_check_at(now))
        domain.refresh_from_db()
    return record_check(domain, check, actor=actor, now=now), check


@transaction.atomic
def domain_set_default(*, tenant: Tenant, actor: Actor, domain: Domain) -> None:
    """Any verified domain can be the default for new user names and e-mail addresses (SPEC)."""
    if domain.verified_at is None or domain.status == Domain.Status.PENDING_DELETION:
        raise ValidationError(_("Only a verified domain can be the default domain."), code="unverified")
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    if tenant.default_domain == domain.name:
        return
    before = tenant.default_domain
    tenant.default_domain = domain.name
    tenant.save(update_fields=["default_domain"])
    audit_record(tenant=tenant, actor=actor, action="domain.set_default", target=domain,
                 changes={"default_domain": [before, domain.name]})
