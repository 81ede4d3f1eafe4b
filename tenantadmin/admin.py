"""The staff site (/staff/) for the operator's support staff: organizations, audit log, jobs, apps.

Read-mostly: support looks things up. The few writes it offers go through services (or audit
themselves) so each organization's audit log shows what support changed.
"""

from django.contrib import admin
from django.db.models import Count, Q

from tenantadmin.actors import Actor
from tenantadmin.models import AppRegistration, AppSecret, AuditEvent, Job, ServiceSettings, Tenant
from tenantadmin.services.organization import organization_update

admin.site.site_header = "tenantadmin support"
admin.site.site_title = "tenantadmin support"
admin.site.index_title = "Organizations, people and the audit log"


class NoWrites:
    """Look, do not touch: the product's writes belong to its services, which audit them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(NoWrites, admin.ModelAdmin):
    pass


class ReadOnlyTabularInline(NoWrites, admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        # Unlike a change page, an inline still builds a form from its fields, and some are not editable.
        return self.fields


class ServiceSettingsInline(admin.StackedInline):
    model = ServiceSettings
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Other apps add their per-organization tables (domains, subscriptions) to the organization page
# from their own admin.py, so core never imports them (DESIGN: imports flow downward).
_tenant_inlines: list = []


def tenant_inline(inline_class):
    """Class decorator: show this inline on the organization page of the staff site."""
    _tenant_inlines.append(inline_class)
    return inline_class


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "initial_domain", "country", "created_at", "user_count")
    search_fields = ("name", "initial_domain", "=id")
    list_filter = ("country", "created_at")
    fields = ("id", "name", "initial_domain", "default_domain", "country", "preferred_language", "street", "city",
              "state", "postal_code", "phone", "technical_contact", "created_at")
    # default_domain must be a verified domain: organization admins pick it from their list.
    readonly_fields = ("id", "initial_domain", "default_domain", "country", "created_at")
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            live_users=Count("users", filter=Q(users__deleted_at__isnull=True)),
        )

    @admin.display(description="users", ordering="live_users")
    def user_count(self, tenant):
        return tenant.live_users

    def get_inlines(self, request, obj):
        return [ServiceSettingsInline, *_tenant_inlines]

    def has_add_permission(self, request):
        # Organizations come from sign-up or `manage.py create_tenant`, which create their domain and admin.
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # Through the service, so the organization's audit log names the support person.
        organization_update(tenant=obj, actor=Actor.from_request(request),
                            **{field: form.cleaned_data[field] for field in form.changed_data})


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "tenant", "actor_label", "action", "target_label")
    list_select_related = ("tenant",)
    search_fields = ("actor_label", "action", "target_label", "tenant__name")
    list_filter = ("actor_type",)
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("title", "tenant", "status", "progress", "created_at")
    list_select_related = ("tenant",)
    search_fields = ("title", "tenant__name", "=id")
    list_filter = ("status", "kind")
    show_full_result_count = False

    @admin.display(description="progress")
    def progress(self, job):
        return f"{job.percent}% ({job.done}/{job.total}, {job.failed} failed)"


class AppSecretInline(ReadOnlyTabularInline):
    model = AppSecret
    # The digest is never shown: with it, anyone could look for the secret offline.
    fields = ("display_name", "hint", "created_at", "expires_at", "revoked_at")


@admin.register(AppRegistration)
class AppRegistrationAdmin(ReadOnlyAdmin):
    list_display = ("display_name", "tenant", "client_id", "created_at")
    list_select_related = ("tenant",)
    search_fields = ("display_name", "=client_id", "tenant__name")
    fields = ("id", "display_name", "tenant", "client_id", "permissions", "created_by", "created_at")
    inlines = [AppSecretInline]
