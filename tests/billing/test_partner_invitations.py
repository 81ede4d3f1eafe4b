"""Delegated-administrator invitations and relationships through the services: send, resend, withdraw, accept
(once, by a global admin of another organization, before expiry), decline, remove, and the operator's
enrolment and de-enrolment."""

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils import timezone

from billing.models import DelegatedAdminInvitation, DelegatedAdminRelationship, PartnerProfile
from billing.partner_services import (
    InvitationError, NotAPartner, invitation_accept, invitation_decline, invitation_for_token, invitation_resend,
    invitation_revoke, invitation_send, partner_profile_save, partner_unenrol, relationship_remove,
)
from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from tests.billing.partnerhelpers import enrol, partner_org, relate, token_of

pytestmark = pytest.mark.django_db

Status = DelegatedAdminInvitation.Status


@pytest.fixture
def partner(db):
    return partner_org()


def _send(partner, email="boss@customer.example", **kwargs):
    return invitation_send(tenant=partner["tenant"], actor=Actor.for_user(partner["global_admin"]), email=email,
                           **kwargs)


def test_send_stores_only_the_digest_mails_the_link_and_audits(partner, settings, django_capture_on_commit_callbacks):
    settings.PARTNER_INVITATION_DAYS = 10
    with django_capture_on_commit_callbacks(execute=True):
        invitation, link = _send(partner, message="Hello from Fabrikam")
    secret = token_of(link)
    assert link.startswith(settings.PUBLIC_URL + "/partner-invitation/") and len(secret) >= 43
    assert invitation.token_digest == hashlib.sha256(secret.encode()).hexdigest()
    assert not DelegatedAdminInvitation.objects.filter(token_digest=secret).exists()
    assert timedelta(days=9, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=10)
    [message] = mail.outbox
    assert message.to == ["boss@customer.example"] and "Fabrikam Partners" in message.subject
    assert link in message.body and "Hello from Fabrikam" in message.body
    event = AuditEvent.objects.get(tenant=partner["tenant"], action="partner.invitation_send")
    assert event.changes["email"] == [None, "boss@customer.example"] and secret not in str(event.changes)
    assert invitation_for_token(secret) == invitation


def test_only_an_enrolled_partner_sends_and_bad_input_is_refused(org_a, partner):
    with pytest.raises(NotAPartner):
        invitation_send(tenant=org_a.tenant, actor=Actor.for_user(org_a.global_admin), email="x@customer.example")
    with pytest.raises(ValidationError) as error:
        _send(partner, email="not an address")
    assert "email" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _send(partner, message="x" * 501)
    assert "message" in error.value.message_dict
    assert not DelegatedAdminInvitation.objects.exists()


def test_resend_makes_a_new_link_and_kills_the_old_one(partner, django_capture_on_commit_callbacks):
    invitation, link = _send(partner)
    later = timezone.now() + timedelta(days=3)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        again, new_link = invitation_resend(tenant=partner["tenant"], actor=Actor.for_user(partner["global_admin"]),
                                            invitation_id=invitation.pk)
    assert new_link != link and again.expires_at > invitation.expires_at
    with pytest.raises(InvitationError) as error:
        invitation_for_token(token_of(link))
    assert error.value.code == "unknown"
    assert invitation_for_token(token_of(new_link)).pk == invitation.pk
    assert new_link in mail.outbox[-1].body
    assert AuditEvent.objects.filter(tenant=partner["tenant"], action="partner.invitation_resend").exists()


def test_resend_and_revoke_only_reach_the_partners_own_pending_invitations(partner, org_a):
    invitation, link = _send(partner)
    enrol(org_a.tenant)
    with pytest.raises(Http404):
        invitation_revoke(tenant=org_a.tenant, actor=Actor.for_user(org_a.global_admin), invitation_id=invitation.pk)
    invitation_revoke(tenant=partner["tenant"], actor=Actor.for_user(partner["global_admin"]), invitation_id=invitation.pk)
    assert DelegatedAdminInvitation.objects.get(pk=invitation.pk).status == Status.REVOKED
    with pytest.raises(ValidationError):
        invitation_resend(tenant=partner["tenant"], actor=Actor.for_user(partner["global_admin"]),
                          invitation_id=invitation.pk)
    with pytest.raises(InvitationError) as error:
        invitation_for_token(token_of(link))
    assert error.value.code == "revoked" and "Fabrikam Partners withdrew" in error.value.messages[0]


