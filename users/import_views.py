"""The bulk import wizard (SPEC users/ "Bulk import (CSV)"): select file → verification → settings →
licenses → send results → results. Verification and import run as Jobs; these views stay thin."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _, gettext_lazy as _lazy
from django.views.decorators.http import require_POST
from django_countries import countries

from tenantadmin.access import has_perm, require_perm, tenant_object_or_404
from tenantadmin.actors import Actor
from tenantadmin.models import Job
from tenantadmin.roles import Perm
from users.bulk_import.columns import blank_template, sample_file
from users.bulk_import.forms import LicensesForm, SendResultsForm, SettingsForm, UploadForm
from users.bulk_import.reading import max_upload_bytes
from users.bulk_import.services import (
    IMPORT_KIND, VERIFY_KIND, import_check_licenses, import_license_choices, import_passwords_reveal,
    import_passwords_take, import_start, import_upload,
)

STEPS = [("file", _lazy("Select file")), ("verify", _lazy("Verification")), ("settings", _lazy("Settings")),
         ("licenses", _lazy("Assign licenses")), ("send", _lazy("Send results")), ("results", _lazy("Results"))]


def _import_job(request, job_id, kind: str) -> Job:
    """A job of this wizard in the viewer's organization, started by the viewer (or any, for a global admin)."""
    job = tenant_object_or_404(Job.objects.select_related("created_by"), request.tenant, pk=job_id, kind=kind)
    if job.created_by_id != request.user.pk and not request.user.is_global_admin:
        raise Http404(_("The item was not found."))
    return job


def _state(request, job: Job) -> dict:
    return request.session.get(f"users_import:{job.pk}", {})


def _save_state(request, job: Job, **values) -> None:
    request.session[f"users_import:{job.pk}"] = {**_state(request, job), **values}


def _poll_answer(request, job: Job):
    """While a job runs, the page polls here: nothing (204) until it ends, then htmx reloads the page."""
    if request.GET.get("poll") and request.htmx:
        response = HttpResponse(status=204)
        if job.is_finished:
            response["HX-Refresh"] = "true"
        return response
    return None


def _posted(request):
    # An empty POST (no license ticked) is still a submission: `request.POST or None` would drop it.
    return request.POST if request.method == "POST" else None


def _page(request, template: str, step: str, context: dict):
    return render(request, f"users/import/{template}", {"steps": STEPS, "step": step, **context})


