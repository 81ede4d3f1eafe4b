"""Billing history: the current bill, billing periods (calendar months, UTC) with their orders, an order's
details and its official PDF invoice."""

from datetime import UTC, datetime

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode

from billing.models import Order
from billing.pdf import invoice_pdf
from billing.selectors import open_invoices, order_list
from tenantadmin.access import require_perm, tenant_object_or_404
from tenantadmin.paging import CursorError, keyset_page
from tenantadmin.roles import Perm

PAGE_SIZE = 50


def _period(value: str | None):
    """The first moment of a 'YYYY-MM' month (UTC) and of the month after, or the current month."""
    try:
        start = datetime.strptime(value or "", "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        now = timezone.now().astimezone(UTC)
        start = datetime(now.year, now.month, 1, tzinfo=UTC)
    end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return start, end


@require_perm(Perm.BILLING_READ)
def history(request):
    start, end = _period(request.GET.get("period"))
    periods = list(Order.objects.filter(tenant=request.tenant).annotate(month=TruncMonth("placed_at", tzinfo=UTC))
                   .values("month", "currency").annotate(total=Sum("total"), orders=Count("pk")).order_by("-month", "currency"))
    try:
        page = keyset_page(order_list(tenant=request.tenant, since=start, until=end),
                           order=[("placed_at", True), ("number", True)], size=PAGE_SIZE,
                           cursor=request.GET.get("after"), salt="billing.history")
    except CursorError:
        page = keyset_page(order_list(tenant=request.tenant, since=start, until=end),
                           order=[("placed_at", True), ("number", True)], size=PAGE_SIZE, cursor=None,
                           salt="billing.history")
    unpaid = list(open_invoices(tenant=request.tenant))
    totals = {}
    for order in page.items:
        totals[order.currency] = totals.get(order.currency, 0) + order.total
    return render(request, "billing/history.html", {
        "periods": periods, "period_start": start, "page": page, "open_invoices": unpaid,
        "period_totals": sorted(totals.items()), "filter_query": urlencode({"period": start.strftime("%Y-%m")}),
        "is_first_page": not request.GET.get("after"), "now": timezone.now()})


@require_perm(Perm.BILLING_READ)
def order(request, order_id):
    item = tenant_object_or_404(Order.objects.prefetch_related("lines__sku"), request.tenant, pk=order_id)
    return render(request, "billing/order.html", {"order": item, "lines": list(item.lines.all()),
                                                  "placed": request.GET.get("placed") == "1"})


@require_perm(Perm.BILLING_READ)
def order_invoice(request, order_id):
    item = tenant_object_or_404(Order.objects.select_related("tenant").prefetch_related("lines"), request.tenant, pk=order_id)
    response = HttpResponse(invoice_pdf(item), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="invoice-{item.number}.pdf"'
    return response
