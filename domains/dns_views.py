"""DNS pages of a domain: DNS manager (records, mode, zone export), website, troubleshooter."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from domains.access import get_domain, get_record
from domains.dns.records import service_records
from domains.dns.zonefile import zone_file
from domains.forms import DnsRecordForm, WebsiteForm
from domains.models import Domain
from domains.selectors import domain_records
from domains.service_checks import domain_check_services, is_checkable
from domains.troubleshoot import STAGES, troubleshoot as run_checks
from domains import zones
from tenantadmin.access import has_perm, require_perm
from tenantadmin.actors import Actor
from tenantadmin.forms import apply_service_errors
from tenantadmin.roles import Perm


@require_perm(Perm.DOMAINS_READ)
def dns_manager(request, domain_id):
    domain = get_domain(request, domain_id)
    return render(request, "domains/dns.html", {
        "domain": domain, "records": domain_records(tenant=request.tenant, domain=domain),
        "required": service_records(domain), "our_name_servers": settings.OUR_NAME_SERVERS,
        "can_write": has_perm(request, Perm.DOMAINS_WRITE) and domain.verified_at is not None and not domain.is_initial,
    })


@require_POST
@require_perm(Perm.DOMAINS_WRITE)
def set_mode(request, domain_id):
    domain = get_domain(request, domain_id, write=True)
    try:
        zones.domain_set_mode(domain=domain, actor=Actor.from_request(request), mode=request.POST.get("mode", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("domains:dns", domain.name)


def _record_form(request, domain: Domain, record=None):
    form = DnsRecordForm(request.POST or None, record=record)
    if request.method == "POST" and form.is_valid():
        try:
            zones.record_save(domain=domain, actor=Actor.from_request(request), data=form.cleaned_data, record=record)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The DNS record was saved. Other servers see it within its TTL."))
            return redirect("domains:dns", domain.name)
    return render(request, "domains/record_form.html", {"domain": domain, "form": form, "record": record})


@require_perm(Perm.DOMAINS_WRITE)
def record_add(request, domain_id):
    return _record_form(request, get_domain(request, domain_id, write=True))


@require_perm(Perm.DOMAINS_WRITE)
def record_edit(request, domain_id, record_id):
    domain = get_domain(request, domain_id, write=True)
    record = get_record(request, domain, record_id)
    if record.is_system:
        messages.error(request, _("System records are managed for you and cannot be changed."))
        return redirect("domains:dns", domain.name)
    return _record_form(request, domain, record)


@require_perm(Perm.DOMAINS_WRITE)
def record_delete(request, domain_id, record_id):
    domain = get_domain(request, domain_id, write=True)
    record = get_record(request, domain, record_id)
    if request.method == "POST":
        try:
            zones.record_delete(domain=domain, actor=Actor.from_request(request), record=record)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The DNS record was removed."))
        return redirect("domains:dns", domain.name)
    return render(request, "domains/record_delete.html", {"domain": domain, "record": record})


@require_perm(Perm.DOMAINS_READ)
def zone_export(request, domain_id):
    domain = get_domain(request, domain_id)
    response = HttpResponse(zone_file(domain, domain_records(tenant=request.tenant, domain=domain)),
                            content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{domain.name}.zone"'
    return response


@require_perm(Perm.DOMAINS_WRITE)
def website(request, domain_id):
    domain = get_domain(request, domain_id, write=True)
    initial = {"where": domain.website or "none", "ip_address": domain.website_ip, "host_name": domain.website_host}
    form = WebsiteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            zones.website_set(domain=domain, actor=Actor.from_request(request), where=form.cleaned_data["where"],
                        ip_address=form.cleaned_data["ip_address"], host_name=form.cleaned_data["host_name"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The website address was saved."))
            return redirect("domains:dns", domain.name)
    return render(request, "domains/website.html", {"domain": domain, "form": form})


@require_perm(Perm.DOMAINS_READ)
def troubleshoot(request, domain_id):
    domain = get_domain(request, domain_id)
    stage = request.GET.get("stage")
    checks = run_checks(domain, stage) if stage in STAGES else None
    return _troubleshoot_page(request, domain, stage, checks)


def _troubleshoot_page(request, domain: Domain, stage, checks):
    checkable = is_checkable(domain)
    return render(request, "domains/troubleshoot.html", {
        "domain": domain, "stage": stage, "checks": checks, "stages": STAGES, "checkable": checkable,
        "can_check": checkable and has_perm(request, Perm.DOMAINS_WRITE),
    })


@require_POST
@require_perm(Perm.DOMAINS_WRITE)
def check_services(request, domain_id):
    """"Check now": the troubleshooter's name-server and service-record checks, stored for the Health column."""
    domain = get_domain(request, domain_id, write=True)
    try:
        result = domain_check_services(domain=domain, actor=Actor.from_request(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(reverse("domains:troubleshoot", args=[domain.name]) + "?stage=services")
    if not result.saved and result.state == Domain.ServiceCheck.UNKNOWN:
        messages.warning(request, _("DNS did not answer some of the checks, so the Domains list keeps the result of "
                                    "the last complete check. Try again in a few minutes."))
    elif not result.saved:
        messages.warning(request, _("The domain's DNS settings changed while we checked. Check again."))
    elif result.state == Domain.ServiceCheck.PROBLEM:
        messages.error(request, _("We found problems (below). The Domains list shows them until a check finds them "
                                  "fixed."))
    else:
        messages.success(request, _("Every record is present and correct. The Domains list shows it now."))
    # Rendered, not redirected: a redirect would run every DNS lookup again just to show the same answers.
    return _troubleshoot_page(request, result.domain, "services", result.checks)
