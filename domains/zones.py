"""Writes for hosted zones: system (service) records, custom records, the website, name-server detection,
and publishing the zone to PowerDNS (push state kept on the domain; a failed push is retried, never lost)."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from domains.dns import lookup as dnslookup
from domains.dns import powerdns
from domains.dns.records import clean_record, service_records
from domains.models import DnsRecord, Domain
from tenantadmin.actors import Actor
from tenantadmin.services.audit import audit_record

logger = logging.getLogger(__name__)
_FIELDS = ("name", "type", "value", "priority", "weight", "port", "ttl")


def _as_dict(record) -> dict:
    return {f: getattr(record, f) for f in _FIELDS}


def _zone_changed(domain: Domain) -> None:
    """Bump the serial and, when PowerDNS is configured, queue a push once the change is committed."""
    Domain.objects.filter(pk=domain.pk).update(
        zone_serial=F("zone_serial") + 1,
        push_state=Domain.Push.PENDING if powerdns.configured() else Domain.Push.NONE)
    if powerdns.configured():
        from domains.tasks import push_zone_task  # tasks import this module

        transaction.on_commit(lambda: push_zone_task.delay(str(domain.pk)))


def _forget_service_check(domain: Domain) -> list[str]:
    """A new DNS mode makes the stored service check meaningless (it judged the records against the old one):
    the domain reads "not checked" and the daily check takes it first (domains/service_checks.py)."""
    domain.services_checked_at = None
    domain.services_check_state = Domain.ServiceCheck.UNKNOWN
    domain.services_problems = []
    return ["services_checked_at", "services_check_state", "services_problems"]


def _require_zone(domain: Domain) -> None:
    if domain.is_initial:
        raise ValidationError(_("The initial domain's DNS is managed by the service."))
    if domain.verified_at is None:
        raise ValidationError(_("Verify the domain before managing its DNS records."))
    if domain.status == Domain.Status.PENDING_DELETION:
        raise ValidationError(_("The domain is being removed."))


def _sync_system_records(domain: Domain) -> None:
    wanted = service_records(domain)
    DnsRecord.objects.filter(domain=domain, is_system=True).delete()
    # A system record wins its name (SPEC: "Change address" overwrites www): custom records that would
    # conflict with a system CNAME, or custom A/www records the website now owns, are removed.
    for record in wanted:
        clash = DnsRecord.objects.filter(domain=domain, is_system=False, name=record["name"])
        if record["type"] == "CNAME":
            clash.delete()
        elif record["type"] == "A":
            clash.filter(type="A").delete()
    DnsRecord.objects.bulk_create([
        DnsRecord(tenant_id=domain.tenant_id, domain=domain, is_system=True,
                  **{f: record[f] for f in _FIELDS}) for record in wanted])


@transaction.atomic
def domain_host_zone(*, domain: Domain, actor: Actor) -> Domain:
    """Flip to hosted: our name servers answer for the domain from now on."""
    domain = Domain.objects.select_for_update().get(pk=domain.pk)
    if domain.hosting == Domain.Hosting.HOSTED:
        return domain
    before = domain.hosting
    domain.hosting = Domain.Hosting.HOSTED
    domain.ns_detected_at = timezone.now()
    domain.save(update_fields=["hosting", "ns_detected_at", *_forget_service_check(domain)])
    _sync_system_records(domain)
    audit_record(tenant=domain.tenant, actor=actor, action="domain.hosted", target=domain,
                 changes={"hosting": [before, domain.hosting]})
    _zone_changed(domain)
    return domain


@transaction.atomic
def domain_set_mode(*, domain: Domain, actor: Actor, mode: str) -> None:
    """The admin's choice: switch name servers (we wait for the delegation) or keep the DNS host."""
    if mode not in (Domain.Hosting.EXTERNAL, Domain.Hosting.NO_NS_SWITCH):
        raise ValidationError(_("Choose how the domain's DNS is managed."))
    _require_zone(domain)
    domain = Domain.objects.select_for_update().get(pk=domain.pk)
    if domain.hosting == mode:
        return
    before = domain.hosting
    domain.hosting = mode
    domain.save(update_fields=["hosting", *_forget_service_check(domain)])
    audit_record(tenant=domain.tenant, actor=actor, action="domain.dns_mode", target=domain,
                 changes={"hosting": [before, mode]})


def delegation_to_us(domain_name: str) -> bool | None:
    """True when every NS of the domain is one of ours, False when not, None when DNS did not answer."""
    from django.conf import settings

    result = dnslookup.lookup(domain_name, "NS")
    if result.status in (dnslookup.TIMEOUT, dnslookup.SERVFAIL, dnslookup.ERROR, dnslookup.LOOP):
        return None
    ours = set(settings.OUR_NAME_SERVERS)
    return bool(result.ok and result.values and set(result.values) <= ours)


def detect_delegation(domain_id) -> bool:
    """Worker: flip a verified, external domain to hosted once its NS records point at us."""
    domain = Domain.objects.filter(pk=domain_id, verified_at__isnull=False, is_initial=False,
                                   hosting=Domain.Hosting.EXTERNAL).exclude(
        status=Domain.Status.PENDING_DELETION).select_related("tenant").first()
    if domain is None or not delegation_to_us(domain.name):
        return False
    domain_host_zone(domain=domain, actor=Actor.system("DNS delegation check"))
    return True


