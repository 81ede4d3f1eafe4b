"""Background jobs: list, detail with a live progress bar, result download."""

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from tenantadmin.access import get_job_for_viewer, require_perm
from tenantadmin.paging import CursorError, keyset_page
from tenantadmin.roles import Perm
from tenantadmin.selectors import job_list

PAGE_SIZE = 25


@require_perm(Perm.ADMIN_CENTER)
def jobs(request):
    # Global administrators see every job of the organization, others the jobs they started.
    mine = None if request.user.is_global_admin else request.user
    try:
        page = keyset_page(job_list(tenant=request.tenant, user=mine), order=[("created_at", True)], size=PAGE_SIZE,
                           cursor=request.GET.get("after"), salt="jobs")
    except CursorError:
        raise Http404(_("The item was not found."))
    return render(request, "tenantadmin/jobs.html", {"page": page})


@require_perm(Perm.ADMIN_CENTER)
def job_detail(request, job_id):
    return render(request, "tenantadmin/job_detail.html", {"job": get_job_for_viewer(request, job_id)})


@require_perm(Perm.ADMIN_CENTER)
def job_progress(request, job_id):
    """htmx fragment polled every second; answers 286 once finished so htmx stops polling."""
    job = get_job_for_viewer(request, job_id)
    response = render(request, "tenantadmin/_job_progress.html", {"job": job, "compact": bool(request.GET.get("compact"))})
    if job.is_finished and request.htmx:
        response.status_code = 286
    return response


@require_perm(Perm.ADMIN_CENTER)
def job_download(request, job_id):
    job = get_job_for_viewer(request, job_id)
    if not job.result_file:
        raise Http404(_("This job has no file to download."))
    root = settings.PRIVATE_FILES_ROOT.resolve()
    path = (root / job.result_file).resolve()
    if root not in path.parents or not path.is_file():
        raise Http404(_("The file is no longer available."))
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result_filename or path.name)
