import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Sku(models.Model):
    """A plan that can be bought: the service plans it bundles, prices per currency and its seat limit.

    Rows come from the catalog file (billing/catalog.py); the staff site may adjust them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # Graph's skuId
    part_number = models.CharField(_("part number"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    # [{"servicePlanId": "...", "servicePlanName": "EXCHANGE_S_STANDARD", "displayName": "Exchange Online"}]
    service_plans = models.JSONField(default=list)
    max_seats = models.PositiveIntegerField(_("maximum seats"), null=True, blank=True)
    # Small-business plans only accept second-level domains (SPEC domains/ "Add a domain").
    is_small_business = models.BooleanField(default=False)
    trial_available = models.BooleanField(default=True)
    trial_units = models.PositiveIntegerField(default=25)
    # {"USD": "20.00", "JPY": "2180"}: price per license per month; no price in a currency = not sold there.
    prices = models.JSONField(_("monthly prices"), default=dict, blank=True)
    is_offered = models.BooleanField(_("offered for purchase"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class AppliesTo(models.TextChoices):
        """Graph's subscribedSku.appliesTo: "User" plans are licenses assigned to people; "Company" plans are
        add-ons the organization as a whole holds (never assigned to anyone)."""

        USER = "user", _("Users (a license per person)")
        COMPANY = "company", _("The organization (an add-on)")

    applies_to = models.CharField(_("applies to"), max_length=10, choices=AppliesTo.choices, default=AppliesTo.USER)
    # Organization storage quota = the largest base of the plans held + licenses × per license + add-on units × per
    # unit (SPEC billing/ "storage add-ons"; the services summary shows it).
    storage_base_gb = models.PositiveIntegerField(_("organization storage (GB)"), default=0,
                                                  help_text=_("Storage the organization gets once while it holds the plan."))
    storage_gb_per_license = models.DecimalField(_("storage per license (GB)"), max_digits=8, decimal_places=2,
                                                 default=Decimal(0))
    storage_gb_per_unit = models.PositiveIntegerField(_("storage per unit (GB)"), default=0,
                                                      help_text=_("Add-ons: the extra storage each unit bought adds."))
    # Add-ons: part numbers of the base plans one of which the organization must hold (active and paid) to buy it.
    requires_one_of = models.JSONField(_("requires one of"), default=list, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self):
        return self.name

    @property
    def is_add_on(self) -> bool:
        return self.applies_to == self.AppliesTo.COMPANY

    def monthly_price(self, currency: str) -> Decimal | None:
        price = (self.prices or {}).get(currency)
        return None if price is None else Decimal(str(price))

    def storage_gb_for(self, quantity: int) -> Decimal:
        """Storage `quantity` licenses (or add-on units) of this plan add to the organization's quota."""
        per = self.storage_gb_per_unit if self.is_add_on else self.storage_gb_per_license
        return Decimal(per or 0) * quantity


class PaymentMethod(models.Model):
    """A card (only brand, last four digits and expiry: never the number) or payment by invoice."""

    class Kind(models.TextChoices):
        CARD = "card", _("Credit card")
        INVOICE = "invoice", _("Invoice")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="payment_methods")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    brand = models.CharField(_("card brand"), max_length=20, blank=True)
    last4 = models.CharField(_("last four digits"), max_length=4, blank=True)
    exp_month = models.PositiveSmallIntegerField(null=True, blank=True)
    exp_year = models.PositiveSmallIntegerField(null=True, blank=True)
    holder_name = models.CharField(_("name on card"), max_length=120, blank=True)
    # The gateway's reference for the card; it never contains the number.
    gateway_token = models.CharField(max_length=100, blank=True)
    # Only the administrator who added a card may edit it (SPEC billing/ "payment details").
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["tenant", "created_at"], name="payment_method_tenant")]
        verbose_name = _("payment method")

    def __str__(self):
        if self.kind == self.Kind.INVOICE:
            return str(_("Invoice"))
        return f"{self.brand} •••• {self.last4} ({self.exp_month:02d}/{self.exp_year})"


