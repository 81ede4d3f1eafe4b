"""Delegated administrators (SPEC billing/ "Partners"): a partner invites a customer by mail, a global
administrator of the customer accepts on the authorization page, the partner's people then act as
administrators of the customer until the customer removes the partner.

Every write runs in one transaction, is audited (in both organizations where both are concerned) and mails
after the commit. The invitation link carries a secret of which only the SHA-256 digest is stored.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.models import DelegatedAdminInvitation, DelegatedAdminRelationship, PartnerProfile, Subscription
from billing.selectors import banner_forget
from tenantadmin.actors import Actor
from tenantadmin.delegation import delegated_customer, delegated_role_codes
from tenantadmin.mail import mail_after_commit
from tenantadmin.models import AuditEvent
from tenantadmin.roles import Role
from tenantadmin.services.audit import audit_record

Invitation = DelegatedAdminInvitation
Relationship = DelegatedAdminRelationship
MESSAGE_MAX_LENGTH = 500
# The partner's people who act for customers (tenantadmin.delegation.delegated_role_codes): told when a customer
# removes the partner, since they are the ones who lose access.
ACTING_ROLES = (Role.GLOBAL_ADMIN, Role.PASSWORD_ADMIN, Role.USER_ADMIN)


class InvitationError(ValidationError):
    """An invitation link that cannot be answered; `code` says why (unknown, expired, used, declined, revoked,
    own_organization)."""


class NotAPartner(PermissionDenied):
    """The organization is not enrolled as a partner by the operator."""


def not_a_partner_message() -> str:
    return _("Partner features are for organizations the operator enrolled as partners. Contact support to "
             "become a partner.")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def invitation_link(secret: str) -> str:
    """The absolute address of the authorization page (as every product mail builds its links)."""
    return settings.PUBLIC_URL + reverse("partners:invitation", args=[secret])


def _new_secret() -> tuple[str, str]:
    secret = secrets.token_urlsafe(32)
    return secret, _digest(secret)


def _partner_profile(tenant) -> PartnerProfile:
    profile = PartnerProfile.objects.filter(tenant=tenant).first()
    if profile is None:
        raise NotAPartner(not_a_partner_message())
    return profile


def _not_acting(actor: Actor, message: str) -> None:
    # A partner's person managing a customer must never change who administers that customer.
    if actor.kind == AuditEvent.ActorType.PARTNER:
        raise PermissionDenied(message)


def _seen_from(actor: Actor, organization) -> Actor:
    """`actor` as recorded in the other organization's audit log: named with their organization, without a link to
    a person (or an address) of another organization."""
    return Actor(kind=actor.kind, label=f"{actor.label} ({organization.name})")


def _admin_addresses(tenant, roles) -> list[str]:
    """Alternate addresses of the organization's live administrators holding one of `roles`."""
    return list(tenant.users.filter(deleted_at__isnull=True, role_assignments__role__in=list(roles))
                .exclude(alternate_email="").values_list("alternate_email", flat=True).distinct().order_by())


def _mail_admins(tenant, roles, *, subject, params: dict, template: str, context: dict) -> None:
    """A service notice to the organization's administrators holding `roles`, in the organization's language."""
    language = tenant.preferred_language or "en"
    with translation.override(language):
        text = str(subject) % params
    mail_after_commit(to=_admin_addresses(tenant, roles), subject=text, template=template,
                      context={"tenant": tenant, **context}, language=language, tenant=tenant, category="service")


def _mail_invitation(invitation: Invitation, link: str) -> None:
    partner = invitation.tenant
    language = partner.preferred_language or "en"
    with translation.override(language):
        subject = _("%(partner)s invites you to make it a delegated administrator") % {"partner": partner.name}
    # Scoped to the partner: the unsubscribe link lets the recipient stop this partner's invitations.
    mail_after_commit(to=[invitation.email], subject=subject, template="billing/partners/mail/invitation",
                      context={"partner": partner, "invitation": invitation, "link": link,
                               "days": settings.PARTNER_INVITATION_DAYS},
                      language=language, tenant=partner, category="service")


def _locked_invitation(tenant, invitation_id) -> Invitation:
    invitation = (Invitation.objects.select_for_update().select_related("tenant")
                  .filter(tenant=tenant, pk=invitation_id).first())
    if invitation is None:
        raise Http404(_("The item was not found."))
    return invitation


