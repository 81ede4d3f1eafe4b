"""Staff site: people of every organization, read-only apart from blocking and allowing sign-in."""

from django.contrib import admin, messages
from django.utils.translation import ngettext

from tenantadmin.actors import Actor
from tenantadmin.admin import ReadOnlyAdmin, ReadOnlyTabularInline
from users.models import RoleAssignment, User
from users.services import users_set_sign_in


class RoleAssignmentInline(ReadOnlyTabularInline):
    model = RoleAssignment
    fields = ("role", "created_at")


def _set_sign_in(request, queryset, *, allowed: bool) -> int:
    # Ids first: the changelist queryset may carry DISTINCT or joins that row locks refuse.
    return users_set_sign_in(user_ids=queryset.values_list("pk", flat=True), allowed=allowed,
                             actor=Actor.from_request(request))


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ("upn", "display_name", "tenant", "is_active", "is_staff", "roles", "created_at")
    list_select_related = ("tenant",)
    search_fields = ("upn", "display_name", "alternate_email")
    # No organization filter: on a large install its drop-down would list every organization;
    # searching for "@domain" finds an organization's people instead.
    list_filter = ("is_active", "is_staff", ("deleted_at", admin.EmptyFieldListFilter))
    show_full_result_count = False
    # The password hash is left out on purpose.
    fields = ("id", "upn", "display_name", "first_name", "last_name", "tenant", "job_title", "department",
              "usage_location", "alternate_email", "mobile_phone", "language", "is_active", "is_staff",
              "is_superuser", "must_change_password", "password_changed_at", "last_login", "created_at",
              "deleted_at")
    inlines = [RoleAssignmentInline]
    actions = ["block_sign_in", "allow_sign_in"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("role_assignments")

    @admin.display(description="roles")
    def roles(self, user):
        return ", ".join(sorted(str(assignment.get_role_display()) for assignment in user.role_assignments.all()))

    def has_sign_in_permission(self, request):
        return request.user.has_perm("users.change_user")

    @admin.action(description="Block sign-in", permissions=["sign_in"])
    def block_sign_in(self, request, queryset):
        changed = _set_sign_in(request, queryset, allowed=False)
        self.message_user(request, ngettext("%(count)d account blocked.", "%(count)d accounts blocked.", changed)
                          % {"count": changed}, messages.SUCCESS)

    @admin.action(description="Allow sign-in", permissions=["sign_in"])
    def allow_sign_in(self, request, queryset):
        changed = _set_sign_in(request, queryset, allowed=True)
        self.message_user(request, ngettext("%(count)d account allowed to sign in.",
                                            "%(count)d accounts allowed to sign in.", changed)
                          % {"count": changed}, messages.SUCCESS)
