"""Subscription pages. Purchases, changes, invoices and the lifecycle arrive with the billing issue."""

from django.shortcuts import render

from billing.selectors import subscription_list
from tenantadmin.access import require_perm
from tenantadmin.roles import Perm


@require_perm(Perm.BILLING_READ)
def subscriptions(request):
    return render(request, "billing/subscriptions.html", {"subscriptions": subscription_list(tenant=request.tenant)})
