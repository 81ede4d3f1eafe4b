"""Edit many users and Change domain (bulk actions of the Users page), and the per-user results page of their jobs."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tenantadmin.access import get_job_for_viewer, require_perm
from tenantadmin.actors import Actor
from tenantadmin.forms import apply_service_errors
from tenantadmin.roles import Perm
from users.bulk_edit import KIND_DOMAIN, KINDS, RESULT_ROWS_SHOWN, bulk_edit_start, change_domain_start, job_results
from users.create_views import verified_domains
from users.edit_forms import BulkEditForm, ChangeDomainForm
from users.licenses import license_units
from users.models import User

# Names shown on the form; the job itself takes any number of users.
SHOWN_NAMES = 20


def _ids(values) -> list[uuid.UUID]:
    ids = []
    for value in values:
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue
    return ids


def _selection(request) -> tuple[list[str], list]:
    """The posted users that are live members of this organization: (ids, the first few for the page)."""
    users = User.objects.filter(tenant=request.tenant, deleted_at__isnull=True, pk__in=_ids(request.POST.getlist("ids")))
    ids = [str(pk) for pk in users.values_list("pk", flat=True)]
    return ids, list(users.order_by("display_name", "id")[:SHOWN_NAMES])


@require_perm(Perm.USERS_WRITE, Perm.LICENSES_WRITE)
def bulk_edit(request):
    """Details, settings and licenses for the selected users; only filled fields change."""
    if request.method != "POST":
        messages.info(request, _("Select users on the Users page, then choose Edit."))
        return redirect("users:list")
    ids, shown = _selection(request)
    if not ids:
        messages.warning(request, _("Select the users first."))
        return redirect("users:list")
    units = license_units(tenant=request.tenant)
    form = BulkEditForm(request.POST if "apply" in request.POST else None, units=units)
    if form.is_bound and form.is_valid():
        try:
            job = bulk_edit_start(tenant=request.tenant, actor=Actor.from_request(request), user_ids=ids,
                                  changes=form.changes(), license_mode=form.cleaned_data["license_mode"],
                                  sku_ids=form.cleaned_data["skus"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("users:bulk_results", job.pk)
    return render(request, "users/edit/bulk_edit.html", {
        "form": form, "ids": ids, "shown": shown, "more": len(ids) - len(shown), "count": len(ids), "units": units})


@require_perm(Perm.USERS_WRITE)
def change_domain(request):
    """Move the selected users (or, from the domain removal page, every user of one domain) to another domain."""
    from_domain = (request.GET.get("from") or request.POST.get("from") or "").strip().lower()
    domains = [name for name in verified_domains(request.tenant) if name != from_domain]
    if from_domain:
        people = User.objects.filter(tenant=request.tenant, deleted_at__isnull=True, upn__iendswith="@" + from_domain)
        ids, shown, count = [], list(people.order_by("display_name", "id")[:SHOWN_NAMES]), people.count()
    elif request.method == "POST":
        ids, shown = _selection(request)
        count = len(ids)
    else:
        messages.info(request, _("Select users on the Users page, then choose Change domain."))
        return redirect("users:list")
    if not count:
        messages.warning(request, _("There are no users to move."))
        return redirect("users:list")
    form = ChangeDomainForm(request.POST if "apply" in request.POST else None, domains=domains)
    if form.is_bound and form.is_valid():
        try:
            job = change_domain_start(tenant=request.tenant, actor=Actor.from_request(request),
                                      domain=form.cleaned_data["domain"], user_ids=ids, from_domain=from_domain)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("users:bulk_results", job.pk)
    return render(request, "users/edit/change_domain.html", {
        "form": form, "ids": ids, "shown": shown, "more": count - len(shown), "count": count,
        "from_domain": from_domain})


@require_perm(Perm.USERS_WRITE)
def bulk_results(request, job_id):
    """Progress while the job runs, then one row per user: changed, unchanged, or failed and why."""
    job = get_job_for_viewer(request, job_id)
    if job.kind not in KINDS:
        raise Http404(_("The item was not found."))
    rows = job_results(job) if job.is_finished else []
    return render(request, "users/edit/bulk_results.html", {
        "job": job, "rows": rows, "truncated": len(rows) >= RESULT_ROWS_SHOWN, "is_domain": job.kind == KIND_DOMAIN})
