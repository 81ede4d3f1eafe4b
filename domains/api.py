"""Graph's domain resource (/v1.0/domains with verificationDnsRecords, serviceConfigurationRecords and verify)
and the DNS manager's records under /v1.0/tenantadmin/domains/{id}/dnsRecords. Mounted by tenantadmin.api.app.

A domain's id is its name, as in Graph. Same services and selectors as the portal."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from ninja import Router
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from domains.dns.records import service_records
from domains.dns.verification import verification_records
from domains.models import DnsRecord, Domain
from domains.removal import domain_remove_start
from domains.selectors import domain_list, domain_records, with_is_root
from domains.services import DomainTaken, domain_add, domain_set_default, domain_verify
from domains import zones
from tenantadmin.api.auth import require_any
from tenantadmin.api.errors import GraphError, not_found
from tenantadmin.api.odata import Field as ODataField
from tenantadmin.api.odata import parse_query
from tenantadmin.api.shapes import GraphInput, graph_openapi, odata_collection, odata_context, odata_entity

router = Router(tags=["Domains"], by_alias=True)

READ = ("Domain.Read.All", "Domain.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All")
WRITE = ("Domain.ReadWrite.All", "Directory.ReadWrite.All")
DOMAIN_TYPE = "microsoft.graph.domain"
DOMAIN_FIELDS = {
    "id": ODataField("name"),
    "isVerified": ODataField("verified_at", filterable=False, sortable=False),
    "isDefault": ODataField("pk", filterable=False, sortable=False),
    "isAdminManaged": ODataField("hosting", filterable=False, sortable=False),
    "isInitial": ODataField("is_initial", kind="bool", sortable=False),
    "isRoot": ODataField("is_root", kind="bool", sortable=False),
    "authenticationType": ODataField("pk", filterable=False, sortable=False),
    "supportedServices": ODataField("pk", filterable=False, sortable=False),
    "state": ODataField("pk", filterable=False, sortable=False),
}
SUPPORTED_SERVICES = ["Email", "OfficeCommunicationsOnline"]


def domain_shape(domain: Domain, default_domain: str) -> dict:
    """`domain` comes from a queryset passed through selectors.with_is_root."""
    state = None
    if domain.status == Domain.Status.PENDING_DELETION:
        state = {"status": "PendingDeletion", "operation": "RemoveDomain", "lastActionDateTime": None}
    return {
        "id": domain.name, "authenticationType": "Managed", "availabilityStatus": None,
        # Graph: false when the domain's DNS record management is delegated to the service (our name servers
        # host its zone), true while the admin manages the records at their own DNS host.
        "isAdminManaged": domain.hosting != Domain.Hosting.HOSTED,
        "isDefault": domain.name == default_domain, "isInitial": domain.is_initial,
        # Graph: "sales.contoso.com" is not a root domain when "contoso.com" is one of the tenant's domains too.
        "isRoot": domain.is_root, "isVerified": domain.verified_at is not None,
        "supportedServices": SUPPORTED_SERVICES if domain.verified_at else [],
        "passwordValidityPeriodInDays": None, "passwordNotificationWindowInDays": None, "state": state,
    }


def _domain(request, domain_id: str) -> Domain:
    name = (domain_id or "").lower().rstrip(".")
    domain = with_is_root(Domain.objects.filter(tenant=request.tenant, name=name)).first()
    if domain is None:
        raise not_found()
    return domain


def _bad(error: ValidationError) -> GraphError:
    return GraphError(400, "BadRequest", " ".join(error.messages))


class DomainCreate(GraphInput):
    id: str


class _LookupFirst(BaseModel):
    """A PATCH body whose unknown properties are refused only after the object is found: another
    organization's object must be a 404 whatever the body says (a plain model: ninja's Schema drops extras)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")

    def refuse_extras(self):
        if self.model_extra:
            name = next(iter(self.model_extra))
            raise GraphError(400, "BadRequest", f"The property '{name}' does not exist or cannot be changed.")


class DomainPatch(_LookupFirst):
    is_default: bool | None = None


@router.get("/domains", summary="List domains", openapi_extra=graph_openapi("filter", "select", "orderby", "top", "count"))
def domains_list(request):
    """Permissions: Domain.Read.All (least), Domain.ReadWrite.All, Directory.Read.All, Directory.ReadWrite.All.
    `isRoot` is false for a sub-domain of another of the organization's domains; `isAdminManaged` is false when
    our name servers host the domain's DNS. `$filter` on id, isInitial and
    isRoot; `$orderby` id."""
    require_any(request, *READ)
    query = parse_query(request.GET, DOMAIN_FIELDS, default_order=[("id", False)], type_name=DOMAIN_TYPE)
    default = request.tenant.default_domain
    return odata_collection(request, with_is_root(domain_list(tenant=request.tenant)), query, fields=DOMAIN_FIELDS,
                            name="domains", salt="domains.api.list", serialize=lambda d: domain_shape(d, default))


