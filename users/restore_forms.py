"""The restore form: the choices a conflict needs (SPEC users/ "Conflicts on restore") and the licenses
to give back. Validation and layout only; users.lifecycle_services writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from users.models import ALIAS_MAX_LENGTH
from users.services import alias_errors

KEEP, RENAME, REPLACE = "keep", "rename", "replace"


class RestoreForm(forms.Form):
    name_choice = forms.ChoiceField(
        label=_("The user name is taken"), widget=forms.RadioSelect, required=False,
        choices=[(RENAME, _("Restore with a new user name")),
                 (REPLACE, _("Replace the account that uses this user name (that account is deleted instead)"))])
    new_alias = forms.CharField(label=_("New user name"), max_length=ALIAS_MAX_LENGTH, required=False)
    new_domain = forms.ChoiceField(label=_("Domain"), required=False)
    drop_proxy_conflicts = forms.BooleanField(
        label=_("Restore without the e-mail addresses listed above"), required=False)
    licenses = forms.MultipleChoiceField(
        label=_("Licenses to give back"), widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("The licenses this user held when deleted. Plans without a free license cannot be chosen."))

    def __init__(self, *args, plan, domains, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["new_domain"].choices = [(name, name) for name in domains]
        self.fields["new_domain"].initial = plan.user.domain if plan.user.domain in domains else None
        self.fields["new_alias"].initial = plan.user.alias
        self.fields["licenses"].choices = [(str(held.sku.pk), held.sku.name) for held in plan.held if held.free > 0]
        self.fields["licenses"].initial = [choice for choice, _label in self.fields["licenses"].choices]
        if plan.upn_taken_elsewhere:
            self.fields["name_choice"].choices = self.fields["name_choice"].choices[:1]

    def clean(self):
        data = super().clean()
        choice = data.get("name_choice") or KEEP
        if self.plan.upn_taken_by is not None and choice == KEEP:
            self.add_error("name_choice", _("Choose how to restore: a new user name, or replace the other account."))
        if choice == RENAME:
            alias = (data.get("new_alias") or "").strip()
            for message in alias_errors(alias.lower()):
                self.add_error("new_alias", message)
            if not data.get("new_domain"):
                self.add_error("new_domain", _("Choose a domain."))
        # Replacing frees the replaced account's addresses; the service re-checks what is still taken then.
        if self.plan.proxy_conflicts and choice != REPLACE and not data.get("drop_proxy_conflicts"):
            self.add_error("drop_proxy_conflicts",
                           _("These addresses are used by other accounts now; the user can only be restored without them."))
        data["name_choice"] = choice
        return data
