"""Graph's /v1.0/directory/subscriptions (companySubscription) and our /v1.0/tenantadmin/billing/orders with
the PDF invoices (Graph has no billing orders: same conventions under /v1.0/tenantadmin, SPEC API).
Mounted by tenantadmin.api.app, which finds this module."""

import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import reverse
from ninja import Router
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from billing.access import api_lock_message, billing_lock
from billing.models import Order, Subscription
from billing.pdf import invoice_pdf
from billing.subscription_services import quantity_change, quantity_quote, subscription_cancel, subscription_reactivate
from tenantadmin.access import tenant_object_or_404
from tenantadmin.api.auth import require_any
from tenantadmin.api.errors import GraphError, not_found
from tenantadmin.api.odata import Field as ODataField
from tenantadmin.api.odata import parse_query
from tenantadmin.api.shapes import (
    COLLECTION_OPTIONS, SELECT_ONLY, GraphSchema, collection_of, graph_openapi, iso, odata_collection, odata_entity,
)
from tenantadmin.api.tokens import DIRECTORY_SCOPE
from tenantadmin.roles import Perm

router = Router(tags=["Subscriptions and billing"], by_alias=True)

SUBSCRIPTIONS_READ = ("Organization.Read.All", "Directory.Read.All", "Billing.Read.All")
ORDERS_READ = ("Billing.Read.All",)
SUBSCRIPTION_TYPE = "microsoft.graph.companySubscription"
STATUS_NAMES = {Subscription.Status.ENABLED: "Enabled", Subscription.Status.WARNING: "Warning",
                Subscription.Status.SUSPENDED: "Suspended", Subscription.Status.DELETED: "Deleted"}

SUBSCRIPTION_FIELDS = {
    "id": ODataField("pk", kind="guid", sortable=False),
    "skuId": ODataField("sku_id", kind="guid", sortable=False),
    "skuPartNumber": ODataField("sku__part_number"),
    "status": SELECT_ONLY,
    "totalLicenses": ODataField("quantity", kind="int"),
    "isTrial": ODataField("is_trial", kind="bool"),
    "createdDateTime": ODataField("created_at", kind="datetime"),
    "nextLifecycleDateTime": SELECT_ONLY,
    "serviceStatus": SELECT_ONLY,
    "ownerId": SELECT_ONLY,
    "ownerType": SELECT_ONLY,
    "commerceSubscriptionId": SELECT_ONLY,
}
ORDER_FIELDS = {
    "id": ODataField("pk", kind="guid", sortable=False),
    "number": ODataField("number", kind="int"),
    "placedDateTime": ODataField("placed_at", kind="datetime"),
    "kind": ODataField("kind"),
    "status": ODataField("status"),
    "currency": ODataField("currency"),
    "poNumber": ODataField("po_number"),
    "subtotal": SELECT_ONLY, "taxRate": SELECT_ONLY, "tax": SELECT_ONLY, "total": SELECT_ONLY,
    "paymentKind": SELECT_ONLY, "paymentDescription": SELECT_ONLY, "partnerId": SELECT_ONLY,
    "dueDateTime": SELECT_ONLY, "paidDateTime": SELECT_ONLY, "lines": SELECT_ONLY, "invoiceUrl": SELECT_ONLY,
}


class ServicePlanStatus(GraphSchema):
    service_plan_id: str
    service_plan_name: str
    provisioning_status: str
    applies_to: str


class CompanySubscription(GraphSchema):
    id: str
    commerce_subscription_id: str
    sku_id: str
    sku_part_number: str
    status: str
    total_licenses: int
    is_trial: bool
    created_date_time: str
    next_lifecycle_date_time: str | None
    owner_id: str
    owner_type: str
    service_status: list[ServicePlanStatus]


class OrderLineShape(GraphSchema):
    sku_id: str
    sku_part_number: str
    subscription_id: str | None
    description: str
    quantity: int
    unit_price: str
    months: str
    amount: str


class BillingOrder(GraphSchema):
    id: str
    number: int
    kind: str
    status: str
    placed_date_time: str
    currency: str
    subtotal: str
    tax_rate: str
    tax: str
    total: str
    payment_kind: str
    payment_description: str
    po_number: str
    partner_id: str
    due_date_time: str | None
    paid_date_time: str | None
    invoice_url: str
    lines: list[OrderLineShape]


def _require(request, permissions: tuple[str, ...], perm: Perm) -> None:
    """An app holding one of `permissions`, or a person's directory-scoped token whose role holds `perm`
    now (the same right the portal page asks for)."""
    if request.api_user is None:
        require_any(request, *permissions)
    elif DIRECTORY_SCOPE not in request.api_scopes or perm not in request.api_user.admin_perms:
        raise PermissionDenied


