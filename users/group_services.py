"""Writes for security groups (SPEC users/ "Security groups"): create, edit, delete, add and remove members.

The portal pages and the Graph routes call these same functions, so the rules below hold for both."""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tenantadmin.actors import Actor
from tenantadmin.services.audit import audit_record, diff_fields
from users.group_selectors import views_filtering_on
from users.models import GroupMembership, SecurityGroup, User

NAME_MAX_LENGTH = 256
DESCRIPTION_MAX_LENGTH = 1024
MAIL_NICKNAME_MAX_LENGTH = 64
# Graph's rule for mailNickname: ASCII 0-127 without @ () \ [] " ; : <> , and space.
_NICKNAME_FORBIDDEN = re.compile(r'[@()\\\[\]";:<>,\s]')
_NICKNAME_KEEP = re.compile(r"[^A-Za-z0-9._-]+")


def nickname_from_name(name: str) -> str:
    """A mail nickname for a group named in the portal (which does not ask for one): its name's safe characters."""
    return _NICKNAME_KEEP.sub("", name)[:MAIL_NICKNAME_MAX_LENGTH] or "group"


def _clean(*, tenant, display_name, description, mail_nickname, exclude=None) -> dict:
    """The stripped values, or a ValidationError naming each bad field."""
    errors = {}
    name = (display_name or "").strip()
    if not name:
        errors["display_name"] = [_("Enter a name for the group.")]
    elif len(name) > NAME_MAX_LENGTH:
        errors["display_name"] = [_("The name can have at most %(max)d characters.") % {"max": NAME_MAX_LENGTH}]
    else:
        taken = SecurityGroup.objects.filter(tenant=tenant, display_name__iexact=name)
        if exclude is not None:
            taken = taken.exclude(pk=exclude.pk)
        if taken.exists():
            errors["display_name"] = [_name_taken(name)]
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = [_("The description can have at most %(max)d characters.")
                                 % {"max": DESCRIPTION_MAX_LENGTH}]
    nickname = (mail_nickname or "").strip()
    if len(nickname) > MAIL_NICKNAME_MAX_LENGTH:
        errors["mail_nickname"] = [_("The mail nickname can have at most %(max)d characters.")
                                   % {"max": MAIL_NICKNAME_MAX_LENGTH}]
    elif not nickname.isascii() or _NICKNAME_FORBIDDEN.search(nickname):
        errors["mail_nickname"] = [_('The mail nickname can only hold ASCII characters other than '
                                     '@ ( ) \\ [ ] " ; : < > , and spaces.')]
    if errors:
        raise ValidationError(errors)
    return {"display_name": name, "description": description, "mail_nickname": nickname}


def _name_taken(name: str) -> str:
    return _("A group named “%(name)s” already exists in your organization (names are compared without case). "
             "Choose another name.") % {"name": name}


def _save(group: SecurityGroup, **kwargs) -> None:
    # The (tenant, lower(name)) unique index decides a race between two admins picking the same name.
    try:
        with transaction.atomic():
            group.save(**kwargs)
    except IntegrityError:
        raise ValidationError({"display_name": [_name_taken(group.display_name)]}) from None


@transaction.atomic
def group_create(*, tenant, actor: Actor, display_name: str, description: str = "",
                 mail_nickname: str | None = None) -> SecurityGroup:
    """A new security group of `tenant` (no members yet)."""
    values = _clean(tenant=tenant, display_name=display_name, description=description,
                    mail_nickname=mail_nickname if mail_nickname is not None else nickname_from_name(display_name or ""))
    group = SecurityGroup(tenant=tenant, **values)
    _save(group)
    audit_record(tenant=tenant, actor=actor, action="group.create", target=group,
                 changes={field: [None, value] for field, value in values.items() if value})
    return group


@transaction.atomic
def group_update(*, group: SecurityGroup, actor: Actor, **changes) -> SecurityGroup:
    """Change the name, description or mail nickname (only the keys given) of `group`."""
    current = {"display_name": group.display_name, "description": group.description,
               "mail_nickname": group.mail_nickname}
    unknown = set(changes) - set(current)
    if unknown:
        raise ValueError(f"Unknown group fields: {sorted(unknown)}")
    values = _clean(tenant=group.tenant, exclude=group, **{**current, **changes})
    diff = diff_fields(group, values)
    if not diff:
        return group
    for field, value in values.items():
        setattr(group, field, value)
    _save(group, update_fields=list(diff))
    audit_record(tenant=group.tenant, actor=actor, action="group.update", target=group, changes=diff)
    return group


@transaction.atomic
def group_delete(*, group: SecurityGroup, actor: Actor) -> dict:
    """Delete `group`, its memberships and the custom views that show its members (they would mean nothing
    without it). Returns {"members": n, "views": [names]} for the message."""
    tenant = group.tenant
    views = list(views_filtering_on(tenant=tenant, group=group))
    members = GroupMembership.objects.filter(tenant=tenant, group=group).count()
    for view in views:
        audit_record(tenant=tenant, actor=actor, action="custom_view.delete", target=view,
                     changes={"name": [view.name, None], "reason": [None, f"group {group.display_name} deleted"]})
        view.delete()
    audit_record(tenant=tenant, actor=actor, action="group.delete", target=group,
                 changes={"display_name": [group.display_name, None], "members": [members, 0],
                          "views_deleted": [None, [view.name for view in views]]})
    group.delete()  # memberships go with it (CASCADE)
    return {"members": members, "views": [view.name for view in views]}


def _lock(group: SecurityGroup) -> None:
    # Member changes of one group run one at a time, so "already a member" is decided on current rows.
    SecurityGroup.objects.select_for_update().filter(pk=group.pk, tenant=group.tenant).exists()


@transaction.atomic
def group_members_add(*, group: SecurityGroup, actor: Actor, user_ids) -> list[User]:
    """Add the live users of the group's organization among `user_ids`; returns those newly added (others of
    the list — already members, deleted, unknown or of another organization — are skipped)."""
    _lock(group)
    existing = GroupMembership.objects.filter(group=group).values("user_id")
    users = list(User.objects.filter(tenant=group.tenant, deleted_at__isnull=True, pk__in=list(user_ids))
                 .exclude(pk__in=existing).order_by("upn"))
    if not users:
        return []
    GroupMembership.objects.bulk_create(GroupMembership(tenant=group.tenant, group=group, user=user) for user in users)
    audit_record(tenant=group.tenant, actor=actor, action="group.members_add", target=group,
                 changes={"members_added": [None, [user.upn for user in users]]})
    return users


@transaction.atomic
def group_members_remove(*, group: SecurityGroup, actor: Actor, user_ids) -> int:
    """Remove the members among `user_ids` from `group`; returns how many were removed."""
    _lock(group)
    memberships = GroupMembership.objects.filter(tenant=group.tenant, group=group, user_id__in=list(user_ids))
    upns = sorted(memberships.values_list("user__upn", flat=True))
    if not upns:
        return 0
    memberships.delete()
    audit_record(tenant=group.tenant, actor=actor, action="group.members_remove", target=group,
                 changes={"members_removed": [upns, None]})
    return len(upns)
