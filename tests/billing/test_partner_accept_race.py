"""An invitation link clicked several times at the same moment (requests racing) makes one relationship, and
two invitations of one partner accepted at once still leave one active relationship (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from billing.models import DelegatedAdminRelationship
from billing.partner_services import InvitationError, invitation_accept
from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent
from tests.billing.partnerhelpers import invite, partner_org

pytestmark = [pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
              pytest.mark.django_db(transaction=True)]


def _race(tokens, actor):
    outcomes, barrier = [], threading.Barrier(len(tokens))

    def accept(token):
        try:
            barrier.wait()
            relationship, created = invitation_accept(token=token, actor=actor)
            outcomes.append((relationship.pk, created))
        except InvitationError as error:
            outcomes.append(("refused", error.code))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=[token]) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_racing_clicks_on_one_link_make_one_relationship(org_a):
    partner = partner_org()
    _invitation, secret = invite(partner["tenant"])
    outcomes = _race([secret] * 4, Actor.for_user(org_a.global_admin))
    assert len(outcomes) == 4 and sum(1 for _pk, created in outcomes if created is True) == 1
    assert len({pk for pk, _created in outcomes}) == 1  # every click lands on the same relationship
    assert DelegatedAdminRelationship.objects.filter(tenant=org_a.tenant).count() == 1
    assert AuditEvent.objects.filter(tenant=org_a.tenant, action="partner.relationship_create").count() == 1


def test_two_invitations_of_one_partner_accepted_at_once_leave_one_relationship(org_a):
    partner = partner_org()
    secrets = [invite(partner["tenant"], f"c{n}@customer.example")[1] for n in range(2)]
    outcomes = _race(secrets, Actor.for_user(org_a.global_admin))
    assert sorted(created for _pk, created in outcomes) == [False, True]
    assert DelegatedAdminRelationship.objects.filter(tenant=org_a.tenant, status="active").count() == 1