@router.post("/domains", summary="Add a domain", openapi_extra=graph_openapi())
def domains_create(request, payload: DomainCreate):
    """Body `{"id": "contoso.com"}`; 201 with the unverified domain. Permissions: Domain.ReadWrite.All."""
    require_any(request, *WRITE)
    try:
        domain = domain_add(tenant=request.tenant, actor=request.actor, name=payload.id)
    except ValidationError as error:
        raise _bad(error) from None
    domain = _domain(request, domain.name)  # read back with isRoot
    return odata_entity("domains", domain_shape(domain, request.tenant.default_domain), None, status=201)


@router.get("/domains/{domain_id}", summary="Get a domain", openapi_extra=graph_openapi("select"))
def domains_get(request, domain_id: str):
    require_any(request, *READ)
    select = parse_query(request.GET, DOMAIN_FIELDS, type_name=DOMAIN_TYPE).select
    return odata_entity("domains", domain_shape(_domain(request, domain_id), request.tenant.default_domain), select)


@router.patch("/domains/{domain_id}", summary="Update a domain", openapi_extra=graph_openapi())
def domains_patch(request, domain_id: str, payload: DomainPatch):
    """`isDefault: true` makes a verified domain the default. 204."""
    require_any(request, *WRITE)
    domain = _domain(request, domain_id)
    payload.refuse_extras()
    if payload.is_default is False and domain.name == request.tenant.default_domain:
        raise GraphError(400, "BadRequest", "Make another domain the default instead.")
    if payload.is_default:
        try:
            domain_set_default(tenant=request.tenant, actor=request.actor, domain=domain)
        except ValidationError as error:
            raise _bad(error) from None
    return HttpResponse(status=204)


@router.delete("/domains/{domain_id}", summary="Delete a domain", openapi_extra=graph_openapi())
def domains_delete(request, domain_id: str):
    """Starts the removal (the domain is PendingDeletion until it is done); 204. 400 when something still uses it."""
    require_any(request, *WRITE)
    domain = _domain(request, domain_id)
    try:
        domain_remove_start(tenant=request.tenant, actor=request.actor, domain=domain)
    except ValidationError as error:
        raise _bad(error) from None
    return HttpResponse(status=204)


def _record_shape(domain: Domain, record: dict, *, service: str, optional: bool = False) -> dict:
    label = domain.name if record.get("host", record.get("name")) == "@" else f"{record.get('name')}.{domain.name}"
    rtype = record["type"]
    shape = {"id": f"{rtype.lower()}:{label}:{record['value']}", "isOptional": optional, "label": label,
             "recordType": rtype.capitalize(), "supportedService": service, "ttl": record["ttl"]}
    if rtype == "TXT":
        shape.update({"@odata.type": "#microsoft.graph.domainDnsTxtRecord", "text": record["value"]})
    elif rtype == "MX":
        shape.update({"@odata.type": "#microsoft.graph.domainDnsMxRecord", "mailExchange": record["value"],
                      "preference": record["priority"]})
    elif rtype == "CNAME":
        shape.update({"@odata.type": "#microsoft.graph.domainDnsCnameRecord", "canonicalName": record["value"]})
    elif rtype == "SRV":
        service_name, _dot, protocol = record["name"].partition(".")
        shape.update({"@odata.type": "#microsoft.graph.domainDnsSrvRecord", "nameTarget": record["value"],
                      "port": record["port"], "priority": record["priority"], "protocol": protocol,
                      "service": service_name, "weight": record["weight"]})
    else:
        shape.update({"@odata.type": "#microsoft.graph.domainDnsRecord"})
    return shape


def _records_response(name: str, values: list[dict]) -> JsonResponse:
    return JsonResponse({"@odata.context": odata_context(name), "value": values})


@router.get("/domains/{domain_id}/verificationDnsRecords", summary="List the verification records",
            openapi_extra=graph_openapi())
def verification_dns_records(request, domain_id: str):
    require_any(request, *READ)
    domain = _domain(request, domain_id)
    values = [_record_shape(domain, r, service="None") for r in verification_records(domain)]
    return _records_response(f"domains('{domain.name}')/verificationDnsRecords", values)


@router.get("/domains/{domain_id}/serviceConfigurationRecords", summary="List the service records",
            openapi_extra=graph_openapi())
