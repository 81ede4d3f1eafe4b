"""Staff site: the plan catalog (operators maintain it here or in the catalog file), every organization's
subscriptions, orders and payment methods, and the credit-check desk (approve or decline waiting orders)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from billing.models import Order, OrderLine, PaymentMethod, Sku, Subscription
from billing.services import order_credit_check_decide
from tenantadmin.actors import Actor
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
    list_display = ("name", "part_number", "max_seats", "is_small_business", "trial_available", "trial_units", "is_offered")
    search_fields = ("name", "part_number")
    readonly_fields = ("id",)


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("sku", "tenant", "status", "is_trial", "quantity", "created_at", "ends_at")
    list_select_related = ("sku", "tenant")
    search_fields = ("tenant__name", "tenant__initial_domain", "sku__part_number")
    list_filter = ("status", "is_trial", "sku")
    show_full_result_count = False


class OrderLineInline(ReadOnlyTabularInline):
    model = OrderLine
    fields = ("sku", "description", "quantity", "unit_price", "months", "amount")


def _decide(request, queryset, approved: bool):
    actor = Actor.for_user(request.user)
    done = 0
    for order in queryset.select_related("tenant"):
        try:
            order_credit_check_decide(order=order, approved=approved, actor=actor)
            done += 1
        except ValidationError as error:
            messages.warning(request, f"#{order.number} ({order.tenant}): {' '.join(error.messages)}")
    return done


@admin.action(description=_("Approve the credit check (the licenses are provisioned)"))
def approve_credit_check(modeladmin, request, queryset):
    modeladmin.message_user(request, _("%(n)s orders approved.") % {"n": _decide(request, queryset, True)})


@admin.action(description=_("Decline the credit check"))
def decline_credit_check(modeladmin, request, queryset):
    modeladmin.message_user(request, _("%(n)s orders declined.") % {"n": _decide(request, queryset, False)})


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("number", "tenant", "kind", "status", "placed_at", "total", "currency", "payment_label", "po_number")
    list_select_related = ("tenant",)
    list_filter = ("status", "kind", "payment_kind")
    search_fields = ("tenant__name", "tenant__initial_domain", "po_number")
    inlines = [OrderLineInline]
    actions = [approve_credit_check, decline_credit_check]
    show_full_result_count = False


@admin.register(PaymentMethod)
class PaymentMethodAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "tenant", "kind", "created_by", "created_at", "removed_at")
    list_select_related = ("tenant", "created_by")
    exclude = ("gateway_token",)
    search_fields = ("tenant__name", "last4")
