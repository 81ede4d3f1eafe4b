"""Sign-up, sign-in, sign-out and the self-service pages of every member."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tenantadmin.forms import apply_service_errors
from tenantadmin.actors import client_ip
from tenantadmin.initial_domain import check_label, initial_domain_for
from tenantadmin.roles import Perm
from users.forms import SignInForm, SignUpForm
from users.lockout import lock_started
from users.password_services import password_days_left, signin_lock_record
from users.signup import tenant_sign_up

BACKEND = "users.backends.PrincipalNameBackend"


def landing_url(user) -> str:
    """Administrators land on the admin overview, everyone else on My profile."""
    return reverse("tenantadmin:overview") if Perm.ADMIN_CENTER in user.admin_perms else reverse("users:profile")


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tenant, admin = tenant_sign_up(
                organization_name=data["organization_name"], country=data["country"],
                preferred_language=data["preferred_language"], first_name=data["first_name"],
                last_name=data["last_name"], alternate_email=data["alternate_email"],
                initial_label=data["initial_domain"], alias=data["alias"], password=data["password"],
                plan=data["plan"], ip_address=client_ip(request),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            login(request, admin, backend=BACKEND)
            messages.success(request, _("Welcome! Your organization %(org)s is ready. We sent your user ID to %(mail)s.")
                             % {"org": tenant.name, "mail": admin.alternate_email})
            return redirect("tenantadmin:overview")
    return render(request, "users/signup.html", {"form": form, "suffix": settings.INITIAL_DOMAIN_SUFFIX})


@require_GET
def signup_check_domain(request):
    """htmx fragment: is `<label>.<suffix>` valid and free?"""
    label, errors = check_label(request.GET.get("initial_domain", ""))
    return render(request, "users/_domain_availability.html",
                  {"label": label, "domain": initial_domain_for(label) if label else "", "errors": errors})


@require_http_methods(["GET", "POST"])
def signin(request):
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = ""
    if request.user.is_authenticated:
        return HttpResponseRedirect(next_url or landing_url(request.user))
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None:
            if getattr(request, "axes_locked_out", False):
                if lock_started(request):
                    signin_lock_record(username=username, ip_address=client_ip(request))
                # The same page whether or not the account exists, so it reveals nothing.
                return render(request, "users/locked_out.html", status=429)
            # One message whatever went wrong, so the page does not reveal which accounts exist.
            form.add_error(None, _("Your user ID or password is incorrect, or sign-in is blocked for your account."))
        elif user.tenant_id is None:
            form.add_error(None, _("Support staff sign in at the staff site."))
        else:
            login(request, user, backend=BACKEND)
            # Without "Keep me signed in" the session ends when the browser closes.
            request.session.set_expiry(settings.SESSION_COOKIE_AGE if form.cleaned_data["keep_signed_in"] else 0)
            if user.must_change_password_now():
                change_url = reverse("users:password_change")
                return HttpResponseRedirect(f"{change_url}?{urlencode({'next': next_url})}" if next_url else change_url)
            _warn_if_password_expires_soon(request, user)
            return HttpResponseRedirect(next_url or landing_url(user))
    return render(request, "users/signin.html", {"form": form, "next": next_url})


def _warn_if_password_expires_soon(request, user) -> None:
    days = password_days_left(user)
    if days is None:
        return
    text = ngettext("Your password expires in %(days)d day.",
                    "Your password expires in %(days)d days.", days) % {"days": days}
    messages.warning(request, format_html('{} <a href="{}" class="alert-link">{}</a>', text,
                                          reverse("users:password_change"), _("Change password")))


@require_POST
def signout(request):
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("users:signin")