def service_configuration_records(request, domain_id: str):
    require_any(request, *READ)
    domain = _domain(request, domain_id)
    services = {"MX": "Email", "TXT": "Email", "A": "None"}
    values = [_record_shape(domain, r, service=services.get(r["type"], "OfficeCommunicationsOnline")
                            if r["name"] != "autodiscover" else "Email") for r in service_records(domain)]
    return _records_response(f"domains('{domain.name}')/serviceConfigurationRecords", values)


@router.post("/domains/{domain_id}/verify", summary="Verify a domain", openapi_extra=graph_openapi())
def domains_verify(request, domain_id: str):
    """Looks for the TXT or MX record in live DNS now: 200 with the verified domain, 400 when not found."""
    require_any(request, *WRITE)
    domain = _domain(request, domain_id)
    try:
        domain, check = domain_verify(domain=domain, actor=request.actor)
    except DomainTaken as exc:
        raise GraphError(400, "BadRequest", str(exc)) from None
    if domain.verified_at is None:
        raise GraphError(400, "BadRequest", f"Domain verification failed. {check.message}")
    domain = _domain(request, domain.name)  # read back with isRoot
    return odata_entity("domains", domain_shape(domain, request.tenant.default_domain), None)


# --- DNS manager records (no Graph resource: /v1.0/tenantadmin/...) ---------------------------------

class RecordInput(_LookupFirst):
    record_type: str | None = None
    name: str | None = None
    value: str | None = None
    priority: int | None = None
    weight: int | None = None
    port: int | None = None
    ttl: int | None = None


def dns_record_shape(record: DnsRecord) -> dict:
    return {"id": str(record.pk), "name": record.name, "recordType": record.type, "value": record.value,
            "priority": record.priority, "weight": record.weight, "port": record.port, "ttl": record.ttl,
            "isSystem": record.is_system}


def _payload_data(payload: RecordInput, record: DnsRecord | None = None) -> dict:
    data = {f: getattr(record, f) for f in ("type", "name", "value", "priority", "weight", "port", "ttl")} if record else {}
    sent = payload.model_dump(exclude_unset=True)
    if "record_type" in sent:
        sent["type"] = sent.pop("record_type")
    data.update(sent)
    return data


def _record(request, domain: Domain, record_id: str) -> DnsRecord:
    record = DnsRecord.objects.filter(tenant=request.tenant, domain=domain, pk=record_id if record_id.isdigit() else 0).first()
    if record is None:
        raise not_found()
    return record


RECORDS = "/tenantadmin/domains/{domain_id}/dnsRecords"


@router.get(RECORDS, summary="List a hosted zone's DNS records", openapi_extra=graph_openapi())
def dns_records_list(request, domain_id: str):
    require_any(request, *READ)
    domain = _domain(request, domain_id)
    return _records_response(f"tenantadmin/domains('{domain.name}')/dnsRecords",
                             [dns_record_shape(r) for r in domain_records(tenant=request.tenant, domain=domain)])


def _save(request, domain, payload, record=None):
    payload.refuse_extras()
    if domain.hosting != Domain.Hosting.HOSTED:
        raise GraphError(400, "BadRequest", "The domain's DNS is not hosted here: switch its name servers first.")
    try:
        return zones.record_save(domain=domain, actor=request.actor, data=_payload_data(payload, record), record=record)
    except ValidationError as error:
        raise _bad(error) from None


@router.post(RECORDS, summary="Add a DNS record", openapi_extra=graph_openapi())
def dns_records_create(request, domain_id: str, payload: RecordInput):
    """A, AAAA, CNAME, MX, TXT or SRV; validated like the portal. 201."""
    require_any(request, *WRITE)
    record = _save(request, _domain(request, domain_id), payload)
    return JsonResponse(dns_record_shape(record), status=201)


@router.patch(RECORDS + "/{record_id}", summary="Change a DNS record", openapi_extra=graph_openapi())
def dns_records_patch(request, domain_id: str, record_id: str, payload: RecordInput):
    require_any(request, *WRITE)
    domain = _domain(request, domain_id)
    record = _record(request, domain, record_id)
    if record.is_system:
        raise GraphError(400, "BadRequest", "System records cannot be changed.")
    return JsonResponse(dns_record_shape(_save(request, domain, payload, record)))


@router.delete(RECORDS + "/{record_id}", summary="Remove a DNS record", openapi_extra=graph_openapi())
def dns_records_delete(request, domain_id: str, record_id: str):
    require_any(request, *WRITE)
    domain = _domain(request, domain_id)
    record = _record(request, domain, record_id)
    try:
        zones.record_delete(domain=domain, actor=request.actor, record=record)
    except ValidationError as error:
        raise _bad(error) from None
    return HttpResponse(status=204)
