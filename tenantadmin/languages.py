"""Language lists: business communications (per organization) and the portal's own UI."""

from django.utils.translation import gettext_lazy as _

# Languages the organization may choose for business communications (invoices, service mail).
COMMUNICATION_LANGUAGES = [
    ("en", _("English")),
    ("de", _("German")),
    ("nl", _("Dutch")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("it", _("Italian")),
    ("pt", _("Portuguese")),
    ("da", _("Danish")),
    ("sv", _("Swedish")),
    ("fi", _("Finnish")),
    ("nb", _("Norwegian")),
    ("pl", _("Polish")),
    ("ja", _("Japanese")),
    ("zh-hans", _("Chinese (Simplified)")),
]