class Subscription(models.Model):
    """N licenses of one plan held by an organization, for a yearly term (or a trial)."""

    class Status(models.TextChoices):
        ENABLED = "enabled", _("Active")
        WARNING = "warning", _("Expired (grace period)")
        SUSPENDED = "suspended", _("Disabled")
        DELETED = "deleted", _("Deleted")

    class Reason(models.TextChoices):
        """Why a subscription left Active (drives the wording of mails and banners)."""

        NONE = "", _("None")
        TRIAL_ENDED = "trial_ended", _("The trial ended")
        PAYMENT_FAILED = "payment_failed", _("The renewal payment failed")
        # An add-on reached its renewal while no active plan it needs was held: storage without a plan is not sold.
        BASE_PLAN_ENDED = "base_plan_ended", _("The plan this add-on needs is no longer active")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="subscriptions")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ENABLED)
    is_trial = models.BooleanField(_("trial"), default=False)
    quantity = models.PositiveIntegerField(_("licenses"))
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    # End of the trial or of the current yearly term: the next renewal (or expiry) date.
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    term_started_at = models.DateTimeField(_("term started"), null=True, blank=True)
    # The price locked for the term (SPEC: the renewal price never increases before the anniversary).
    unit_price = models.DecimalField(_("price per license per month"), max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    payment_method = models.ForeignKey(PaymentMethod, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    partner_id = models.CharField(_("partner of record"), max_length=40, blank=True)
    # The partner that sold this subscription (its people bought it while acting as delegated
    # administrators). SPEC: an organization that bought through a partner cannot change billing itself.
    reseller = models.ForeignKey("tenantadmin.Tenant", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("bought through"))
    auto_renew = models.BooleanField(_("renews automatically"), default=True)
    # Cancellation: requested now, effective at the end of the term (ends_at), reversible until then.
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    status_reason = models.CharField(max_length=20, choices=Reason.choices, blank=True, default="")
    status_changed_at = models.DateTimeField(null=True, blank=True)
    data_deleted_at = models.DateTimeField(null=True, blank=True)
    # Last reminder mail while expired or disabled (SPEC: admins keep getting mails), one a week.
    reminded_at = models.DateTimeField(null=True, blank=True)
    service_address = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["tenant", "status"], name="subscription_tenant_status"),
            # The lifecycle sweep reads only the subscriptions whose next date has come.
            models.Index(fields=["status", "ends_at"], name="subscription_status_ends"),
        ]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self):
        return f"{self.sku.name} × {self.quantity}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancel_requested_at is not None

    def next_lifecycle_at(self):
        """When the lifecycle workers next act on this subscription (Graph's nextLifecycleDateTime)."""
        if self.status == self.Status.ENABLED:
            return self.ends_at
        if self.status == self.Status.WARNING and self.status_changed_at:
            return self.status_changed_at + timedelta(days=settings.BILLING_WARNING_DAYS)
        if self.status == self.Status.SUSPENDED and self.status_changed_at:
            days = (settings.BILLING_DATA_RETENTION_DAYS if self.status_reason == self.Reason.CANCELLED
                    else settings.BILLING_SUSPENDED_DAYS)
            return self.status_changed_at + timedelta(days=days)
        return None


class InvoiceCounter(models.Model):
    """Per organization, the last invoice number used. The checkout locks this row, so numbers have no
    gaps and no duplicates however many orders are placed at once (a rolled-back order frees its number)."""

    tenant = models.OneToOneField("tenantadmin.Tenant", primary_key=True, on_delete=models.CASCADE, related_name="+")
    last_number = models.PositiveIntegerField(default=0)


class Order(models.Model):
    """A purchase, a conversion, a quantity change or a renewal: what was charged and how."""

    class Kind(models.TextChoices):
        PURCHASE = "purchase", _("Purchase")
        CONVERSION = "conversion", _("Trial converted")
        QUANTITY = "quantity", _("Change of licenses")
        RENEWAL = "renewal", _("Renewal")

    class Status(models.TextChoices):
        COMPLETED = "completed", _("Completed")
        CREDIT_CHECK = "credit_check", _("Waiting for the credit check")
        DECLINED = "declined", _("Credit check declined")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="orders")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.COMPLETED)
    # Gapless per organization; set when the order is placed (a credit note for a decrease too).
    number = models.PositiveIntegerField(_("invoice number"))
    idempotency_key = models.CharField(max_length=64, blank=True)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    placed_by_label = models.CharField(max_length=300, blank=True)
    placed_at = models.DateTimeField(_("ordered"))
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=14, decimal_places=2)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2)
    tax = models.DecimalField(max_digits=14, decimal_places=2)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    payment_kind = models.CharField(max_length=10, choices=PaymentMethod.Kind.choices, blank=True)
    payment_method = models.ForeignKey(PaymentMethod, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    payment_label = models.CharField(max_length=80, blank=True)  # "Visa •••• 4242", kept if the card goes
    gateway_reference = models.CharField(max_length=100, blank=True)
    po_number = models.CharField(_("PO number"), max_length=40, blank=True)
    partner_id = models.CharField(_("partner ID"), max_length=40, blank=True)
    # Set when a delegated administrator of a partner placed the order on the customer's behalf.
    placed_by_partner = models.ForeignKey("tenantadmin.Tenant", null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+", verbose_name=_("placed by partner"))
    service_address = models.JSONField(default=dict)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)  # invoices: net 30
    paid_at = models.DateTimeField(null=True, blank=True)
    credit_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="order_tenant_number"),
            # A double-submitted checkout finds the first order instead of placing a second one.
            models.UniqueConstraint(fields=["tenant", "idempotency_key"], condition=~Q(idempotency_key=""),
                                    name="order_tenant_idempotency"),
        ]
        indexes = [models.Index(fields=["tenant", "placed_at", "number"], name="order_tenant_placed")]
        verbose_name = _("order")

    def __str__(self):
        return f"#{self.number}"

    @property
    def is_credit(self) -> bool:
        return self.total < 0