def test_accept_creates_the_relationship_audits_both_sides_and_mails_both(partner, org_a,
                                                                          django_capture_on_commit_callbacks):
    _invitation, link = _send(partner)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        relationship, created = invitation_accept(token=token_of(link), actor=Actor.for_user(org_a.global_admin))
    assert created
    assert (relationship.tenant, relationship.partner, relationship.status) == (
        org_a.tenant, partner["tenant"], DelegatedAdminRelationship.Status.ACTIVE)
    assert relationship.accepted_by_label == org_a.global_admin.upn
    invitation = DelegatedAdminInvitation.objects.get(pk=relationship.invitation_id)
    assert (invitation.status, invitation.customer) == (Status.ACCEPTED, org_a.tenant)
    customer_event = AuditEvent.objects.get(tenant=org_a.tenant, action="partner.relationship_create")
    assert customer_event.actor_label == org_a.global_admin.upn and customer_event.target_label == "Fabrikam Partners"
    partner_event = AuditEvent.objects.get(tenant=partner["tenant"], action="partner.invitation_accept")
    assert partner_event.changes["customer"] == [None, "Contoso CONTOSOA"]
    # In the partner's log the customer's admin is named with their organization, never linked as a person.
    assert partner_event.actor_id is None and partner_event.actor_label.endswith("(Contoso CONTOSOA)")
    recipients = {address for message in mail.outbox for address in message.to}
    assert partner["global_admin"].alternate_email in recipients and org_a.global_admin.alternate_email in recipients
    assert partner["password_admin"].alternate_email not in recipients  # global admins only


def test_a_second_click_creates_no_second_relationship(partner, org_a):
    _invitation, link = _send(partner)
    actor = Actor.for_user(org_a.global_admin)
    first, created = invitation_accept(token=token_of(link), actor=actor)
    second, created_again = invitation_accept(token=token_of(link), actor=actor)
    assert created and not created_again and first.pk == second.pk
    assert DelegatedAdminRelationship.objects.filter(tenant=org_a.tenant).count() == 1
    assert AuditEvent.objects.filter(tenant=org_a.tenant, action="partner.relationship_create").count() == 1


def test_an_accepted_link_is_used_up_for_everyone_else(partner, org_a, org_b):
    _invitation, link = _send(partner)
    invitation_accept(token=token_of(link), actor=Actor.for_user(org_a.global_admin))
    with pytest.raises(InvitationError) as error:
        invitation_accept(token=token_of(link), actor=Actor.for_user(org_b.global_admin))
    assert error.value.code == "used"
    assert not DelegatedAdminRelationship.objects.filter(tenant=org_b.tenant).exists()


def test_a_second_invitation_of_the_same_partner_says_it_already_is_one(partner, org_a):
    relate(org_a.tenant, partner["tenant"], accepted_by=org_a.global_admin)
    _invitation, link = _send(partner)
    relationship, created = invitation_accept(token=token_of(link), actor=Actor.for_user(org_a.global_admin))
    assert not created and DelegatedAdminRelationship.objects.filter(tenant=org_a.tenant, status="active").count() == 1
    with pytest.raises(IntegrityError):  # and the database itself refuses a second active one
        DelegatedAdminRelationship.objects.create(tenant=org_a.tenant, partner=partner["tenant"],
                                                  created_at=timezone.now())


def test_an_expired_link_is_refused_with_its_date(partner, org_a):
    invitation, link = _send(partner)
    with time_machine.travel(invitation.expires_at + timedelta(minutes=1), tick=False):
        with pytest.raises(InvitationError) as error:
            invitation_accept(token=token_of(link), actor=Actor.for_user(org_a.global_admin))
    assert error.value.code == "expired" and "Ask Fabrikam Partners to send it again" in error.value.messages[0]
    assert DelegatedAdminInvitation.objects.get(pk=invitation.pk).status == Status.PENDING
    assert not DelegatedAdminRelationship.objects.exists()


def test_a_withdrawn_link_cannot_be_accepted(partner, org_a):
    invitation, link = _send(partner)
    invitation_revoke(tenant=partner["tenant"], actor=Actor.for_user(partner["global_admin"]), invitation_id=invitation.pk)
    with pytest.raises(InvitationError) as error:
        invitation_accept(token=token_of(link), actor=Actor.for_user(org_a.global_admin))
    assert error.value.code == "revoked"
    assert not DelegatedAdminRelationship.objects.exists()


def test_an_unknown_link_gets_the_generic_message(org_a):
    for token in ("nonsense", "", "x" * 500):
        with pytest.raises(InvitationError) as error:
            invitation_accept(token=token, actor=Actor.for_user(org_a.global_admin))
        assert error.value.code == "unknown" and "not valid" in error.value.messages[0]


@pytest.mark.parametrize("role_name", ["user_admin", "billing_admin", "password_admin", "service_admin", "user"])
def test_only_a_global_admin_accepts(role_name, partner, org_a):
    _invitation, link = _send(partner)
    with pytest.raises(PermissionDenied):
        invitation_accept(token=token_of(link), actor=Actor.for_user(org_a.member(role_name)))
    with pytest.raises(PermissionDenied):
        invitation_decline(token=token_of(link), actor=Actor.for_user(org_a.member(role_name)))
    assert not DelegatedAdminRelationship.objects.exists()


def test_the_partner_cannot_accept_its_own_invitation(partner):
    _invitation, link = _send(partner)
    with pytest.raises(InvitationError) as error:
        invitation_accept(token=token_of(link), actor=Actor.for_user(partner["global_admin"]))
    assert error.value.code == "own_organization"
    assert not DelegatedAdminRelationship.objects.exists()


