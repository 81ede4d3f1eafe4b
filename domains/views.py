"""Domain pages. Adding, verifying and hosting arrive with the domains issue."""

from django.shortcuts import render

from domains.selectors import domain_list
from tenantadmin.access import require_perm
from tenantadmin.roles import Perm


@require_perm(Perm.DOMAINS_READ)
def domains(request):
    return render(request, "domains/list.html", {"domains": domain_list(tenant=request.tenant)})