# ------------------------------------------------------------------------------------------------ partner side

@transaction.atomic
def invitation_send(*, tenant, actor: Actor, email: str, message: str = "", now=None) -> tuple[Invitation, str]:
    """Invite the customer at `email`; returns the invitation and its link (shown once, mailed to `email`)."""
    now = now or timezone.now()
    _not_acting(actor, _("Send partner invitations from your own organization."))
    _partner_profile(tenant)
    email = (email or "").strip()
    message = (message or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from None
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ValidationError({"message": [_("Keep the message to %(n)d characters.") % {"n": MESSAGE_MAX_LENGTH}]})
    secret, digest = _new_secret()
    invitation = Invitation.objects.create(
        tenant=tenant, email=email, message=message, token_digest=digest, created_by=actor.user,
        created_by_label=actor.label[:300], created_at=now,
        expires_at=now + timedelta(days=settings.PARTNER_INVITATION_DAYS))
    audit_record(tenant=tenant, actor=actor, action="partner.invitation_send", target=invitation,
                 changes={"email": [None, email], "expires": [None, invitation.expires_at.isoformat()]})
    link = invitation_link(secret)
    _mail_invitation(invitation, link)
    return invitation, link


@transaction.atomic
def invitation_resend(*, tenant, actor: Actor, invitation_id, now=None) -> tuple[Invitation, str]:
    """Send a pending (or expired) invitation again with a new link and a new expiry; the old link stops working."""
    now = now or timezone.now()
    _not_acting(actor, _("Send partner invitations from your own organization."))
    invitation = _locked_invitation(tenant, invitation_id)
    _partner_profile(tenant)
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError(_("Only an invitation that is still waiting for the customer can be sent again; this "
                                "one is %(status)s. Send a new invitation instead.")
                              % {"status": invitation.get_status_display().lower()}, code="not_pending")
    secret, digest = _new_secret()
    before = invitation.expires_at
    invitation.token_digest, invitation.expires_at = digest, now + timedelta(days=settings.PARTNER_INVITATION_DAYS)
    invitation.save(update_fields=["token_digest", "expires_at"])
    audit_record(tenant=tenant, actor=actor, action="partner.invitation_resend", target=invitation,
                 changes={"expires": [before.isoformat(), invitation.expires_at.isoformat()]})
    link = invitation_link(secret)
    _mail_invitation(invitation, link)
    return invitation, link


@transaction.atomic
def invitation_revoke(*, tenant, actor: Actor, invitation_id, now=None) -> Invitation:
    """Withdraw a pending invitation: its link stops working."""
    now = now or timezone.now()
    _not_acting(actor, _("Withdraw partner invitations from your own organization."))
    invitation = _locked_invitation(tenant, invitation_id)
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError(_("Only an invitation that is still waiting for the customer can be withdrawn; this "
                                "one is %(status)s.") % {"status": invitation.get_status_display().lower()},
                              code="not_pending")
    invitation.status, invitation.responded_at, invitation.responded_by_label = (
        Invitation.Status.REVOKED, now, actor.label[:300])
    invitation.save(update_fields=["status", "responded_at", "responded_by_label"])
    audit_record(tenant=tenant, actor=actor, action="partner.invitation_revoke", target=invitation,
                 changes={"status": [Invitation.Status.PENDING, Invitation.Status.REVOKED]})
    return invitation


@transaction.atomic
def delegated_access_start(*, partner, actor: Actor, customer_id):
    """A partner's person starts managing a customer (the Customers page's Manage): checks that they may and
    records it in the customer's audit log, so the customer sees who of the partner came in and when.
    Returns the customer."""
    if actor.user is None or actor.user.tenant_id != partner.pk or actor.kind == AuditEvent.ActorType.PARTNER:
        raise PermissionDenied(_("Start managing a customer from your own organization."))
    if not delegated_role_codes(actor.user.role_codes):
        raise PermissionDenied(_("Only the partner's global, password and user management administrators manage "
                                 "customers."))
    _partner_profile(partner)
    customer = delegated_customer(partner=partner, customer_id=customer_id)
    if customer is None:
        raise Http404(_("The item was not found."))
    on_behalf = Actor.for_partner(actor.user, partner=partner, customer=customer, ip_address=actor.ip_address)
    audit_record(tenant=customer, actor=on_behalf, action="partner.access_start", target=customer,
                 target_label=customer.name, changes={"partner": [None, partner.name]})
    return customer


# ------------------------------------------------------------------------------------------------ customer side

def invitation_for_token(token: str) -> Invitation:
    """The invitation a link names, if it can still be answered; else an InvitationError saying why.

    Unknown and malformed links share one message. A real link's secret has 256 bits, so only someone who
    received it can hold it; telling them plainly that it expired, was used or was withdrawn (and by which
    partner) helps them and reveals nothing to anyone guessing, who never reaches a real invitation.
    """
    invitation = None
    if token and len(token) <= 100:
        invitation = Invitation.objects.select_related("tenant", "customer").filter(token_digest=_digest(token)).first()
    if invitation is None:
        raise InvitationError(_("This invitation link is not valid. Check that you opened the whole link from the "
                                "mail, or ask the partner to send the invitation again."), code="unknown")
    _check_answerable(invitation)
    return invitation


def _check_answerable(invitation: Invitation, now=None) -> None:
    now = now or timezone.now()
    partner = invitation.tenant.name
    if invitation.status == Invitation.Status.ACCEPTED:
        raise InvitationError(_("This invitation was already accepted. %(partner)s is managed under Support > "
                                "Delegated administrators.") % {"partner": partner}, code="used")
    if invitation.status == Invitation.Status.DECLINED:
        raise InvitationError(_("This invitation was declined. Ask %(partner)s to send a new one if you changed your "
                                "mind.") % {"partner": partner}, code="declined")
    if invitation.status == Invitation.Status.REVOKED:
        raise InvitationError(_("%(partner)s withdrew this invitation.") % {"partner": partner}, code="revoked")
    if invitation.expires_at <= now:
        raise InvitationError(_("This invitation expired on %(date)s. Ask %(partner)s to send it again.")
                              % {"date": formats.date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT"),
                                 "partner": partner}, code="expired")


def _answering_customer(actor: Actor, invitation: Invitation):
    """The organization whose global administrator answers: the person's own, never the partner itself."""
    _not_acting(actor, _("Return to your own organization first: a delegated administrator cannot answer partner "
                         "invitations for a customer."))
    person = actor.user
    if person is None or person.tenant_id is None:
        raise PermissionDenied(_("Sign in with an account of the organization that was invited."))
    if person.tenant_id == invitation.tenant_id:
        raise InvitationError(_("This invitation comes from your own organization. Send the link to your customer: "
                                "a global administrator of the customer accepts it."), code="own_organization")
    if not person.is_global_admin:
        raise PermissionDenied(_("Only a global administrator of your organization can answer this invitation. Ask "
                                 "one of them to open the link."))
    return person.tenant


def _claim(invitation: Invitation, status: str, customer, actor: Actor, now) -> bool:
    """Move a pending, unexpired invitation to `status` with a conditional update: of two clicks (or two admins)
    answering at once, exactly one claims it."""
    return bool(Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.PENDING, expires_at__gt=now)
                .update(status=status, customer=customer, responded_at=now, responded_by_label=actor.label[:300]))


