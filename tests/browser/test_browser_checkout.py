"""Browser journey in real headless Chromium: an admin adds a plan to the cart, goes through the checkout
wizard (licenses and address, card, review), places the order and sees the receipt and the subscription."""

import pytest

from billing.models import Order, Subscription
from tests.factories import PASSWORD, make_tenant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_checkout_with_a_card_creates_the_subscription(page, screenshot, live_server):
    tenant, admin = make_tenant("northwind", name="Northwind Traders")
    page.goto("/signin/")
    page.fill("#id_username", admin.upn)
    page.fill("#id_password", PASSWORD)
    page.click("#signin-form button[type=submit]")
    page.wait_for_url("**/admin/")

    page.goto("/admin/purchase/")
    screenshot("billing-purchase")
    page.click("#add-STANDARDPACK")
    page.wait_for_url("**/admin/purchase/cart/")
    page.click("#check-out")
    page.wait_for_url("**/admin/purchase/checkout/")
    assert "1. Details" in page.inner_text(".wizard-steps")
    page.fill("#id_quantity_0", "12")
    page.fill("#id_street", "1 Harbour Road")
    page.fill("#id_city", "Seattle")
    page.select_option("#id_country", "US")
    page.click("#checkout-details-next")
    page.wait_for_url("**/checkout/payment/")
    page.check("input[name=how][value=card]")
    page.fill("#id_number", "4000 0000 0000 0002")  # the test gateway's declined card
    page.fill("#id_exp_month", "12")
    page.fill("#id_exp_year", "2035")
    page.fill("#id_cvc", "123")
    page.fill("#id_holder_name", "Grace Admin")
    page.click("#checkout-payment-next")
    page.wait_for_url("**/checkout/review/")
    assert "1,152.00 USD" in page.inner_text("#order-total")  # 12 × 8.00 × 12 months, no US tax
    page.click("#place-order")
    page.wait_for_selector("#checkout-error")
    assert "declined" in page.inner_text("#checkout-error")
    assert not Order.objects.filter(tenant=tenant).exists()

    page.goto("/admin/purchase/checkout/payment/")
    page.check("input[name=how][value=card]")
    page.fill("#id_number", "4242 4242 4242 4242")
    page.fill("#id_exp_month", "12")
    page.fill("#id_exp_year", "2035")
    page.fill("#id_cvc", "123")
    page.fill("#id_holder_name", "Grace Admin")
    page.click("#checkout-payment-next")
    page.wait_for_url("**/checkout/review/")
    screenshot("billing-checkout-review")
    page.click("#place-order")
    page.wait_for_selector("#order-receipt")
    screenshot("billing-order-receipt")
    assert Order.objects.filter(tenant=tenant).count() == 1
    subscription = Subscription.objects.get(tenant=tenant, sku__part_number="STANDARDPACK")
    assert subscription.quantity == 12 and subscription.payment_method.last4 == "4242"

    page.goto("/admin/subscriptions/")
    assert "Office 365 Enterprise E1" in page.inner_text("#subscription-list")
