"""The Remove domain page: what still uses the domain, or a confirmation that starts the removal job."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from domains.access import get_domain
from domains.removal import domain_remove_start, removal_blockers
from domains.selectors import domain_usage
from tenantadmin.access import require_perm
from tenantadmin.actors import Actor
from tenantadmin.roles import Perm


@require_perm(Perm.DOMAINS_WRITE)
def remove(request, domain_id):
    domain = get_domain(request, domain_id, write=True)
    if request.method == "POST":
        try:
            job = domain_remove_start(tenant=request.tenant, actor=Actor.from_request(request), domain=domain)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("%(name)s is being removed.") % {"name": domain.name})
            return redirect("tenantadmin:job_detail", job.pk)
    return render(request, "domains/remove.html", {
        "domain": domain, "blockers": removal_blockers(tenant=request.tenant, domain=domain),
        "usage": domain_usage(tenant=request.tenant, domain=domain),
    })