def _active_relationship(customer, partner) -> Relationship | None:
    return Relationship.objects.filter(tenant=customer, partner=partner, status=Relationship.Status.ACTIVE).first()


def _answered_meanwhile(invitation: Invitation, now) -> None:
    """Another request answered (or withdrew) the invitation between our read and our claim: say what happened."""
    invitation.refresh_from_db()
    _check_answerable(invitation, now)
    raise InvitationError(_("This invitation was answered meanwhile. Open the link again."), code="used")


@transaction.atomic
def invitation_accept(*, token: str, actor: Actor, now=None) -> tuple[Relationship, bool]:
    """A global administrator of the customer accepts: the partner becomes its delegated administrator.
    Returns (relationship, created); created is False when the partner already was one (the invitation is
    used up either way). A second click on the same link finds the relationship the first one made."""
    now = now or timezone.now()
    invitation = Invitation.objects.select_related("tenant").filter(token_digest=_digest(token or "")).first()
    if invitation is None:
        invitation_for_token(token)  # raises the "not valid" message
    customer = _answering_customer(actor, invitation)
    invitation = Invitation.objects.select_for_update().select_related("tenant").get(pk=invitation.pk)
    partner = invitation.tenant
    if invitation.status == Invitation.Status.ACCEPTED and invitation.customer_id == customer.pk:
        existing = _active_relationship(customer, partner)
        if existing is not None:
            return existing, False
    _check_answerable(invitation, now)
    if not PartnerProfile.objects.filter(tenant=partner).exists():
        raise InvitationError(_("%(partner)s is no longer a partner, so it cannot become a delegated administrator.")
                              % {"partner": partner.name}, code="not_partner")
    if not _claim(invitation, Invitation.Status.ACCEPTED, customer, actor, now):
        _answered_meanwhile(invitation, now)
    relationship = _active_relationship(customer, partner)
    created = relationship is None
    if created:
        try:
            with transaction.atomic():  # the one-active-per-pair constraint settles a race between two invitations
                relationship = Relationship.objects.create(tenant=customer, partner=partner, invitation=invitation,
                                                           created_at=now, accepted_by_label=actor.label[:300])
        except IntegrityError:
            relationship = _active_relationship(customer, partner)
            created = False
    if created:
        audit_record(tenant=customer, actor=actor, action="partner.relationship_create", target=relationship,
                     target_label=partner.name, changes={"partner": [None, partner.name]})
        audit_record(tenant=partner, actor=_seen_from(actor, customer), action="partner.invitation_accept",
                     target=invitation, changes={"customer": [None, customer.name],
                                                 "status": [Invitation.Status.PENDING, Invitation.Status.ACCEPTED]})
        context = {"partner": partner, "customer": customer, "accepted_by": actor.user}
        _mail_admins(partner, [Role.GLOBAL_ADMIN], subject=gettext_lazy("%(customer)s made you its delegated "
                                                                        "administrator"),
                     params={"customer": customer.name}, template="billing/partners/mail/accepted", context=context)
        _mail_admins(customer, [Role.GLOBAL_ADMIN], subject=gettext_lazy("%(partner)s is now a delegated "
                                                                         "administrator of your organization"),
                     params={"partner": partner.name}, template="billing/partners/mail/granted", context=context)
    else:
        audit_record(tenant=partner, actor=_seen_from(actor, customer), action="partner.invitation_accept",
                     target=invitation, changes={"customer": [None, customer.name], "already_delegated": [None, True]})
    return relationship, created


