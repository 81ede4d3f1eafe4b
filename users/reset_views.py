"""Administrator self-service password reset pages ("Forgot your password?"). Public: nobody is signed in."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tenantadmin.actors import client_ip
from users.reset_forms import ResetCodeForm, ResetNewPasswordForm, ResetStartForm
from users.reset_services import (
    CodeDeliveryError, ResetError, WrongCodeError, reset_check, reset_complete, reset_open_link, reset_start,
    reset_verify_code,
)

# Set only once the mailed link is opened in this browser, so a session shows nothing about the
# account before then.
SESSION_RESET_ID = "password_reset_id"


def _stopped(request, error: ResetError, status: int):
    request.session.pop(SESSION_RESET_ID, None)
    return render(request, "users/reset/invalid.html", {"message": error.message}, status=status)


@require_http_methods(["GET", "POST"])
def password_forgot(request):
    form = ResetStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        previous_key = request.session.session_key
        # A new key every time, also for unknown accounts, so the answer looks the same for all.
        request.session.cycle_key()
        request.session.pop(SESSION_RESET_ID, None)
        try:
            outcome = reset_start(upn=form.cleaned_data["upn"], session_key=request.session.session_key,
                                  previous_session_key=previous_key)
        except ResetError as error:
            form.add_error(None, error.message)
        else:
            return render(request, "users/reset/start_done.html", {"outcome": outcome.value})
    return render(request, "users/reset/start.html", {"form": form})


@require_GET
def password_forgot_link(request, token):
    try:
        reset = reset_open_link(token=token, session_key=request.session.session_key)
    except CodeDeliveryError as error:
        return render(request, "users/reset/invalid.html", {"message": error.message, "retry": True}, status=503)
    except ResetError as error:
        # 404 whatever the reason: an unknown, used, expired or foreign link all look alike. A reset
        # already running in this browser is left alone (an old link may be clicked by mistake).
        return render(request, "users/reset/invalid.html", {"message": error.message, "link": True}, status=404)
    request.session[SESSION_RESET_ID] = str(reset.pk)
    return redirect("users:password_forgot_code")


@require_http_methods(["GET", "POST"])
def password_forgot_code(request):
    reset_id, session_key = request.session.get(SESSION_RESET_ID), request.session.session_key
    form = ResetCodeForm(request.POST or None)
    try:
        if request.method == "POST" and form.is_valid():
            try:
                reset_verify_code(reset_id=reset_id, session_key=session_key, code=form.cleaned_data["code"])
            except WrongCodeError as error:
                form.add_error("code", error.message)
            else:
                return redirect("users:password_forgot_new")
        else:
            reset_check(reset_id=reset_id, session_key=session_key, step="code")
    except ResetError as error:
        return _stopped(request, error, status=403)
    return render(request, "users/reset/code.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_forgot_new(request):
    reset_id, session_key = request.session.get(SESSION_RESET_ID), request.session.session_key
    form = ResetNewPasswordForm(request.POST or None)
    try:
        if request.method == "POST" and form.is_valid():
            try:
                reset_complete(reset_id=reset_id, session_key=session_key,
                               new_password=form.cleaned_data["new_password"], ip=client_ip(request))
            except ValidationError as error:
                form.add_error("new_password", error.messages)
            else:
                request.session.pop(SESSION_RESET_ID, None)
                messages.success(request, _("Your password was changed. Sign in with your new password."))
                return redirect("users:signin")
        else:
            reset_check(reset_id=reset_id, session_key=session_key, step="new")
    except ResetError as error:
        return _stopped(request, error, status=403)
    return render(request, "users/reset/new.html", {"form": form})
