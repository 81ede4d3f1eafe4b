"""Domain pages: list, add wizard, verify, default domain. DNS manager: dns_views.py; removal: removal_views.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from domains.access import get_domain
from domains.dns.verification import verification_records
from domains.dns_hosts import DNS_HOSTS, host_steps
from domains.forms import AddDomainForm
from domains.health import domain_health, with_health_facts
from domains.selectors import domain_list
from domains.services import DomainTaken, domain_add, domain_set_default, domain_verify
from tenantadmin.access import has_perm, require_perm
from tenantadmin.actors import Actor
from tenantadmin.paging import CursorError, keyset_page
from tenantadmin.roles import Perm

PAGE_SIZE = 50
ORDER = [("is_initial", True), ("name", False)]


@require_perm(Perm.DOMAINS_READ)
def domains(request):
    cursor = request.GET.get("after")
    listing = with_health_facts(domain_list(tenant=request.tenant))
    try:
        page = keyset_page(listing, order=ORDER, size=PAGE_SIZE, cursor=cursor, salt="domains.list")
    except CursorError:
        cursor = None
        page = keyset_page(listing, order=ORDER, size=PAGE_SIZE, cursor=None, salt="domains.list")
    return render(request, "domains/list.html", {
        "page": page, "rows": [(domain, domain_health(domain)) for domain in page.items], "is_first_page": not cursor,
        "can_write": has_perm(request, Perm.DOMAINS_WRITE),
    })


@require_perm(Perm.DOMAINS_WRITE)
def add(request):
    form = AddDomainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            domain = domain_add(tenant=request.tenant, actor=Actor.from_request(request), name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error("name", error.messages)
        else:
            messages.success(request, _("%(name)s was added. Now prove that you own it.") % {"name": domain.name})
            return redirect("domains:detail", domain.name)
    return render(request, "domains/add.html", {"form": form, "step": 1})


@require_perm(Perm.DOMAINS_READ)
def detail(request, domain_id):
    domain = get_domain(request, domain_id)
    records = verification_records(domain)
    record_type = "MX" if request.GET.get("record") == "mx" else "TXT"
    record = next(r for r in records if r["type"] == record_type)
    host_key, host_name, steps = host_steps(request.GET.get("host", ""), record)
    return render(request, "domains/detail.html", {
        "domain": domain, "records": records, "record": record, "record_type": record_type,
        "hosts": [(key, name) for key, name, _steps in DNS_HOSTS], "host_key": host_key, "host_name": host_name,
        "steps": steps, "can_write": has_perm(request, Perm.DOMAINS_WRITE),
        "is_default": domain.name == request.tenant.default_domain,
        "step": 3 if domain.verified_at else 2,
    })


@require_POST
@require_perm(Perm.DOMAINS_WRITE)
def verify(request, domain_id):
    domain = get_domain(request, domain_id, write=True)
    try:
        domain, check = domain_verify(domain=domain, actor=Actor.from_request(request))
    except DomainTaken as exc:
        messages.error(request, str(exc))
        return redirect("domains:detail", domain.name)
    if domain.verified_at:
        messages.success(request, _("%(name)s is verified.") % {"name": domain.name})
    else:
        messages.warning(request, _("We could not verify %(name)s yet: %(reason)s")
                         % {"name": domain.name, "reason": check.message})
    return redirect("domains:detail", domain.name)


@require_POST
@require_perm(Perm.DOMAINS_WRITE)
def set_default(request, domain_id):
    domain = get_domain(request, domain_id, write=True)
    try:
        domain_set_default(tenant=request.tenant, actor=Actor.from_request(request), domain=domain)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s is now the default domain for new user names and e-mail addresses.")
                         % {"name": domain.name})
    return redirect("domains:detail", domain.name)


@require_perm(Perm.DOMAINS_READ)
def help_topic(request):
    topic = request.GET.get("topic", HELP_TOPICS[0])
    if topic not in HELP_TOPICS:
        raise Http404(_("The item was not found."))
    return render(request, f"domains/help/{topic}.html", {"topics": HELP_TOPICS, "topic": topic})


HELP_TOPICS = ["dns-basics", "72-hours", "verified-no-mail"]