@transaction.atomic
def invitation_decline(*, token: str, actor: Actor, now=None) -> Invitation:
    """A global administrator of the invited organization says no; the partner's global admins are told."""
    now = now or timezone.now()
    invitation = invitation_for_token(token)
    customer = _answering_customer(actor, invitation)
    if not _claim(invitation, Invitation.Status.DECLINED, customer, actor, now):
        _answered_meanwhile(invitation, now)
    partner = invitation.tenant
    audit_record(tenant=partner, actor=_seen_from(actor, customer), action="partner.invitation_decline",
                 target=invitation,
                 changes={"customer": [None, customer.name], "status": [Invitation.Status.PENDING,
                                                                       Invitation.Status.DECLINED]})
    audit_record(tenant=customer, actor=actor, action="partner.invitation_decline", target=invitation,
                 target_label=partner.name, changes={"partner": [None, partner.name]})
    _mail_admins(partner, [Role.GLOBAL_ADMIN], subject=gettext_lazy("%(customer)s declined your invitation"),
                 params={"customer": customer.name}, template="billing/partners/mail/declined",
                 context={"partner": partner, "customer": customer})
    invitation.refresh_from_db()
    return invitation


def can_remove_delegated_admins(actor: Actor, tenant) -> bool:
    """Only the customer's own global administrators (or its apps) remove partners; never a partner's person."""
    if actor.kind == AuditEvent.ActorType.PARTNER:
        return False
    if actor.kind in (AuditEvent.ActorType.STAFF, AuditEvent.ActorType.SYSTEM):
        return True  # the operator's support staff (staff site) and tooling
    if actor.user is not None:
        return actor.user.tenant_id == tenant.pk and actor.user.is_global_admin
    if actor.app is not None:
        return actor.app.tenant_id == tenant.pk
    return False