@transaction.atomic
def record_save(*, domain: Domain, actor: Actor, data: dict, record: DnsRecord | None = None) -> DnsRecord:
    """Add or change a custom record after full validation (system records cannot be changed)."""
    _require_zone(domain)
    domain = Domain.objects.select_for_update().get(pk=domain.pk)  # one writer per zone at a time
    if record is not None and record.is_system:
        raise ValidationError(_("System records are managed for you and cannot be changed."))
    others = [_as_dict(r) for r in DnsRecord.objects.filter(domain=domain).exclude(pk=getattr(record, "pk", None))]
    clean = clean_record(domain_name=domain.name, data=data, others=others)
    if record is None:
        record = DnsRecord.objects.create(tenant_id=domain.tenant_id, domain=domain, **clean)
        audit_record(tenant=domain.tenant, actor=actor, action="dns_record.add", target=record,
                     target_label=f"{domain.name}: {record}", changes={k: [None, v] for k, v in clean.items()})
    else:
        changes = {k: [getattr(record, k), v] for k, v in clean.items() if getattr(record, k) != v}
        for key, value in clean.items():
            setattr(record, key, value)
        record.save(update_fields=[*clean, "updated_at"])
        audit_record(tenant=domain.tenant, actor=actor, action="dns_record.change", target=record,
                     target_label=f"{domain.name}: {record}", changes=changes)
    _zone_changed(domain)
    return record


@transaction.atomic
def record_delete(*, domain: Domain, actor: Actor, record: DnsRecord) -> None:
    if record.is_system:
        raise ValidationError(_("System records are managed for you and cannot be removed."))
    Domain.objects.select_for_update().get(pk=domain.pk)
    audit_record(tenant=domain.tenant, actor=actor, action="dns_record.remove", target=record,
                 target_label=f"{domain.name}: {record}", changes={k: [v, None] for k, v in _as_dict(record).items()})
    record.delete()
    _zone_changed(domain)


@transaction.atomic
def website_set(*, domain: Domain, actor: Actor, where: str, ip_address: str | None = None, host_name: str = "") -> None:
    """SPEC: one public website per organization; "Change address" moves it (www is overwritten)."""
    _require_zone(domain)
    errors = {}
    if where == "external":
        if not ip_address:
            errors["ip_address"] = _("Without a static IP address the bare domain (%(name)s) cannot reach the site: "
                                     "ask your web host for it.") % {"name": domain.name}
        if host_name:
            host_name = host_name.strip().lower().rstrip(".")
            try:
                clean_record(domain_name=domain.name, data={"type": "CNAME", "name": "www", "value": host_name},
                             others=[])
            except ValidationError:
                errors["host_name"] = _("Type a host name such as site.webhost.example.")
    elif where not in ("hosted", "none"):
        errors["where"] = _("Choose where the website is.")
    if errors:
        raise ValidationError(errors)
    new = "" if where == "none" else where
    moved_from = None
    if new == "hosted":
        # The public website lives on one domain at a time: moving it clears the old one first.
        old = Domain.objects.select_for_update().filter(tenant=domain.tenant, website="hosted").exclude(pk=domain.pk).first()
        if old is not None:
            moved_from = old.name
            Domain.objects.filter(pk=old.pk).update(website="")
            old.website = ""
            if old.hosting == Domain.Hosting.HOSTED:
                _sync_system_records(old)
                _zone_changed(old)
    domain = Domain.objects.select_for_update().get(pk=domain.pk)
    before = [domain.website, domain.website_ip, domain.website_host]
    if new == "external" and Domain.objects.filter(tenant=domain.tenant).exclude(pk=domain.pk).exclude(website="").exists():
        Domain.objects.filter(tenant=domain.tenant, website="external").exclude(pk=domain.pk).update(website="")
    domain.website = new
    domain.website_ip = ip_address if new == "external" else None
    domain.website_host = host_name if new == "external" else ""
    domain.save(update_fields=["website", "website_ip", "website_host"])
    audit_record(tenant=domain.tenant, actor=actor, action="domain.website", target=domain,
                 changes={"website": [before, [domain.website, domain.website_ip, domain.website_host]],
                          **({"moved_from": [moved_from, domain.name]} if moved_from else {})})
    if domain.hosting == Domain.Hosting.HOSTED:
        _sync_system_records(domain)
        _zone_changed(domain)


def zone_push(domain_id) -> bool:
    """Publish the zone to PowerDNS. Returns True when done; on failure the state says so and the
    beat task tries again (the zone in the database is the truth; nothing is lost)."""
    domain = Domain.objects.filter(pk=domain_id).first()
    if domain is None or not powerdns.configured():
        return False
    serial = domain.zone_serial
    records = list(DnsRecord.objects.filter(domain=domain).order_by("name", "type", "id"))
    try:
        if domain.status == Domain.Status.PENDING_DELETION or domain.hosting != Domain.Hosting.HOSTED:
            powerdns.delete_zone(domain.name)
        else:
            powerdns.push_zone(domain, records)
    except powerdns.PowerDnsError as exc:
        logger.warning("zone push for %s failed: %s", domain.name, exc)
        Domain.objects.filter(pk=domain.pk).update(push_state=Domain.Push.FAILED, push_error=str(exc)[:500])
        return False
    # Only mark it done when nothing changed meanwhile; a newer change has its own push queued.
    Domain.objects.filter(pk=domain.pk, zone_serial=serial).update(
        push_state=Domain.Push.DONE, push_error="", pushed_at=timezone.now())
    return True