@require_perm(Perm.USERS_WRITE)
def import_file(request):
    form = UploadForm(_posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_upload(tenant=request.tenant, actor=Actor.from_request(request), upload=form.cleaned_data["file"])
        except ValidationError as error:
            form.add_error("file", error.message_dict["file"])
        else:
            return redirect("users:import_verify", job_id=job.pk)
    return _page(request, "file.html", "file", {"form": form, "max_bytes": max_upload_bytes()})


@require_perm(Perm.USERS_WRITE)
def import_template(request):
    response = HttpResponse(blank_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="users-import-template.csv"'
    return response


@require_perm(Perm.USERS_WRITE)
def import_sample(request):
    response = HttpResponse(sample_file(request.tenant.initial_domain), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="users-import-sample.csv"'
    return response


@require_perm(Perm.USERS_WRITE)
def import_verify(request, job_id):
    job = _import_job(request, job_id, VERIFY_KIND)
    return _poll_answer(request, job) or _page(request, "verify.html", "verify", {
        "job": job, "valid": job.params.get("valid", 0), "invalid": job.params.get("invalid", 0),
        "import_job_id": job.params.get("import_job")})


def _verified(request, job_id) -> Job:
    job = _import_job(request, job_id, VERIFY_KIND)
    if job.params.get("import_job") or job.status == Job.Status.FAILED or not job.params.get("valid"):
        raise Http404(_("This file cannot be imported (again). Upload a file to start a new import."))
    return job


@require_perm(Perm.USERS_WRITE)
def import_settings(request, job_id):
    job = _verified(request, job_id)
    state = _state(request, job)
    initial = {"sign_in": "allowed" if state.get("sign_in_allowed", True) else "blocked",
               "usage_location": state.get("usage_location") or request.tenant.country}
    form = SettingsForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        _save_state(request, job, sign_in_allowed=form.cleaned_data["sign_in"] == "allowed",
                    usage_location=str(form.cleaned_data["usage_location"]))
        return redirect("users:import_licenses", job_id=job.pk)
    return _page(request, "settings.html", "settings", {"job": job, "form": form})


@require_perm(Perm.USERS_WRITE)
def import_licenses(request, job_id):
    job = _verified(request, job_id)
    state = _state(request, job)
    if "usage_location" not in state:
        return redirect("users:import_settings", job_id=job.pk)
    may_assign = has_perm(request, Perm.LICENSES_WRITE)
    choices = import_license_choices(tenant=request.tenant) if may_assign else []
    form = LicensesForm(_posted(request), choices=choices, initial={"skus": state.get("sku_ids", [])})
    if request.method == "POST" and form.is_valid():
        skus = form.selected_skus()
        try:
            import_check_licenses(tenant=request.tenant, skus=skus, users_to_create=job.params["valid"],
                                  usage_location=state["usage_location"])
        except ValidationError as error:
            form.add_error("skus", error.message_dict["skus"])
        else:
            _save_state(request, job, sku_ids=[str(sku.pk) for sku in skus])
            return redirect("users:import_send", job_id=job.pk)
    return _page(request, "licenses.html", "licenses", {"job": job, "form": form, "may_assign": may_assign,
                                                        "has_choices": bool(choices)})


@require_perm(Perm.USERS_WRITE)
def import_send(request, job_id):
    job = _verified(request, job_id)
    state = _state(request, job)
    if "sku_ids" not in state:
        return redirect("users:import_licenses", job_id=job.pk)
    choices = {str(units.sku.pk): units.sku for units in import_license_choices(tenant=request.tenant)}
    skus = [choices[sku_id] for sku_id in state["sku_ids"] if sku_id in choices]
    initial = {"notify": request.user.alternate_email}
    form = SendResultsForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if len(skus) != len(state["sku_ids"]):
                raise ValidationError(_("A chosen license has no free units any more. Choose the licenses again."))
            import_job = import_start(verify_job=job, actor=Actor.from_request(request),
                                      sign_in_allowed=state["sign_in_allowed"], usage_location=state["usage_location"],
                                      skus=skus, notify=form.cleaned_data["notify"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            request.session.pop(f"users_import:{job.pk}", None)
            return redirect("users:import_results", job_id=import_job.pk)
    return _page(request, "send.html", "send", {
        "job": job, "form": form, "skus": skus, "sign_in_allowed": state["sign_in_allowed"],
        "location": countries.name(state["usage_location"]), "valid": job.params["valid"],
        "invalid": job.params.get("invalid", 0)})


@require_perm(Perm.USERS_WRITE)
def import_results(request, job_id):
    job = _import_job(request, job_id, IMPORT_KIND)
    polled = _poll_answer(request, job)
    if polled:
        return polled
    shown = import_passwords_reveal(job=job) if job.is_finished else None
    job.refresh_from_db()
    params = job.params
    return _page(request, "results.html", "results", {
        "job": job, "shown": shown, "created": params.get("resume", {}).get("created", 0),
        "failed": params.get("resume", {}).get("failed", 0),
        "passwords_available": job.is_finished and bool(params.get("passwords_file")) and not params.get("passwords_taken")})


@require_POST
@require_perm(Perm.USERS_WRITE)
def import_passwords(request, job_id):
    job = _import_job(request, job_id, IMPORT_KIND)
    handle = import_passwords_take(job=job, actor=Actor.from_request(request))
    if handle is None:
        messages.error(request, _("The file of temporary passwords was already downloaded and has been deleted. "
                                  "Reset the password of a user who did not get theirs."))
        return redirect("users:import_results", job_id=job.pk)
    return FileResponse(handle, as_attachment=True, filename="new-users-temporary-passwords.csv",
                        content_type="text/csv; charset=utf-8")