@transaction.atomic
def relationship_remove(*, tenant, actor: Actor, relationship_id, now=None) -> Relationship:
    """The customer removes a delegated administrator: the partner's people lose access at their next request
    (TenantMiddleware checks the relationship on every one), and the partner's administrators are told."""
    now = now or timezone.now()
    relationship = (Relationship.objects.select_for_update(of=("self",)).select_related("partner")
                    .filter(tenant=tenant, pk=relationship_id).first())
    if relationship is None:
        raise Http404(_("The item was not found."))
    if not can_remove_delegated_admins(actor, tenant):
        raise PermissionDenied(_("Only a global administrator of this organization can remove its delegated "
                                 "administrators; a partner cannot remove itself or other partners."))
    if relationship.status != Relationship.Status.ACTIVE:
        raise ValidationError(_("%(partner)s was already removed.") % {"partner": relationship.partner.name},
                              code="removed")
    relationship.status, relationship.removed_at, relationship.removed_by_label = (
        Relationship.Status.REMOVED, now, actor.label[:300])
    relationship.save(update_fields=["status", "removed_at", "removed_by_label"])
    partner = relationship.partner
    audit_record(tenant=tenant, actor=actor, action="partner.relationship_remove", target=relationship,
                 target_label=partner.name,
                 changes={"status": [Relationship.Status.ACTIVE, Relationship.Status.REMOVED]})
    audit_record(tenant=partner, actor=_seen_from(actor, tenant), action="partner.customer_removed",
                 target=relationship,
                 target_label=tenant.name, changes={"customer": [tenant.name, None]})
    _mail_admins(partner, ACTING_ROLES, subject=gettext_lazy("%(customer)s removed you as delegated administrator"),
                 params={"customer": tenant.name}, template="billing/partners/mail/removed",
                 context={"partner": partner, "customer": tenant, "removed_at": now})
    return relationship


# ------------------------------------------------------------------------------------------------ operator (staff site)

@transaction.atomic
def partner_profile_save(*, profile: PartnerProfile, actor: Actor, changed: list[str] = ()) -> PartnerProfile:
    """Enrol an organization as a partner, or change its partner ID or support contact (staff site)."""
    created = profile._state.adding
    profile.full_clean()
    profile.save()
    fields = ["partner_id", "support_email", "support_phone", "support_url"]
    audit_record(tenant=profile.tenant, actor=actor, action="partner.enrol" if created else "partner.profile_update",
                 target=profile, changes={name: [None, getattr(profile, name)] for name in fields
                                          if created or name in changed})
    if not created:
        _forget_customers_billing_partner(profile.tenant)
    return profile


def _forget_customers_billing_partner(partner) -> None:
    """Customers that bought through `partner` show its contact from a cached digest: drop it so a changed contact
    (or an ended partnership) shows on their next page, not minutes later."""
    customers = (Subscription.objects.filter(reseller=partner).order_by().values_list("tenant_id", flat=True)
                 .distinct())
    for tenant_id in customers:
        banner_forget(tenant_id)


@transaction.atomic
def partner_unenrol(*, profile: PartnerProfile, actor: Actor, now=None) -> int:
    """End an organization's partnership (staff site): every customer relationship is removed (each customer's
    log says so and the partner's people lose access at once), pending invitations are withdrawn, and the
    profile goes. Returns the number of customers removed."""
    now = now or timezone.now()
    partner = profile.tenant
    active = list(Relationship.objects.select_for_update(of=("self",)).select_related("tenant")
                  .filter(partner=partner, status=Relationship.Status.ACTIVE))
    for relationship in active:
        relationship.status, relationship.removed_at, relationship.removed_by_label = (
            Relationship.Status.REMOVED, now, actor.label[:300])
        relationship.save(update_fields=["status", "removed_at", "removed_by_label"])
        audit_record(tenant=relationship.tenant, actor=actor, action="partner.relationship_remove",
                     target=relationship, target_label=partner.name,
                     changes={"status": [Relationship.Status.ACTIVE, Relationship.Status.REMOVED],
                              "reason": [None, "partner no longer enrolled"]})
    _forget_customers_billing_partner(partner)
    withdrawn = Invitation.objects.filter(tenant=partner, status=Invitation.Status.PENDING).update(
        status=Invitation.Status.REVOKED, responded_at=now, responded_by_label=actor.label[:300])
    audit_record(tenant=partner, actor=actor, action="partner.unenrol", target=profile,
                 changes={"partner_id": [profile.partner_id, None], "customers_removed": [None, len(active)],
                          "invitations_withdrawn": [None, withdrawn]})
    profile.delete()
    return len(active)