def _pk(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise not_found() from None


def subscription_shape(subscription: Subscription) -> dict:
    suspended = subscription.status in (Subscription.Status.SUSPENDED, Subscription.Status.DELETED)
    return {
        "id": str(subscription.pk),
        "commerceSubscriptionId": str(subscription.pk),
        "skuId": str(subscription.sku_id),
        "skuPartNumber": subscription.sku.part_number,
        "status": STATUS_NAMES.get(subscription.status, "LockedOut"),
        "totalLicenses": subscription.quantity,
        "isTrial": subscription.is_trial,
        "createdDateTime": iso(subscription.created_at),
        "nextLifecycleDateTime": iso(subscription.next_lifecycle_at()),
        "ownerId": str(subscription.tenant_id),
        "ownerType": "Company",
        "serviceStatus": [{"servicePlanId": plan["servicePlanId"], "servicePlanName": plan["servicePlanName"],
                           "provisioningStatus": "Disabled" if suspended else "Success",
                           "appliesTo": "Company" if subscription.sku.is_add_on else "User"}
                          for plan in subscription.sku.service_plans],
    }


def _money(value) -> str:
    return f"{value:f}"


def order_shape(order: Order) -> dict:
    return {
        "id": str(order.pk), "number": order.number, "kind": order.kind, "status": order.status,
        "placedDateTime": iso(order.placed_at), "currency": order.currency, "subtotal": _money(order.subtotal),
        "taxRate": _money(order.tax_rate), "tax": _money(order.tax), "total": _money(order.total),
        "paymentKind": order.payment_kind, "paymentDescription": order.payment_label, "poNumber": order.po_number,
        "partnerId": order.partner_id, "dueDateTime": iso(order.due_at), "paidDateTime": iso(order.paid_at),
        "invoiceUrl": settings.PUBLIC_URL + reverse("tenantadmin-api:billing_order_invoice", args=[order.pk]),
        "lines": [{"skuId": str(line.sku_id), "skuPartNumber": line.sku.part_number,
                   "subscriptionId": str(line.subscription_id) if line.subscription_id else None,
                   "description": line.description, "quantity": line.quantity, "unitPrice": _money(line.unit_price),
                   "months": _money(line.months), "amount": _money(line.amount)} for line in order.lines.all()],
    }


@router.get("/directory/subscriptions", response=collection_of(CompanySubscription, "CompanySubscriptionCollection"),
            summary="List the organization's subscriptions", openapi_extra=graph_openapi(*COLLECTION_OPTIONS))
def subscription_list(request):
    """Graph's companySubscription: `status` Enabled, Warning, Suspended, Deleted (or LockedOut),
    `nextLifecycleDateTime` when the subscription next renews or changes state. Permissions:
    Organization.Read.All, Directory.Read.All or Billing.Read.All, or a person whose role reads billing."""
    _require(request, SUBSCRIPTIONS_READ, Perm.BILLING_READ)
    query = parse_query(request.GET, SUBSCRIPTION_FIELDS, default_order=[("createdDateTime", False)],
                        type_name=SUBSCRIPTION_TYPE)
    subscriptions = Subscription.objects.filter(tenant=request.tenant).select_related("sku")
    return odata_collection(request, subscriptions, query, fields=SUBSCRIPTION_FIELDS, name="directory/subscriptions",
                            salt="api.billing.subscriptions", serialize=subscription_shape)


@router.get("/directory/subscriptions/{subscription_id}", response=CompanySubscription,
            summary="Get one subscription", openapi_extra=graph_openapi("select"))
def subscription_get(request, subscription_id: str):
    _require(request, SUBSCRIPTIONS_READ, Perm.BILLING_READ)
    query = parse_query(request.GET, SUBSCRIPTION_FIELDS, type_name=SUBSCRIPTION_TYPE)
    item = tenant_object_or_404(Subscription.objects.select_related("sku"), request.tenant, pk=_pk(subscription_id))
    return odata_entity("directory/subscriptions", subscription_shape(item), query.select)


@router.get("/tenantadmin/billing/orders", response=collection_of(BillingOrder, "BillingOrderCollection"),
            summary="List orders (purchases, changes, renewals) with their invoices",
            openapi_extra=graph_openapi(*COLLECTION_OPTIONS))
def order_list(request):
    """Newest first by default. Amounts are decimal strings in the order's currency. Permission: Billing.Read.All,
    or a person whose role reads billing."""
    _require(request, ORDERS_READ, Perm.BILLING_READ)
    query = parse_query(request.GET, ORDER_FIELDS, default_order=[("placedDateTime", True)], type_name="tenantadmin.order")
    orders = Order.objects.filter(tenant=request.tenant).prefetch_related("lines__sku")
    return odata_collection(request, orders, query, fields=ORDER_FIELDS, name="tenantadmin/billing/orders",
                            salt="api.billing.orders", serialize=order_shape)


@router.get("/tenantadmin/billing/orders/{order_id}", response=BillingOrder, summary="Get one order",
            openapi_extra=graph_openapi("select"))
def order_get(request, order_id: str):
    _require(request, ORDERS_READ, Perm.BILLING_READ)
    query = parse_query(request.GET, ORDER_FIELDS, type_name="tenantadmin.order")
    item = tenant_object_or_404(Order.objects.prefetch_related("lines__sku"), request.tenant, pk=_pk(order_id))
    return odata_entity("tenantadmin/billing/orders", order_shape(item), query.select)


@router.get("/tenantadmin/billing/orders/{order_id}/invoice.pdf", url_name="billing_order_invoice",
            summary="Download the order's PDF invoice", openapi_extra=graph_openapi(),
            response={200: None})
def order_invoice(request, order_id: str):
    _require(request, ORDERS_READ, Perm.BILLING_READ)
    item = tenant_object_or_404(Order.objects.select_related("tenant").prefetch_related("lines"), request.tenant,
                                pk=_pk(order_id))
    response = HttpResponse(invoice_pdf(item), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="invoice-{item.number}.pdf"'
    return response


# --- Changes (SPEC: everything in the portal is also reachable by programs) ---------------------------------
SUBSCRIPTIONS_WRITE = ("Billing.ReadWrite.All",)
WRITES = "/tenantadmin/billing/subscriptions/{subscription_id}"


class QuantityChange(BaseModel):
    """Every property is optional in the schema so another organization's id is a 404 whatever the body says."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)
    quantity: int | None = None
    confirm_license_conflict: bool = False
    preview: bool = False
    idempotency_key: str = Field("", max_length=64)


class Cancellation(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)
    reason: str = Field("", max_length=300)


def _writable(request, subscription_id: str) -> Subscription:
    """The subscription to change: 404 for another organization's, 403 without the right, and 403 naming the
    partner when the organization bought through one (SPEC billing/ "Partners"; the partner changes billing)."""
    item = tenant_object_or_404(Subscription.objects.select_related("sku", "payment_method"), request.tenant,
                                pk=_pk(subscription_id))
    _require(request, SUBSCRIPTIONS_WRITE, Perm.BILLING_WRITE)
    partner = billing_lock(tenant=request.tenant, actor=request.actor)
    if partner is not None:
        raise GraphError(403, "Authorization_RequestDenied", api_lock_message(partner))
    return item


@router.post(f"{WRITES}/changeQuantity", summary="Change the number of licenses (prorated)",
             openapi_extra=graph_openapi())
def subscription_change_quantity(request, subscription_id: str, body: QuantityChange):
    """`{"quantity": 15, "preview": true}` answers the prorated charge (negative: a credit) without changing
    anything; without `preview` the change is charged to the subscription's payment method and the order is
    returned. A decrease needs `"confirmLicenseConflict": true` (not for an add-on such as extra storage, whose
    `quantity` is units of the organization: it is refused below the storage in use instead). Send an `idempotencyKey` to make a retry safe.
    Permission: Billing.ReadWrite.All, or a person whose role changes billing. An organization that bought
    through a partner gets 403 Authorization_RequestDenied naming the partner to contact (reading stays allowed)."""
    item = _writable(request, subscription_id)
    if body.quantity is None:
        raise GraphError(400, "BadRequest", "quantity: This field is required.")
    if body.preview:
        quote = quantity_quote(subscription=item, new_quantity=body.quantity)
        return {"currency": quote.currency, "subtotal": _money(quote.subtotal), "taxRate": _money(quote.tax_rate),
                "tax": _money(quote.tax), "total": _money(quote.total),
                "lines": [{"description": line.description, "quantity": line.quantity, "amount": _money(line.amount),
                           "months": _money(line.months)} for line in quote.lines]}
    order = quantity_change(subscription=item, new_quantity=body.quantity, actor=request.actor,
                            conflict_confirmed=body.confirm_license_conflict, idempotency_key=body.idempotency_key)
    return odata_entity("tenantadmin/billing/orders", order_shape(Order.objects.prefetch_related("lines__sku")
                                                                  .get(pk=order.pk)), None, status=201)


@router.post(f"{WRITES}/cancel", summary="Cancel at the end of the term", openapi_extra=graph_openapi())
def subscription_cancel_route(request, subscription_id: str, body: Cancellation):
    """The subscription stays Enabled until `nextLifecycleDateTime`, then is disabled; its data is deleted 90 days
    later. `reason` is required. Permission: Billing.ReadWrite.All."""
    item = _writable(request, subscription_id)
    item = subscription_cancel(subscription=item, reason=body.reason, actor=request.actor)
    return odata_entity("directory/subscriptions", subscription_shape(item), None)


@router.post(f"{WRITES}/reactivate", summary="Undo a cancellation before it takes effect",
             openapi_extra=graph_openapi())
def subscription_reactivate_route(request, subscription_id: str):
    item = _writable(request, subscription_id)
    item = subscription_reactivate(subscription=item, actor=request.actor)
    return odata_entity("directory/subscriptions", subscription_shape(item), None)


# Partners and delegated administrators have their own module; tenantadmin.api.app mounts one router per app, and
# ninja does not mount routers nested two deep, so its paths join this router's (they share none with it).
from billing import api_partners  # noqa: E402

router.path_operations.update(api_partners.router.path_operations)
