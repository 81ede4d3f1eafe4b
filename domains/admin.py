"""Staff site: domains of every organization (read-only; adding and verifying is the admins' job)."""

from django.contrib import admin

from domains.models import Domain
from tenantadmin.admin import ReadOnlyAdmin, ReadOnlyTabularInline, tenant_inline


@tenant_inline
class DomainInline(ReadOnlyTabularInline):
    model = Domain
    fields = ("name", "status", "is_initial", "created_at", "verified_at")
    show_change_link = True


@admin.register(Domain)
class DomainAdmin(ReadOnlyAdmin):
    list_display = ("name", "tenant", "status", "hosting", "push_state", "is_initial", "created_at", "verified_at")
    list_select_related = ("tenant",)
    search_fields = ("name",)
    list_filter = ("status", "hosting", "push_state", "services_check_state", "is_initial")
    show_full_result_count = False
