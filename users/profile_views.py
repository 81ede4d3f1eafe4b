"""My profile: every member's self-service pages.

Each tab is its own URL: GET shows the tab, POST saves its form through one service and comes
back to it, so a form with errors is shown in place with everything the person typed.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from tenantadmin.access import require_member, tenant_object_or_404
from tenantadmin.actors import Actor
from tenantadmin.forms import apply_service_errors
from users.license_status import license_statuses, service_statuses
from users.models import ContactPreferences, UserPhoto
from users.photos import PhotoUploadHandler, photo_url, too_large_message
from users.profile_forms import TIME_ZONE_LIST_ID, AlternateEmailForm, ContactForm, DetailsForm, PhotoForm, RegionalForm
from users.profile_services import (
    email_inside_organization, profile_alternate_email_update, profile_contact_update, profile_details_update,
    profile_photo_remove, profile_photo_set, profile_regional_update, time_zone_names,
)

# A photo URL carries a version that changes with every upload, so browsers may keep it a day.
PHOTO_MAX_AGE_SECONDS = 24 * 3600


@require_member
def profile(request):
    return _details_tab(request)


@require_member
def profile_details(request):
    if request.method != "POST":
        return _details_tab(request)
    form = DetailsForm(request.POST)
    if _saved(request, form, profile_details_update):
        messages.success(request, _("Your display name was saved."))
        return redirect("users:profile")
    return _details_tab(request, details_form=form)


@require_member
@csrf_exempt  # checked by _profile_photo_upload, once the upload handler is in place (Django's documented pattern)
def profile_photo(request):
    if request.method != "POST":
        return _details_tab(request)
    # The handler must be in place before anything reads the body, hence the CSRF check after it.
    handler = PhotoUploadHandler(request)
    request.upload_handlers.insert(0, handler)
    return _profile_photo_upload(request, handler)


@csrf_protect
def _profile_photo_upload(request, handler):
    form = PhotoForm(request.POST, request.FILES)
    if handler.refused:
        form.errors.pop("photo", None)  # "choose a photo": the handler dropped the oversized file
        form.add_error("photo", too_large_message())
    elif form.is_valid():
        try:
            profile_photo_set(user=request.user, actor=Actor.from_request(request), upload=form.cleaned_data["photo"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Your photo was saved."))
            return redirect("users:profile")
    return _details_tab(request, photo_form=form)


@require_member
@require_POST
def profile_photo_remove_view(request):
    if profile_photo_remove(user=request.user, actor=Actor.from_request(request)):
        messages.success(request, _("Your photo was removed."))
    return redirect("users:profile")


@require_member
@require_GET
def photo(request, user_id):
    """A member's photo, for any member of the same organization."""
    found = tenant_object_or_404(UserPhoto.objects.all(), request.tenant, user_id=user_id)
    response = HttpResponse(bytes(found.content), content_type=found.content_type)
    response["Cache-Control"] = f"private, max-age={PHOTO_MAX_AGE_SECONDS}"
    response["X-Content-Type-Options"] = "nosniff"
    # Opened on its own, the image may not run or load anything.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_member
def profile_language(request):
    if request.method != "POST":
        return _regional_tab(request)
    form = RegionalForm(request.POST)
    if not _saved(request, form, profile_regional_update):
        return _regional_tab(request, regional_form=form)
    language = request.user.language
    # Say it in the language the next page will use.
    with translation.override(language or translation.get_language_from_request(request)):
        messages.success(request, _("Your language and time zone were saved."))
    response = redirect("users:profile_language")
    # The sign-in page (before anyone is signed in) follows the cookie.
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH,
                               domain=settings.LANGUAGE_COOKIE_DOMAIN)
    return response


@require_member
def profile_contact(request):
    if request.method != "POST":
        return _contact_tab(request)
    form = ContactForm(request.POST, instance=_contact_preferences(request))
    if _saved(request, form, profile_contact_update):
        messages.success(request, _("Your contact preferences were saved."))
        return redirect("users:profile_contact")
    return _contact_tab(request, contact_form=form)


@require_member
def profile_alternate_email(request):
    if request.method != "POST":
        return _contact_tab(request)
    form = AlternateEmailForm(request.POST, is_admin=request.user.is_admin)
    if not _saved(request, form, profile_alternate_email_update):
        return _contact_tab(request, alternate_form=form)
    messages.success(request, _("Your alternate e-mail address was saved."))
    address = request.user.alternate_email
    if address and email_inside_organization(request.tenant, address):
        messages.warning(request, _inside_warning())
    return redirect("users:profile_contact")


def _saved(request, form, service) -> bool:
    """Validate `form` and hand its data to `service`; errors (the form's or the service's) stay on the form."""
    if not form.is_valid():
        return False
    try:
        service(user=request.user, actor=Actor.from_request(request),
                **{name: form.cleaned_data[name] for name in form.fields})
    except ValidationError as error:
        apply_service_errors(form, error)
        return False
    return True


def _inside_warning() -> str:
    return _("Your alternate e-mail address is inside your organization. If you cannot sign in, you may not be able "
             "to read it either: use an address outside the organization.")


def _contact_preferences(request) -> ContactPreferences:
    existing = ContactPreferences.objects.filter(user=request.user).first()
    return existing or ContactPreferences(user=request.user, tenant=request.tenant)


def _render(request, tab: str, context: dict):
    return render(request, f"users/profile/{tab}.html", {"tab": tab, "profile_user": request.user, **context})


def _details_tab(request, *, details_form=None, photo_form=None):
    user = request.user
    held = license_statuses(tenant=request.tenant, assignments=user.licenses.select_related("sku").order_by("sku__name", "pk"))
    return _render(request, "details", {
        "details_form": details_form or DetailsForm(initial={"display_name": user.display_name}),
        "photo_form": photo_form or PhotoForm(),
        "photo_url": photo_url(user),
        "password_expires_at": user.password_expires_at(),
        # SPEC billing/: when a subscription is disabled, people whose licenses come only from it lose its services.
        "services": service_statuses(held),
    })


def _regional_tab(request, *, regional_form=None):
    user = request.user
    return _render(request, "regional", {
        "regional_form": regional_form or RegionalForm(initial={"language": user.language, "time_zone": user.time_zone}),
        "time_zone_names": time_zone_names(),
        "time_zone_list_id": TIME_ZONE_LIST_ID,
    })


def _contact_tab(request, *, contact_form=None, alternate_form=None):
    user = request.user
    return _render(request, "contact", {
        "contact_form": contact_form or ContactForm(instance=_contact_preferences(request)),
        "alternate_form": alternate_form or AlternateEmailForm(initial={"alternate_email": user.alternate_email},
                                                               is_admin=user.is_admin),
        "inside_warning": _inside_warning() if user.alternate_email and email_inside_organization(
            request.tenant, user.alternate_email) else "",
    })
