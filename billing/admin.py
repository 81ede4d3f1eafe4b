"""Staff site: the plan catalog (operators maintain it here or in the catalog file), every organization's
subscriptions, orders and payment methods, the credit-check desk (approve or decline waiting orders), and
partners: enrolment (how the operator makes an organization a partner), their invitations and the delegated
administrator relationships (which support can end)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from billing.models import (
    DelegatedAdminInvitation, DelegatedAdminRelationship, Order, OrderLine, PartnerProfile, PaymentMethod, Sku,
    Subscription,
)
from billing.partner_services import partner_profile_save, partner_unenrol, relationship_remove
from billing.services import order_credit_check_decide
from tenantadmin.actors import Actor
from tenantadmin.admin import ReadOnlyAdmin, ReadOnlyTabularInline, tenant_inline


@tenant_inline
class SubscriptionInline(ReadOnlyTabularInline):
    model = Subscription
    fk_name = "tenant"  # the owner; `reseller` is the partner that sold it
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


# --- Partners ------------------------------------------------------------------------------------------------

@admin.register(PartnerProfile)
class PartnerProfileAdmin(admin.ModelAdmin):
    """Enrolling an organization here makes it a partner: it gets the Partner pages (Customers, Invitations).
    Saving and deleting go through the partner services, so the organization's audit log shows it; deleting
    ends every customer relationship and withdraws pending invitations."""

    list_display = ("partner_id", "tenant", "support_email", "support_phone", "enrolled_at")
    list_select_related = ("tenant",)
    search_fields = ("partner_id", "tenant__name", "tenant__initial_domain")
    autocomplete_fields = ("tenant",)
    readonly_fields = ("enrolled_at",)
    actions = None  # bulk delete would skip the service
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_readonly_fields(self, request, obj=None):
        # The organization of an existing partner never changes: enrol the other organization instead.
        return ("tenant", "enrolled_at") if obj is not None else ("enrolled_at",)

    def save_model(self, request, obj, form, change):
        partner_profile_save(profile=obj, actor=Actor.for_user(request.user), changed=list(form.changed_data))

    def delete_model(self, request, obj):
        removed = partner_unenrol(profile=obj, actor=Actor.for_user(request.user))
        self.message_user(request, _("%(partner)s is no longer a partner; %(n)s customer relationships were ended.")
                          % {"partner": obj.tenant.name, "n": removed})


@admin.register(DelegatedAdminInvitation)
class DelegatedAdminInvitationAdmin(ReadOnlyAdmin):
    list_display = ("email", "tenant", "status", "created_at", "expires_at", "customer", "responded_at")
    list_select_related = ("tenant", "customer")
    list_filter = ("status",)
    search_fields = ("email", "tenant__name", "customer__name")
    exclude = ("token_digest",)
    show_full_result_count = False


@admin.action(description=_("Remove the delegated administrator (the partner's people lose access at once)"))
def remove_relationship(modeladmin, request, queryset):
    actor = Actor.for_user(request.user)
    done = 0
    for relationship in queryset.filter(status=DelegatedAdminRelationship.Status.ACTIVE).select_related("tenant"):
        relationship_remove(tenant=relationship.tenant, actor=actor, relationship_id=relationship.pk)
        done += 1
    modeladmin.message_user(request, _("%(n)s delegated administrators removed.") % {"n": done})


@admin.register(DelegatedAdminRelationship)
class DelegatedAdminRelationshipAdmin(ReadOnlyAdmin):
    list_display = ("partner", "tenant", "status", "created_at", "accepted_by_label", "removed_at")
    list_select_related = ("tenant", "partner")
    list_filter = ("status",)
    search_fields = ("tenant__name", "partner__name", "tenant__initial_domain")
    actions = [remove_relationship]
    show_full_result_count = False
