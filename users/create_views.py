"""The create-user wizard: Details → Settings → Assign licenses → Send results → Results.

The answers of each step live in the session; nothing is written until the last step, which is one atomic
service call (`user_create`). The generated temporary password travels to the Results page in the session and is
removed as that page shows it: it is never in a URL and cannot be shown again.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _, gettext_lazy as _lazy

from billing.models import Sku
from domains.models import Domain
from tenantadmin.access import require_perm
from tenantadmin.actors import Actor
from tenantadmin.forms import apply_service_errors
from tenantadmin.roles import Perm, Role
from users.create_forms import DetailsForm, LicensesForm, SendForm, SettingsForm, split_addresses
from users.licenses import license_units
from users.models import User
from users.services import DETAIL_FIELDS, can_assign_roles, user_create

SESSION_KEY = "users.create.wizard"
RESULT_KEY = "users.create.result"
STEPS = [("details", _lazy("Details")), ("settings", _lazy("Settings")), ("licenses", _lazy("Assign licenses")),
         ("send", _lazy("Send results")), ("results", _lazy("Results"))]
STEP_KEYS = [key for key, _label in STEPS]
# Where a service error on a field sends the admin back to.
FIELD_STEPS = {**{name: "details" for name in ("alias", "domain", "display_name", *DETAIL_FIELDS)},
               "role": "settings", "alternate_email": "settings", "usage_location": "settings",
               "licenses": "licenses", "skus": "licenses", "notify": "send"}


def verified_domains(tenant) -> list[str]:
    """Domains a user name may use: verified and not on their way out."""
    return list(tenant.domains.filter(verified_at__isnull=False).exclude(status=Domain.Status.PENDING_DELETION)
                .order_by("-is_initial", "name").values_list("name", flat=True))


def _wizard(request) -> dict:
    return request.session.get(SESSION_KEY) or {}


def _save(request, key: str, data: dict) -> None:
    wizard = _wizard(request)
    wizard[key] = data
    # Later steps depend on earlier answers (free licenses by location), so they are checked again on the way.
    request.session[SESSION_KEY] = wizard


def _form(request, key: str, data=None):
    tenant = request.tenant
    initial = _wizard(request).get(key, {})
    if key == "details":
        return DetailsForm(data, initial=initial, tenant=tenant, domains=verified_domains(tenant))
    if key == "settings":
        initial = initial or {"usage_location": tenant.country.code if tenant.country else ""}
        return SettingsForm(data, initial=initial, may_assign_roles=can_assign_roles(Actor.from_request(request)))
    if key == "licenses":
        location = _wizard(request).get("settings", {}).get("usage_location", "")
        return LicensesForm(data, initial=initial, units=license_units(tenant=tenant), location=location)
    # The admin's own alternate address is the usual first recipient (the seed's wizard offers it too).
    return SendForm(data, initial=initial or {"notify": request.user.alternate_email})


def _stored(form, key: str) -> dict:
    data = dict(form.cleaned_data)
    if key == "send":
        data["notify"] = form.data.get("notify", "")
    return data


def _render(request, key: str, form, status=200):
    wizard = _wizard(request)
    context = {"form": form, "step": key, "steps": STEPS, "step_index": STEP_KEYS.index(key), "wizard": wizard}
    if key == "licenses":
        units = license_units(tenant=request.tenant)
        context["no_free"] = not form.units
        context["has_plans"] = bool(units)
    if key == "send":
        context["summary"] = _summary(request, wizard)
    return render(request, f"users/create/{key}.html", context, status=status)


def _summary(request, wizard: dict) -> dict:
    details, settings_, licenses = wizard.get("details", {}), wizard.get("settings", {}), wizard.get("licenses", {})
    skus = Sku.objects.filter(pk__in=licenses.get("skus", [])).order_by("name")
    return {"upn": f"{details.get('alias', '').lower()}@{details.get('domain', '')}",
            "display_name": details.get("display_name", ""),
            "role": Role(settings_["role"]).label if settings_.get("role") in Role.values else "",
            "location": settings_.get("usage_location", ""), "licenses": [sku.name for sku in skus]}


def _first_missing(request, key: str) -> str | None:
    wizard = _wizard(request)
    for earlier in STEP_KEYS[:STEP_KEYS.index(key)]:
        if earlier not in wizard:
            return earlier
    return None


@require_perm(Perm.USERS_WRITE)
def create_start(request):
    """Start over: a fresh wizard."""
    request.session.pop(SESSION_KEY, None)
    return redirect("users:create_details")


def _step_view(key: str):
    @require_perm(Perm.USERS_WRITE)
    def view(request):
        missing = _first_missing(request, key)
        if missing:
            return redirect(f"users:create_{missing}")
        if request.method != "POST":
            return _render(request, key, _form(request, key))
        form = _form(request, key, request.POST)
        index = STEP_KEYS.index(key)
        if "back" in request.POST:
            if form.is_valid():
                _save(request, key, _stored(form, key))
            return redirect(f"users:create_{STEP_KEYS[index - 1]}") if index else redirect("users:create_details")
        if not form.is_valid():
            return _render(request, key, form)
        _save(request, key, _stored(form, key))
        if key == "send":
            return _finish(request)
        return redirect(f"users:create_{STEP_KEYS[index + 1]}")

    view.__name__ = f"create_{key}"
    view.__doc__ = f"Wizard step “{key}”."
    return view


create_details = _step_view("details")
create_settings = _step_view("settings")
create_licenses = _step_view("licenses")
create_send = _step_view("send")


def _finish(request):
    """The one write: every answer goes to user_create in one transaction, or nothing is created."""
    wizard = _wizard(request)
    details, settings_ = wizard["details"], wizard["settings"]
    send = wizard.get("send", {})
    role = settings_.get("role", "")
    skus = list(Sku.objects.filter(pk__in=wizard.get("licenses", {}).get("skus", [])))
    values = {name: details.get(name, "") for name in DETAIL_FIELDS}
    try:
        user, password = user_create(
            tenant=request.tenant, actor=Actor.from_request(request), alias=details["alias"], domain=details["domain"],
            display_name=details["display_name"], roles=[role] if role else [],
            alternate_email=settings_.get("alternate_email", ""), usage_location=settings_.get("usage_location", ""),
            licenses=skus, notify=split_addresses(send.get("notify", "")) if send.get("send") else [], **values)
    except ValidationError as error:
        fields = list(getattr(error, "error_dict", {}) or ["__all__"])
        key = next((FIELD_STEPS[name] for name in fields if name in FIELD_STEPS), "send")
        form = _form(request, key, _bound_data(wizard.get(key, {}), key))
        form.is_valid()
        apply_service_errors(form, _renamed(error))
        messages.error(request, _("The user was not created. Correct the highlighted field and continue."))
        return _render(request, key, form)
    request.session.pop(SESSION_KEY, None)
    request.session[RESULT_KEY] = {"user_id": str(user.pk), "password": password,
                                   "notified": split_addresses(send.get("notify", "")) if send.get("send") else []}
    return redirect("users:create_results")


def _renamed(error: ValidationError) -> ValidationError:
    """The service calls the licenses field `licenses`; the form calls it `skus`."""
    if hasattr(error, "error_dict") and "licenses" in error.error_dict:
        return ValidationError({("skus" if name == "licenses" else name): value for name, value in error.error_dict.items()})
    return error


def _bound_data(stored: dict, key: str) -> dict:
    """A step's stored answers as POST data, to show a service error on the field it belongs to."""
    data = {}
    for name, value in stored.items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    if key == "licenses":
        return MultiValueDict({"skus": stored.get("skus", [])})
    return data


@require_perm(Perm.USERS_WRITE)
def create_results(request):
    """Shows the new account and its temporary password once; a reload shows that it is gone."""
    result = request.session.pop(RESULT_KEY, None)
    person = None
    if result:
        person = User.objects.filter(tenant=request.tenant, pk=result["user_id"]).prefetch_related(
            "licenses__sku", "role_assignments").first()
    return render(request, "users/create/results.html", {
        "result": result if person else None, "person": person, "steps": STEPS, "step_index": len(STEPS) - 1,
        "step": "results", "list_url": reverse("users:list")})