def test_a_person_acting_for_a_customer_cannot_answer_for_it(partner, org_a, org_b):
    relate(org_a.tenant, partner["tenant"], accepted_by=org_a.global_admin)
    other_partner = partner_org("otherpartner", name="Other Partners")
    _invitation, link = _send(other_partner)
    acting = Actor.for_partner(partner["global_admin"], partner=partner["tenant"], customer=org_a.tenant)
    with pytest.raises(PermissionDenied):
        invitation_accept(token=token_of(link), actor=acting)
    with pytest.raises(PermissionDenied):
        invitation_decline(token=token_of(link), actor=acting)
    assert not DelegatedAdminRelationship.objects.filter(partner=other_partner["tenant"]).exists()


def test_decline_tells_the_partner_and_uses_up_the_link(partner, org_a, django_capture_on_commit_callbacks):
    invitation, link = _send(partner)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        declined = invitation_decline(token=token_of(link), actor=Actor.for_user(org_a.global_admin))
    assert (declined.status, declined.customer_id) == (Status.DECLINED, org_a.tenant.pk)
    assert [m.to for m in mail.outbox] == [[partner["global_admin"].alternate_email]]
    assert AuditEvent.objects.filter(tenant=partner["tenant"], action="partner.invitation_decline").exists()
    assert AuditEvent.objects.filter(tenant=org_a.tenant, action="partner.invitation_decline").exists()
    with pytest.raises(InvitationError) as error:
        invitation_accept(token=token_of(link), actor=Actor.for_user(org_a.global_admin))
    assert error.value.code == "declined"


def test_remove_by_the_customers_global_admin_mails_the_partners_acting_admins(partner, org_a,
                                                                               django_capture_on_commit_callbacks):
    relationship = relate(org_a.tenant, partner["tenant"], accepted_by=org_a.global_admin)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        removed = relationship_remove(tenant=org_a.tenant, actor=Actor.for_user(org_a.global_admin),
                                      relationship_id=relationship.pk)
    assert removed.status == DelegatedAdminRelationship.Status.REMOVED and removed.removed_at is not None
    recipients = {address for message in mail.outbox for address in message.to}
    assert recipients == {partner[name].alternate_email for name in ("global_admin", "password_admin", "user_admin")}
    assert AuditEvent.objects.get(tenant=org_a.tenant, action="partner.relationship_remove").target_label == \
        "Fabrikam Partners"
    assert AuditEvent.objects.filter(tenant=partner["tenant"], action="partner.customer_removed").exists()
    with pytest.raises(ValidationError):
        relationship_remove(tenant=org_a.tenant, actor=Actor.for_user(org_a.global_admin), relationship_id=relationship.pk)


def test_only_the_customers_own_global_admins_remove(partner, org_a, org_b):
    relationship = relate(org_a.tenant, partner["tenant"], accepted_by=org_a.global_admin)
    refused = [Actor.for_user(org_a.user_admin), Actor.for_user(partner["global_admin"]),
               Actor.for_partner(partner["global_admin"], partner=partner["tenant"], customer=org_a.tenant)]
    for actor in refused:
        with pytest.raises(PermissionDenied):
            relationship_remove(tenant=org_a.tenant, actor=actor, relationship_id=relationship.pk)
    with pytest.raises(Http404):  # another organization does not even find it
        relationship_remove(tenant=org_b.tenant, actor=Actor.for_user(org_b.global_admin), relationship_id=relationship.pk)
    assert DelegatedAdminRelationship.objects.get(pk=relationship.pk).status == "active"


def test_enrolment_and_unenrolment_are_audited_and_unenrolment_ends_every_relationship(partner, org_a, org_b,
                                                                                       django_user_model):
    staff = Actor.for_user(django_user_model.objects.create_superuser("ops@operator.example", "Staff#Pass123"))
    profile = partner_profile_save(profile=PartnerProfile(tenant=org_b.tenant, partner_id="123456"), actor=staff)
    assert AuditEvent.objects.get(tenant=org_b.tenant, action="partner.enrol").actor_type == "staff"
    relate(org_a.tenant, org_b.tenant, accepted_by=org_a.global_admin)
    pending, _link = invitation_send(tenant=org_b.tenant, actor=staff, email="next@customer.example")
    assert partner_unenrol(profile=profile, actor=staff) == 1
    assert not PartnerProfile.objects.filter(tenant=org_b.tenant).exists()
    assert DelegatedAdminRelationship.objects.get(tenant=org_a.tenant).status == "removed"
    assert DelegatedAdminInvitation.objects.get(pk=pending.pk).status == Status.REVOKED
    assert AuditEvent.objects.filter(tenant=org_a.tenant, action="partner.relationship_remove").exists()
    assert AuditEvent.objects.filter(tenant=org_b.tenant, action="partner.unenrol").exists()
