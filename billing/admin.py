"""Staff site: the plan catalog (operators maintain it here) and every organization's subscriptions."""

from django.contrib import admin

from billing.models import Sku, Subscription
from tenantadmin.admin import ReadOnlyAdmin, ReadOnlyTabularInline, tenant_inline


@tenant_inline
class SubscriptionInline(ReadOnlyTabularInline):
    model = Subscription
    fields = ("sku", "status", "is_trial", "quantity", "created_at", "ends_at")
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sku")


@admin.register(Sku)
class SkuAdmin(admin.ModelAdmin):
    list_display = ("name", "part_number", "max_seats", "is_small_business", "trial_available", "trial_units")
    search_fields = ("name", "part_number")
    readonly_fields = ("id",)


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("sku", "tenant", "status", "is_trial", "quantity", "created_at", "ends_at")
    list_select_related = ("sku", "tenant")
    search_fields = ("tenant__name", "tenant__initial_domain", "sku__part_number")
    list_filter = ("status", "is_trial", "sku")
    show_full_result_count = False
