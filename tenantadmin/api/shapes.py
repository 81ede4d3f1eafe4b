"""Shared pieces of Graph's JSON shapes: camelCase schemas, timestamps, collections with paging."""

from datetime import UTC, datetime
from typing import Callable

from django.conf import settings
from django.db.models import QuerySet
from django.http import JsonResponse
from ninja import Schema
from pydantic import ConfigDict, Field, create_model
from pydantic.alias_generators import to_camel

from tenantadmin.api.odata import Field as ODataField
from tenantadmin.api.odata import ODataQuery, apply_select
from tenantadmin.paging import keyset_page

API_ROOT = "/v1.0"

# For properties a client may $select but not filter or sort on: derived values, or not one column.
SELECT_ONLY = ODataField("pk", filterable=False, sortable=False)


def iso(value: datetime | None) -> str | None:
    """ISO-8601 in UTC with a Z, as Graph writes Edm.DateTimeOffset."""
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class GraphSchema(Schema):
    """Python names in snake_case, JSON names in camelCase as Graph spells them."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class GraphInput(Schema):
    """A request body: camelCase names only, and an unknown property is an error rather than ignored."""

    model_config = ConfigDict(alias_generator=to_camel, extra="forbid")


def collection_of(item: type, name: str) -> type:
    """The OpenAPI schema of a Graph collection of `item` (an `@odata.*` envelope around `value`)."""
    return create_model(
        name,
        __base__=Schema,
        odata_context=(str, Field(alias="@odata.context")),
        odata_count=(int | None, Field(None, alias="@odata.count")),
        odata_next_link=(str | None, Field(None, alias="@odata.nextLink")),
        value=(list[item], ...),
    )


def odata_context(name: str, select: list[str] | None = None, *, entity: bool = False) -> str:
    """The @odata.context URL; Graph lists the $select properties in it."""
    fragment = name + (f"({','.join(select)})" if select else "") + ("/$entity" if entity else "")
    return f"{settings.PUBLIC_URL}{API_ROOT}/$metadata#{fragment}"


def next_link(request, cursor: str) -> str:
    """The request's own URL with the next page's $skiptoken, so every other option carries over."""
    params = request.GET.copy()
    for key in list(params):
        if key.lower().lstrip("$") == "skiptoken":
            del params[key]
    params["$skiptoken"] = cursor
    return f"{settings.PUBLIC_URL}{request.path}?{params.urlencode(safe='$')}"


def odata_collection(request, queryset: QuerySet, query: ODataQuery, *, fields: dict, name: str, salt: str,
                     serialize: Callable[[object], dict]) -> JsonResponse:
    """One keyset page of `queryset` as a Graph collection, honouring $filter, $orderby, $top, $count, $select.

    Answered as a JsonResponse, so ninja does not validate it against the declared (full) schema,
    which a $select projection would fail."""
    if query.filter_q is not None:
        queryset = queryset.filter(query.filter_q)
    body = {"@odata.context": odata_context(name, query.select)}
    if query.count:
        body["@odata.count"] = queryset.count()
    order = [(fields[prop].lookup, desc) for prop, desc in query.order_by]
    page = keyset_page(queryset, order=order, size=query.top, cursor=query.skiptoken, salt=salt)
    body["value"] = [apply_select(serialize(item), query.select) for item in page.items]
    if page.has_next:
        body["@odata.nextLink"] = next_link(request, page.next_cursor)
    return JsonResponse(body)


def odata_entity(name: str, item: dict, select: list[str] | None, status: int = 200) -> JsonResponse:
    return JsonResponse({"@odata.context": odata_context(name, select, entity=True), **apply_select(item, select)},
                        status=status)


_ODATA_OPTIONS = {
    "filter": ({"type": "string"}, "e.g. `displayName eq 'Contoso'` or `startswith(displayName,'C')`."),
    "select": ({"type": "string"}, "Comma-separated properties to return."),
    "orderby": ({"type": "string"}, "`property [asc|desc]`, comma-separated."),
    "top": ({"type": "integer", "minimum": 1, "maximum": 999}, "Page size (default 100)."),
    "count": ({"type": "boolean"}, "Add `@odata.count`, the number of matching items."),
    "skiptoken": ({"type": "string"}, "Opaque paging token; follow `@odata.nextLink` instead of building it."),
}
COLLECTION_OPTIONS = tuple(_ODATA_OPTIONS)

_GRAPH_ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "innerError": {"type": "object", "properties": {
            "date": {"type": "string"}, "request-id": {"type": "string"}, "client-request-id": {"type": "string"},
        }},
    }}},
}
_ERRORS = {
    400: "BadRequest: invalid body or query option (Request_UnsupportedQuery for an unsupported one)",
    401: "InvalidAuthenticationToken: missing, invalid or expired token",
    403: "Authorization_RequestDenied: the token lacks the permission",
    404: "Request_ResourceNotFound",
}


def graph_openapi(*options: str) -> dict:
    """openapi_extra of a /v1.0 route: the OData options it takes and Graph's error responses."""
    return {
        "parameters": [
            {"in": "query", "name": f"${name}", "required": False, "schema": _ODATA_OPTIONS[name][0],
             "description": _ODATA_OPTIONS[name][1]}
            for name in options
        ],
        "responses": {
            status: {"description": text, "content": {"application/json": {"schema": _GRAPH_ERROR_SCHEMA}}}
            for status, text in _ERRORS.items()
        },
    }
