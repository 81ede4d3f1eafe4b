"""Pages of areas whose full capability arrives in a later release.

Each says what the area is for and what will be possible, so the shell is complete and the role
and isolation tests already cover the URL.
"""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from tenantadmin.access import require_perm

AREAS = {
    "users": (_("Users"), _("Create, edit, block and delete the accounts of your organization, assign licenses and roles, and import many users from a CSV file."), [
        _("Standard and custom views, search and sorting at any size"),
        _("Create-user wizard, bulk edit, bulk import from CSV"),
        _("Deleted users: restore within 30 days"),
    ]),
    "groups": (_("Security groups"), _("Groups of users that views and policies can refer to."), [
        _("Create, edit and delete groups"), _("Add and remove members"),
    ]),
    "domains": (_("Domains"), _("Add your own domain names, prove you own them through DNS and let us host their DNS."), [
        _("Add a domain and verify it with a TXT or MX record"), _("Switch name servers and manage DNS records"),
        _("Troubleshoot a domain"),
    ]),
    "subscriptions": (_("Manage subscriptions"), _("Your subscriptions with their status, term and licenses."), [
        _("Change the number of licenses"), _("Payment details and partner of record"), _("Cancel and reactivate"),
    ]),
    "purchase": (_("Purchase"), _("Buy subscriptions or start trials of other plans."), [
        _("Add plans to the cart and check out by card or invoice"),
    ]),
    "billing_history": (_("Billing history"), _("Charges, orders and PDF invoices by billing period."), [
        _("Order details and official invoices"),
    ]),
    "licenses": (_("Licenses"), _("Licenses per plan: total, assigned and free."), [
        _("Find and resolve license conflicts"),
    ]),
    "support": (_("Support overview"), _("Help topics, service requests and whom to call."), [
        _("Search help"), _("Delegated administrators"), _("Billing and subscription phone numbers"),
    ]),
    "service_requests": (_("Service requests"), _("Ask the operator's support staff for help and follow the answers."), [
        _("Create a request with attachments"), _("Reply, add notes and close"),
    ]),
    "service_health": (_("Service health"), _("Today and the previous six days for every service you subscribe to."), [
        _("Incidents with their updates"), _("An RSS feed for your organization"),
    ]),
    "maintenance": (_("Planned maintenance"), _("Upcoming and past maintenance windows."), [
        _("Details and status of each window"),
    ]),
    "lync": (_("Instant messaging and meetings"), _("File transfer, audio and video, recording, external communications and dial-in conferencing."), [
        _("Organization-wide defaults"), _("Per-user features"), _("Dial-in conferencing numbers"),
    ]),
}


def placeholder(area: str, *perms):
    """A view for `area` guarded by `perms`."""
    title, intro, coming = AREAS[area]

    @require_perm(*perms)
    def view(request):
        return render(request, "tenantadmin/placeholder.html",
                      {"title": title, "intro": intro, "coming": coming, "area": area})

    view.__name__ = f"placeholder_{area}"
    return view
