from django.urls import path

from billing import history_views, purchase_views, views

app_name = "billing"

urlpatterns = [
    path("admin/subscriptions/", views.subscriptions, name="subscriptions"),
    path("admin/subscriptions/services/", views.services, name="services"),
    path("admin/subscriptions/<uuid:subscription_id>/", views.subscription, name="subscription"),
    path("admin/subscriptions/<uuid:subscription_id>/licenses/", views.subscription_quantity, name="subscription_quantity"),
    path("admin/subscriptions/<uuid:subscription_id>/cancel/", views.subscription_cancel_view, name="subscription_cancel"),
    path("admin/subscriptions/<uuid:subscription_id>/reactivate/", views.subscription_reactivate_view,
         name="subscription_reactivate"),
    path("admin/subscriptions/<uuid:subscription_id>/renew/", views.subscription_renew_view, name="subscription_renew"),
    path("admin/subscriptions/<uuid:subscription_id>/payment/", views.subscription_payment, name="subscription_payment"),
    path("admin/subscriptions/<uuid:subscription_id>/partner/", views.subscription_partner, name="subscription_partner"),
    path("admin/subscriptions/<uuid:subscription_id>/buy/", purchase_views.buy_now, name="buy_now"),
    path("admin/payment-methods/<uuid:payment_method_id>/", views.card_edit, name="card_edit"),
    path("admin/payment-methods/<uuid:payment_method_id>/remove/", views.card_remove_view, name="card_remove"),
    path("admin/purchase/", purchase_views.purchase, name="purchase"),
    path("admin/purchase/cart/", purchase_views.cart, name="cart"),
    path("admin/purchase/checkout/", purchase_views.checkout, name="checkout"),
    path("admin/purchase/checkout/payment/", purchase_views.checkout_payment, name="checkout_payment"),
    path("admin/purchase/checkout/review/", purchase_views.checkout_review, name="checkout_review"),
    path("admin/billing-history/", history_views.history, name="history"),
    path("admin/billing-history/orders/<uuid:order_id>/", history_views.order, name="order"),
    path("admin/billing-history/orders/<uuid:order_id>/invoice.pdf", history_views.order_invoice, name="order_invoice"),
]
