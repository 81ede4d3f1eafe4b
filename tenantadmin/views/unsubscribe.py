"""The unsubscribe link of product mail: public, no sign-in, the signed token is the credential."""

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from tenantadmin.actors import client_ip
from tenantadmin.mail import (
    ESSENTIAL, InvalidUnsubscribeLink, categories_stopped_by, mail_suppressed_categories, mail_unsubscribe,
    unsubscribe_read,
)


# No CSRF token: only the mail's recipient knows the signed link, so a forged request cannot
# name it, and mail programs' one-click unsubscribe (RFC 8058) POSTs without one.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET only shows what the link does (mail scanners follow links); POST unsubscribes."""
    try:
        tenant, email, category = unsubscribe_read(token)
    except InvalidUnsubscribeLink:
        return render(request, "tenantadmin/unsubscribe_invalid.html", status=400)
    context = {"org": tenant, "email": email, "stops": categories_stopped_by(category),
               "from_account_mail": category == ESSENTIAL}
    if request.method == "POST":
        mail_unsubscribe(tenant=tenant, email=email, category=category, ip_address=client_ip(request))
        return render(request, "tenantadmin/unsubscribe_done.html", context)
    already = {str(c) for c in context["stops"]} <= mail_suppressed_categories(tenant=tenant, email=email)
    return render(request, "tenantadmin/unsubscribe.html", {**context, "already": already})
