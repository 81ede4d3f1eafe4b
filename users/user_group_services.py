"""Writes for one user's security group memberships, seen from the user (the user detail page's Groups card).

The group services do the work, so the rules and the audit records are those of a group's members page."""

from django.db import transaction
from django.db.models.functions import Lower

from tenantadmin.actors import Actor
from users.group_services import group_members_add
from users.models import SecurityGroup, User


@transaction.atomic
def user_groups_join(*, user: User, actor: Actor, group_ids) -> list[SecurityGroup]:
    """Add `user` to the groups of their organization among `group_ids`, all or none; returns the groups joined
    (groups they are in already, and unknown or other organizations' ids, are skipped; a deleted user joins none)."""
    groups = (SecurityGroup.objects.filter(tenant_id=user.tenant_id, pk__in=list(group_ids)).select_related("tenant")
              .order_by(Lower("display_name"), "pk"))
    return [group for group in groups if group_members_add(group=group, actor=actor, user_ids=[user.pk])]
