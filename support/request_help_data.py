"""Support overview content (SPEC support/ "Support overview"): help topics searched by words, and the billing
and subscription phone numbers by country. Kept here as data so support staff can change them in one place."""

from django.utils.translation import gettext_lazy as _

# (title, summary, extra search words, URL name of the portal page that solves it)
HELP_TOPICS = [
    (_("Add a user"), _("Create an account, choose its licenses and send the password."),
     "new user account create person employee", "users:create"),
    (_("Add many users at once"), _("Import users from a CSV file."), "bulk import csv upload many users",
     "users:import"),
    (_("Reset a user's password"), _("Open the user and reset the password; the new one can be sent by e-mail."),
     "password reset forgot sign-in", "users:list"),
    (_("Password expiration policy"), _("Choose after how many days passwords expire, or that they never do."),
     "password expire expiry policy days", "users:password_policy"),
    (_("Unblock a user who cannot sign in"), _("See the accounts locked after failed sign-ins and unlock them."),
     "locked lockout sign-in blocked unlock", "users:signin_locks"),
    (_("Restore a deleted user"), _("Deleted users can be restored for 30 days."), "deleted restore undelete user",
     "users:list"),
    (_("Assign licenses"), _("See which users have which licenses and assign or remove them."),
     "license licenses assign plan seats", "users:licenses"),
    (_("Security groups"), _("Create groups and manage their members."), "group groups members security",
     "users:groups"),
    (_("Add your domain"), _("Use your own domain name for e-mail addresses and sign-in."),
     "domain custom dns verify txt mx", "domains:add"),
    (_("Fix DNS records of a domain"), _("Check which DNS records are missing or wrong for each domain."),
     "dns records mx cname troubleshoot domain health", "domains:list"),
    (_("Buy a subscription or more licenses"), _("Choose a plan, the number of licenses and pay."),
     "buy purchase plan subscription licenses order", "billing:purchase"),
    (_("Cancel or renew a subscription"), _("Open the subscription to cancel it, reactivate it or renew it."),
     "cancel renew reactivate subscription plan", "billing:subscriptions"),
    (_("Invoices and billing history"), _("Your current bill, past orders and their PDF invoices."),
     "invoice bill billing history receipt order pdf", "billing:history"),
    (_("Change the organization's address or contact"), _("Edit the organization profile."),
     "organization profile address phone technical contact", "tenantadmin:organization"),
    (_("Turn on POP or IMAP access"), _("Open a service request: support enables POP access for the mailboxes "
                                        "you name, or for all."), "pop imap outlook mail access", "support:request_new"),
    (_("Transfer account ownership"), _("Open a service request to move the organization to a new owner."),
     "transfer ownership owner account", "support:request_new"),
    (_("Is a service down?"), _("Service health shows today and the last six days for every service."),
     "outage down incident health status not working", "support:health"),
    (_("Planned maintenance"), _("Upcoming and past maintenance windows."), "maintenance window planned",
     "support:maintenance"),
    (_("See who changed what"), _("The audit log lists every administrative change."), "audit log history changes",
     "tenantadmin:audit_log"),
    (_("Let a partner manage your organization"), _("Delegated administrators: partners acting as your admins."),
     "partner delegated administrator reseller", "partners:delegated_admins"),
]

# Billing and subscription support by country or region code; "" is the number for every other country.
PHONE_NUMBERS = {
    "US": ("+1 800 555 0199", _("Monday to Friday, 6:00–18:00 Pacific time")),
    "CA": ("+1 800 555 0198", _("Monday to Friday, 8:00–20:00 Eastern time")),
    "GB": ("+44 800 555 0101", _("Monday to Friday, 8:00–18:00")),
    "IE": ("+353 1 555 0102", _("Monday to Friday, 8:00–18:00")),
    "DE": ("+49 800 555 0103", _("Monday to Friday, 8:00–18:00")),
    "AT": ("+43 800 555 0104", _("Monday to Friday, 8:00–18:00")),
    "CH": ("+41 800 555 0105", _("Monday to Friday, 8:00–18:00")),
    "NL": ("+31 800 555 0106", _("Monday to Friday, 9:00–17:00")),
    "BE": ("+32 800 555 0107", _("Monday to Friday, 9:00–17:00")),
    "FR": ("+33 800 555 0108", _("Monday to Friday, 9:00–18:00")),
    "AU": ("+61 1800 555 010", _("Monday to Friday, 8:00–18:00 AEST")),
    "": ("+1 425 555 0100", _("Monday to Friday, 6:00–18:00 Pacific time (international)")),
}


def _words(text: str) -> set[str]:
    return {w for w in "".join(ch.lower() if ch.isalnum() else " " for ch in text).split() if w}


def search_topics(query: str, limit: int = 8) -> list[dict]:
    """Topics matching every word of `query` (prefixes count), best matches first; all topics for no query."""
    wanted = _words(query)
    found = []
    for index, (title, summary, keywords, url_name) in enumerate(HELP_TOPICS):
        title_words = _words(str(title))
        haystack = title_words | _words(str(summary)) | _words(keywords)
        if wanted and not all(any(h.startswith(w) for h in haystack) for w in wanted):
            continue
        score = sum(1 for w in wanted if any(t.startswith(w) for t in title_words))
        found.append((-score, index, {"title": title, "summary": summary, "url_name": url_name}))
    found.sort(key=lambda item: item[:2])
    return [item[2] for item in found[:limit]] if wanted else [item[2] for item in found]


def phone_numbers(country_code: str) -> list[dict]:
    """Every number, the organization's country first (or the international number if its country has none)."""
    from django_countries import countries

    rows = []
    for code, (number, hours) in PHONE_NUMBERS.items():
        name = str(countries.name(code)) if code else str(_("All other countries and regions"))
        rows.append({"code": code, "country": name, "number": number, "hours": hours})
    own = country_code if country_code in PHONE_NUMBERS else ""
    rows.sort(key=lambda row: (row["code"] != own, row["code"] == "", row["country"]))
    return rows
