"""Security group pages: the list, create/edit, delete with confirmation, and the members page (add, remove)."""


from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.http import require_POST

from tenantadmin.access import has_perm, require_perm, tenant_object_or_404
from tenantadmin.actors import Actor
from tenantadmin.forms import apply_service_errors, posted_ids
from tenantadmin.paging import CursorError, keyset_page
from tenantadmin.roles import Perm
from users.group_forms import GroupForm
from users.group_selectors import group_list, group_members, member_candidates, views_filtering_on
from users.group_services import group_create, group_delete, group_members_add, group_members_remove, group_update
from users.models import GroupMembership, SecurityGroup

PAGE_SIZE = 50
CANDIDATES_SHOWN = 25
ORDER = [("display_name", False)]


def _group(request, group_id) -> SecurityGroup:
    return tenant_object_or_404(SecurityGroup.objects.select_related("tenant"), request.tenant, pk=group_id)


def _page(request, queryset, salt):
    """A keyset page of `queryset` by name; a bad page link starts again at the first page."""
    cursor = request.GET.get("after")
    try:
        return keyset_page(queryset, order=ORDER, size=PAGE_SIZE, cursor=cursor, salt=salt), not cursor
    except CursorError:
        messages.warning(request, _("That page link is no longer valid; showing the first page."))
        return keyset_page(queryset, order=ORDER, size=PAGE_SIZE, cursor=None, salt=salt), True



@require_perm(Perm.USERS_READ)
def groups_page(request):
    search = request.GET.get("q", "").strip()
    page, is_first_page = _page(request, group_list(tenant=request.tenant, search=search), "users.groups")
    return render(request, "users/groups/list.html", {
        "page": page, "groups": page.items, "search": search, "is_first_page": is_first_page,
        "filter_query": urlencode({"q": search}) if search else "", "can_write": has_perm(request, Perm.GROUPS_WRITE),
    })


@require_perm(Perm.GROUPS_WRITE)
def group_create_page(request):
    form = GroupForm(request.POST or None, submit_label=_("Create group"))
    if request.method == "POST" and form.is_valid():
        try:
            group = group_create(tenant=request.tenant, actor=Actor.from_request(request), **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The group %(name)s was created. Add its members now.") % {"name": group.display_name})
            return redirect("users:group_members_add", group.pk)
    return render(request, "users/groups/form.html", {"form": form, "group": None})


@require_perm(Perm.GROUPS_WRITE)
def group_edit_page(request, group_id):
    group = _group(request, group_id)
    form = GroupForm(request.POST or None, initial={"display_name": group.display_name, "description": group.description})
    if request.method == "POST" and form.is_valid():
        try:
            group_update(group=group, actor=Actor.from_request(request), **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The group %(name)s was saved.") % {"name": group.display_name})
            return redirect("users:group_members", group.pk)
    return render(request, "users/groups/form.html", {"form": form, "group": group})


@require_perm(Perm.GROUPS_WRITE)
def group_delete_page(request, group_id):
    group = _group(request, group_id)
    if request.method == "POST":
        lost = group_delete(group=group, actor=Actor.from_request(request))
        text = _("The group %(name)s was deleted.") % {"name": group.display_name}
        if lost["views"]:
            text += " " + ngettext("The custom view %(names)s was deleted with it.",
                                   "The custom views %(names)s were deleted with it.",
                                   len(lost["views"])) % {"names": ", ".join(lost["views"])}
        messages.success(request, text)
        return redirect("users:groups")
    members = GroupMembership.objects.filter(tenant=request.tenant, group=group, user__deleted_at__isnull=True).count()
    return render(request, "users/groups/delete.html", {
        "group": group, "members": members, "views": list(views_filtering_on(tenant=request.tenant, group=group)),
    })


@require_perm(Perm.USERS_READ)
def group_members_page(request, group_id):
    group = _group(request, group_id)
    search = request.GET.get("q", "").strip()
    page, is_first_page = _page(request, group_members(tenant=request.tenant, group=group, search=search),
                                f"users.group_members:{group.pk}")
    return render(request, "users/groups/members.html", {
        "group": group, "page": page, "members": page.items, "search": search, "is_first_page": is_first_page,
        "filter_query": urlencode({"q": search}) if search else "", "can_write": has_perm(request, Perm.GROUPS_WRITE),
    })


@require_perm(Perm.GROUPS_WRITE)
def group_members_add_page(request, group_id):
    group = _group(request, group_id)
    if request.method == "POST":
        ids = posted_ids(request.POST.getlist("ids"))
        if not ids:
            messages.warning(request, _("Select the users to add first."))
            return redirect(f"{request.path}?{urlencode({'q': request.POST.get('q', '')})}")
        added = group_members_add(group=group, actor=Actor.from_request(request), user_ids=ids)
        messages.success(request, ngettext("%(count)d member was added to %(name)s.",
                                           "%(count)d members were added to %(name)s.", len(added))
                         % {"count": len(added), "name": group.display_name})
        return redirect("users:group_members", group.pk)
    search = request.GET.get("q", "").strip()
    candidates = []
    if search:
        # A search is required: listing every user of a large organization here would help nobody.
        candidates = list(member_candidates(tenant=request.tenant, group=group, search=search)
                          .order_by("display_name", "pk")[:CANDIDATES_SHOWN + 1])
    return render(request, "users/groups/add_members.html", {
        "group": group, "search": search, "candidates": candidates[:CANDIDATES_SHOWN],
        "more": len(candidates) > CANDIDATES_SHOWN, "shown": CANDIDATES_SHOWN,
    })


@require_POST
@require_perm(Perm.GROUPS_WRITE)
def group_members_remove_page(request, group_id):
    group = _group(request, group_id)
    ids = posted_ids(request.POST.getlist("ids"))
    if not ids:
        messages.warning(request, _("Select the members to remove first."))
    else:
        removed = group_members_remove(group=group, actor=Actor.from_request(request), user_ids=ids)
        messages.success(request, ngettext("%(count)d member was removed from %(name)s.",
                                           "%(count)d members were removed from %(name)s.", removed)
                         % {"count": removed, "name": group.display_name})
    return redirect("users:group_members", group.pk)
