from django.urls import path

from billing import views
from tenantadmin.placeholders import placeholder
from tenantadmin.roles import Perm

app_name = "billing"

urlpatterns = [
    path("admin/subscriptions/", views.subscriptions, name="subscriptions"),
    path("admin/purchase/", placeholder("purchase", Perm.BILLING_WRITE), name="purchase"),
    path("admin/billing-history/", placeholder("billing_history", Perm.BILLING_READ), name="history"),
]