class OrderLine(models.Model):
    """One plan on an order: unit price × licenses for the months charged."""

    tenant = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    subscription = models.ForeignKey(Subscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="order_lines")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=200)
    quantity = models.IntegerField()  # negative for a decrease (a credit)
    # A quantity the subscription gets once the order completes (a new purchase waiting for a credit check).
    target_quantity = models.PositiveIntegerField(null=True, blank=True)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)  # per license per month
    months = models.DecimalField(max_digits=8, decimal_places=4)  # 12, or the prorated rest of the term
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["id"]


class PartnerProfile(models.Model):
    """An organization the operator enrolled as a partner: it can resell, be partner of record and be
    invited by customers' global admins as a delegated administrator (SPEC billing "Partners")."""

    tenant = models.OneToOneField("tenantadmin.Tenant", primary_key=True, on_delete=models.CASCADE,
                                  related_name="partner_profile")
    # The ID customers type at checkout or as partner of record.
    partner_id = models.CharField(_("partner ID"), max_length=40, unique=True)
    # Shown to customers that bought through this partner: whom to contact about billing.
    support_email = models.EmailField(_("support e-mail address"), blank=True)
    support_phone = models.CharField(_("support phone"), max_length=40, blank=True)
    support_url = models.URLField(_("support website"), blank=True)
    enrolled_at = models.DateTimeField(_("enrolled"), auto_now_add=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self):
        return f"{self.partner_id}"


class DelegatedAdminInvitation(models.Model):
    """A partner's invitation to become delegated administrator of a customer, sent as a link by mail."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the customer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Withdrawn")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The partner that sends it (the owner: only the partner lists its invitations).
    tenant = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("customer e-mail address"))
    message = models.CharField(_("message"), max_length=500, blank=True)
    # SHA-256 of the secret in the link; the secret itself exists only in the mail.
    token_digest = models.CharField(max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_by_label = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent"))
    expires_at = models.DateTimeField(_("expires"))
    # The customer whose global admin answered, and who answered.
    customer = models.ForeignKey("tenantadmin.Tenant", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    responded_by_label = models.CharField(max_length=300, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="dap_invitation_tenant_sent")]
        verbose_name = _("delegated administrator invitation")
        verbose_name_plural = _("delegated administrator invitations")

    def __str__(self):
        return self.email


class DelegatedAdminRelationship(models.Model):
    """A partner acting as administrator of a customer, from the customer's acceptance until removal."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        REMOVED = "removed", _("Removed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The customer (the owner: the customer sees and removes its delegated administrators).
    tenant = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="delegated_admins")
    partner = models.ForeignKey("tenantadmin.Tenant", on_delete=models.CASCADE, related_name="delegated_customers")
    invitation = models.ForeignKey(DelegatedAdminInvitation, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("since"))
    accepted_by_label = models.CharField(_("accepted by"), max_length=300, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by_label = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partner"], condition=Q(status="active"),
                                    name="dap_one_active_per_partner"),
        ]
        indexes = [
            models.Index(fields=["tenant", "status"], name="dap_customer_status"),
            models.Index(fields=["partner", "status"], name="dap_partner_status"),
        ]
        verbose_name = _("delegated administrator")
        verbose_name_plural = _("delegated administrators")

    def __str__(self):
        return f"{self.partner_id} → {self.tenant_id}"
