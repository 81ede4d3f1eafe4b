"""Forms of the domain pages: input validation and layout only."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from domains.models import DnsRecord


class AddDomainForm(forms.Form):
    name = forms.CharField(
        label=_("Domain name"), max_length=300,
        help_text=_("The name you registered, such as contoso.com. International names (bücher.de) are accepted."),
        widget=forms.TextInput(attrs={"autofocus": True, "placeholder": "contoso.com", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "add-domain"
        self.helper.layout = Layout("name", Submit("submit", _("Next")))


class DnsRecordForm(forms.Form):
    """A custom record; the rules (CNAME alone at its name, bounds, addresses) are checked by the service."""

    type = forms.ChoiceField(label=_("Type"), choices=DnsRecord.Type.choices)
    name = forms.CharField(label=_("Host name"), max_length=253, initial="@",
                           help_text=_("@ for the domain itself, or a name such as www or _sip._tls."))
    value = forms.CharField(label=_("Value"), max_length=2048,
                            help_text=_("A/AAAA: an IP address. CNAME, MX, SRV: a host name. TXT: the text."))
    priority = forms.IntegerField(label=_("Priority"), required=False,
                                  help_text=_("MX and SRV only: 0 to 65535; lower is preferred."))
    weight = forms.IntegerField(label=_("Weight"), required=False, help_text=_("SRV only: 0 to 65535."))
    port = forms.IntegerField(label=_("Port"), required=False, help_text=_("SRV only: 1 to 65535."))
    ttl = forms.IntegerField(label=_("TTL (seconds)"), initial=3600,
                             help_text=_("How long other servers keep the answer: 300 to 604800 seconds."))

    def __init__(self, *args, record=None, **kwargs):
        if record is not None:
            kwargs.setdefault("initial", {f: getattr(record, f) for f in
                                          ("type", "name", "value", "priority", "weight", "port", "ttl")})
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "dns-record"
        self.helper.layout = Layout("type", "name", "value", "priority", "weight", "port", "ttl",
                                    Submit("submit", _("Save")))


class WebsiteForm(forms.Form):
    where = forms.ChoiceField(label=_("Where is the website?"), widget=forms.RadioSelect, choices=[
        ("hosted", _("Our public website (we publish the records)")),
        ("external", _("At another web host")),
        ("none", _("No website on this domain")),
    ])
    ip_address = forms.GenericIPAddressField(
        label=_("The website's static IP address"), required=False,
        help_text=_("Used for the A record of the domain itself (contoso.com)."))
    host_name = forms.CharField(
        label=_("The website's host name"), required=False, max_length=253,
        help_text=_("Recommended: www points here with a CNAME record."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "website"
        self.helper.layout = Layout("where", "ip_address", "host_name", Submit("submit", _("Save")))
