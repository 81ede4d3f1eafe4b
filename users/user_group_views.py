"""The actions of the user detail page's Groups card: add the user to security groups, and remove them from one
after a confirmation that says what changes. Deleted users keep their memberships for a restore and are not
offered these actions (their pages are a 404 here)."""


from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, ngettext

from tenantadmin.access import require_perm, tenant_object_or_404
from tenantadmin.actors import Actor
from tenantadmin.forms import posted_ids
from tenantadmin.roles import Perm
from users.group_selectors import views_filtering_on
from users.group_services import group_members_remove
from users.models import GroupMembership, SecurityGroup, User
from users.selectors import groups_to_join
from users.user_group_services import user_groups_join

CANDIDATES_SHOWN = 50


def _live_user(request, user_id) -> User:
    return tenant_object_or_404(User.objects.filter(deleted_at__isnull=True), request.tenant, pk=user_id)


def _back_to_user(user: User):
    return redirect(reverse("users:detail", args=[user.pk]) + "#user-groups")



@require_perm(Perm.GROUPS_WRITE)
def user_groups_add_page(request, user_id):
    person = _live_user(request, user_id)
    search = (request.POST if request.method == "POST" else request.GET).get("q", "").strip()
    if request.method == "POST":
        ids = posted_ids(request.POST.getlist("ids"))
        if not ids:
            messages.warning(request, _("Select the groups to add %(name)s to first.") % {"name": person.display_name})
        else:
            joined = user_groups_join(user=person, actor=Actor.from_request(request), group_ids=ids)
            if joined:
                messages.success(request, ngettext("%(name)s was added to the group %(groups)s.",
                                                   "%(name)s was added to %(count)d groups: %(groups)s.", len(joined))
                                 % {"name": person.display_name, "count": len(joined),
                                    "groups": ", ".join(group.display_name for group in joined)})
            else:
                messages.info(request, _("%(name)s was already a member of the selected groups.")
                              % {"name": person.display_name})
            return _back_to_user(person)
    candidates = list(groups_to_join(tenant=request.tenant, user=person, search=search)[:CANDIDATES_SHOWN + 1])
    return render(request, "users/user_groups_add.html", {
        "person": person, "search": search, "candidates": candidates[:CANDIDATES_SHOWN],
        "more": len(candidates) > CANDIDATES_SHOWN, "shown": CANDIDATES_SHOWN,
        "has_groups": bool(candidates) or SecurityGroup.objects.filter(tenant=request.tenant).exists(),
    })


@require_perm(Perm.GROUPS_WRITE)
def user_group_remove_page(request, user_id, group_id):
    person = _live_user(request, user_id)
    group = tenant_object_or_404(SecurityGroup.objects.select_related("tenant"), request.tenant, pk=group_id)
    is_member = GroupMembership.objects.filter(tenant=request.tenant, group=group, user=person).exists()
    if not is_member:
        messages.info(request, _("%(name)s is not a member of %(group)s.")
                      % {"name": person.display_name, "group": group.display_name})
        return _back_to_user(person)
    if request.method == "POST":
        group_members_remove(group=group, actor=Actor.from_request(request), user_ids=[person.pk])
        messages.success(request, _("%(name)s was removed from %(group)s.")
                         % {"name": person.display_name, "group": group.display_name})
        return _back_to_user(person)
    return render(request, "users/user_group_remove.html", {
        "person": person, "group": group, "views": list(views_filtering_on(tenant=request.tenant, group=group)),
    })
