"""The audit log page (global administrators) and its CSV export as a background job."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tenantadmin.access import require_perm
from tenantadmin.actors import Actor
from tenantadmin.forms import AuditFilterForm
from tenantadmin.paging import CursorError, keyset_page
from tenantadmin.roles import Perm
from tenantadmin.selectors import audit_action_choices, audit_event_list
from tenantadmin.services.jobs import job_start
from tenantadmin.tasks import export_audit_log

PAGE_SIZE = 50
ORDER = [("occurred_at", True)]


def _filters(form) -> dict:
    """The selector's keyword arguments from a bound filter form; a field with an error is left out,
    the valid ones still apply."""
    if not form.is_bound:
        return {"actor": "", "action": "", "since": None, "until": None}
    form.is_valid()  # fills cleaned_data with the fields that are valid
    data = form.cleaned_data
    return {"actor": data.get("actor", ""), "action": data.get("action", ""),
            "since": data.get("since"), "until": data.get("until")}


@require_perm(Perm.AUDIT_READ)
def audit_log(request):
    form = AuditFilterForm(request.GET or None, actions=audit_action_choices(tenant=request.tenant))
    filters = _filters(form)
    events = audit_event_list(tenant=request.tenant, **filters)
    try:
        page = keyset_page(events, order=ORDER, size=PAGE_SIZE, cursor=request.GET.get("after"), salt="audit-log")
    except CursorError:
        messages.warning(request, _("That page link is no longer valid; showing the newest events."))
        page = keyset_page(events, order=ORDER, size=PAGE_SIZE, cursor=None, salt="audit-log")
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "tenantadmin/audit_log.html", {
        "form": form, "page": page, "filter_query": query.urlencode(), "is_first_page": not request.GET.get("after"),
    })


@require_POST
@require_perm(Perm.AUDIT_READ)
def audit_export(request):
    form = AuditFilterForm(request.POST, actions=audit_action_choices(tenant=request.tenant))
    filters = _filters(form)
    params = {key: (value.isoformat() if hasattr(value, "isoformat") else value)
              for key, value in filters.items() if value}
    job = job_start(tenant=request.tenant, actor=Actor.from_request(request), kind="audit_export",
                    title=_("Audit log export"), task=export_audit_log, params=params)
    return redirect("tenantadmin:job_detail", job.pk)
