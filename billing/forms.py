"""Input of the purchase, checkout and subscription pages: validation only, never a database write."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from billing.catalog import format_storage
from billing.models import PaymentMethod
from billing.subscription_services import PARTNER_ID

MAX_QUANTITY = 100000
CANCEL_REASONS = [
    ("", _("Choose a reason")),
    ("too_expensive", _("It costs too much")),
    ("not_needed", _("We no longer need it")),
    ("switching", _("We are moving to another plan or product")),
    ("missing_features", _("It lacks features we need")),
    ("other", _("Another reason")),
]


def _partner_id(value: str) -> str:
    value = (value or "").strip()
    if value and not PARTNER_ID.match(value):
        raise forms.ValidationError(_("A partner ID is 4 to 10 digits."))
    return value


class CheckoutDetailsForm(forms.Form):
    """Step 1: licenses per plan, the service usage address (defaults to the organization's) and a partner ID."""

    street = forms.CharField(label=_("Address"), max_length=1024)
    city = forms.CharField(label=_("City"), max_length=128)
    state = forms.CharField(label=_("State or province"), max_length=128, required=False)
    postal_code = forms.CharField(label=_("ZIP or postal code"), max_length=40, required=False)
    country = CountryField().formfield(label=_("Country or region"),
                                       help_text=_("Decides the tax rate and where the data is kept."))
    partner_id = forms.CharField(label=_("Partner ID (optional)"), max_length=10, required=False,
                                 help_text=_("If a partner helped you choose, enter their ID so they are the partner of record."))

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.item_fields = []
        for index, item in enumerate(items):
            name = f"quantity_{index}"
            limit = item.sku.max_seats or MAX_QUANTITY
            if item.sku.is_add_on:
                # Units of storage for the organization: no seat limit, nothing to do with the number of users.
                self.fields[name] = forms.IntegerField(
                    label=_("Units of %(plan)s") % {"plan": item.sku.name}, min_value=1, max_value=MAX_QUANTITY,
                    initial=item.quantity,
                    help_text=_("Each unit adds %(gb)s of storage for the whole organization.")
                    % {"gb": format_storage(item.sku.storage_gb_for(1))})
            else:
                self.fields[name] = forms.IntegerField(
                    label=_("Licenses of %(plan)s") % {"plan": item.sku.name}, min_value=1, max_value=limit,
                    initial=item.quantity,
                    help_text=(_("At most %(n)s for this plan.") % {"n": item.sku.max_seats}) if item.sku.max_seats else "")
            self.item_fields.append(name)
        self.order_fields(self.item_fields + ["street", "city", "state", "postal_code", "country", "partner_id"])

    def clean_partner_id(self):
        return _partner_id(self.cleaned_data.get("partner_id"))

    def quantities(self) -> list[int]:
        return [self.cleaned_data[name] for name in self.item_fields]

    def address(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("street", "city", "state", "postal_code")} | {
            "country": str(self.cleaned_data["country"])}


class CardFields(forms.Form):
    number = forms.CharField(label=_("Card number"), max_length=23, required=False,
                             widget=forms.TextInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}))
    exp_month = forms.IntegerField(label=_("Expiry month"), min_value=1, max_value=12, required=False)
    exp_year = forms.IntegerField(label=_("Expiry year"), min_value=2000, max_value=2100, required=False)
    cvc = forms.CharField(label=_("Security code"), max_length=4, required=False,
                          widget=forms.PasswordInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}))
    holder_name = forms.CharField(label=_("Name on card"), max_length=120, required=False)

    CARD_FIELDS = ("number", "exp_month", "exp_year", "cvc", "holder_name")

    def require_card(self):
        for name in self.CARD_FIELDS:
            if not self.cleaned_data.get(name):
                self.add_error(name, _("This field is required."))


class CardForm(CardFields):
    """Add a card."""

    def clean(self):
        cleaned = super().clean()
        self.require_card()
        return cleaned


class PaymentForm(CardFields):
    """Step 2: a saved card, a new card, or an invoice (PO number optional)."""

    CHOICES = [("saved", _("A saved card")), ("card", _("A new credit card")), ("invoice", _("Invoice (net 30)"))]
    how = forms.ChoiceField(label=_("Pay with"), choices=CHOICES, widget=forms.RadioSelect, initial="card")
    saved = forms.ModelChoiceField(label=_("Saved card"), queryset=PaymentMethod.objects.none(), required=False)
    po_number = forms.CharField(label=_("PO number (optional)"), max_length=40, required=False,
                                help_text=_("Printed on the invoice."))

    def __init__(self, *args, methods=None, **kwargs):
        super().__init__(*args, **kwargs)
        cards = methods.filter(kind=PaymentMethod.Kind.CARD) if methods is not None else PaymentMethod.objects.none()
        self.fields["saved"].queryset = cards
        if not cards.exists():
            self.fields["how"].choices = self.CHOICES[1:]

    def clean(self):
        cleaned = super().clean()
        how = cleaned.get("how")
        if how == "saved" and not cleaned.get("saved"):
            self.add_error("saved", _("Choose one of your saved cards."))
        if how == "card":
            self.require_card()
        return cleaned


class QuantityForm(forms.Form):
    quantity = forms.IntegerField(label=_("New total number of licenses"), min_value=1, max_value=MAX_QUANTITY)
    confirm_conflict = forms.BooleanField(
        label=_("I understand that users over the new total keep their licenses in a conflict until I remove licenses "
                "from them."), required=False)
    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, sku=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sku is not None and sku.is_add_on:
            # Storage units of the organization: no user holds them, so a decrease cannot cause a license conflict.
            self.fields["quantity"].label = _("New total number of units")
            self.fields["quantity"].help_text = _("Each unit is %(gb)s of storage for the whole organization.") % {
                "gb": format_storage(sku.storage_gb_for(1))}
            del self.fields["confirm_conflict"]


class CancelForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why are you cancelling?"), choices=CANCEL_REASONS)
    details = forms.CharField(label=_("Anything else we should know? (optional)"), required=False, max_length=200,
                              widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(label=_("I have removed our custom domains and saved the data we want to keep, "
                                         "or I know when it will be deleted."))

    def reason_text(self) -> str:
        label = dict(CANCEL_REASONS)[self.cleaned_data["reason"]]
        details = self.cleaned_data.get("details", "").strip()
        return f"{label}: {details}" if details else str(label)


class PartnerForm(forms.Form):
    partner_id = forms.CharField(label=_("Partner ID"), max_length=10, required=False,
                                 help_text=_("Leave empty to remove the partner of record."))

    def clean_partner_id(self):
        return _partner_id(self.cleaned_data.get("partner_id"))


class ChooseMethodForm(forms.Form):
    method = forms.ModelChoiceField(label=_("Payment method"), queryset=PaymentMethod.objects.none(), empty_label=None,
                                    widget=forms.RadioSelect)

    def __init__(self, *args, methods=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].queryset = methods


class CardEditForm(forms.Form):
    exp_month = forms.IntegerField(label=_("Expiry month"), min_value=1, max_value=12)
    exp_year = forms.IntegerField(label=_("Expiry year"), min_value=2000, max_value=2100)
    holder_name = forms.CharField(label=_("Name on card"), max_length=120)
