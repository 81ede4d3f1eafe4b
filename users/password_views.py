"""Password pages: Change password, the expiry policy, administrator reset, and sign-in locks."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tenantadmin.access import has_perm, require_member, require_perm, tenant_object_or_404
from tenantadmin.actors import Actor
from tenantadmin.forms import apply_service_errors
from tenantadmin.roles import Perm
from users.models import User
from users.password_forms import AdminPasswordResetForm, PasswordChangeForm, PasswordPolicyForm
from users.password_services import (
    password_change as change_service, password_policy_update, password_reset_allowed, password_reset_by_admin,
    signin_locks as locks_selector, signin_unlock as unlock_service,
)
from users.views import landing_url


def _safe_next(request) -> str:
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return next_url
    return ""


def _live_user(request, user_id) -> User:
    return tenant_object_or_404(User.objects.filter(deleted_at__isnull=True), request.tenant, pk=user_id)


@require_member
def password_change(request):
    user = request.user
    forced = user.must_change_password_now()
    next_url = _safe_next(request)
    form = PasswordChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            change_service(user=user, actor=Actor.from_request(request),
                           current_password=form.cleaned_data["current_password"],
                           new_password=form.cleaned_data["new_password"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            # A new password changes the session hash; keep this session signed in.
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password was changed."))
            return HttpResponseRedirect(next_url or landing_url(user))
    template = "users/password/change_forced.html" if forced else "users/password/change.html"
    return render(request, template, {
        "form": form, "next": next_url, "temporary": user.must_change_password,
        "expired_at": None if user.must_change_password else user.password_expires_at(),
    })


@require_perm(Perm.ORG_WRITE)
def password_policy(request):
    tenant = request.tenant
    initial = {"passwords_expire": "yes" if tenant.passwords_expire else "no",
               "password_expiry_days": tenant.password_expiry_days}
    form = PasswordPolicyForm(request.POST or None, current_days=tenant.password_expiry_days, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            password_policy_update(tenant=tenant, actor=Actor.from_request(request), **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The password policy was saved."))
            return redirect("users:password_policy")
    return render(request, "users/password/policy.html", {"form": form})


@require_perm(Perm.PASSWORDS_RESET)
def password_reset_admin(request, user_id):
    person = _live_user(request, user_id)
    actor = Actor.from_request(request)
    if not password_reset_allowed(actor, person):
        raise PermissionDenied(_("Your role does not allow resetting this person's password."))
    # Every field is optional, so an empty POST is still a submitted form.
    form = AdminPasswordResetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            temporary = password_reset_by_admin(user=person, actor=actor, notify=form.cleaned_data["notify"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            # Shown once: it travels in the session and is removed as the result page reads it.
            request.session[f"temporary-password-{person.pk}"] = {
                "value": temporary, "notified": form.cleaned_data["notify"]}
            return redirect("users:password_reset_admin_done", person.pk)
    return render(request, "users/password/reset_confirm.html", {"person": person, "form": form})


@require_perm(Perm.PASSWORDS_RESET)
def password_reset_admin_done(request, user_id):
    person = _live_user(request, user_id)
    result = request.session.pop(f"temporary-password-{person.pk}", None)
    return render(request, "users/password/reset_done.html", {"person": person, "result": result})


@require_perm(Perm.USERS_READ)
def signin_locks(request):
    locked_until = locks_selector(tenant=request.tenant)
    people = (User.objects.filter(tenant=request.tenant, deleted_at__isnull=True, upn__in=list(locked_until))
              .order_by("display_name", "id"))
    rows = [{"person": person, "locked_until": locked_until[person.upn]} for person in people]
    return render(request, "users/password/locks.html", {
        "rows": rows, "can_unlock": has_perm(request, Perm.PASSWORDS_RESET)})


@require_POST
@require_perm(Perm.PASSWORDS_RESET)
def signin_unlock(request, user_id):
    person = _live_user(request, user_id)
    unlock_service(user=person, actor=Actor.from_request(request))
    messages.success(request, _("%(name)s can sign in again.") % {"name": person.display_name})
    next_url = _safe_next(request)
    return HttpResponseRedirect(next_url) if next_url else redirect("users:signin_locks")
