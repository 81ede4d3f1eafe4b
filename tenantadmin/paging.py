"""Keyset (cursor) paging for portal list pages and the API.

Keyset paging stays fast on deep pages and never skips or repeats rows when
data changes between requests, unlike OFFSET paging. The cursor carries the
sort values of the last row shown; the next page starts strictly after them.

Sort fields must be non-null (the project stores '' for empty strings): SQL
orders NULLs inconsistently across databases and ``> NULL`` is never true, so
a cursor holding None for a non-pk field is rejected with CursorError.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core import signing
from django.db.models import Model, Q, QuerySet

__all__ = ["CursorError", "Page", "keyset_page"]

PK = "pk"


class CursorError(Exception):
    """The cursor is malformed, tampered with, or belongs to another listing."""


@dataclass
class Page:
    """One page of rows and the cursor of the page after it."""

    items: list
    next_cursor: str | None
    has_next: bool


def _encode_value(value: Any) -> list:
    """Tag a sort value with its type so it decodes to the same Python type."""
    # Order matters: bool is an int subclass and datetime is a date subclass.
    if value is None:
        return ["none"]
    if isinstance(value, bool):
        return ["bool", value]
    if isinstance(value, int):
        return ["int", value]
    if isinstance(value, str):
        return ["str", value]
    if isinstance(value, datetime):
        return ["datetime", value.isoformat()]
    if isinstance(value, date):
        return ["date", value.isoformat()]
    if isinstance(value, Decimal):
        return ["decimal", str(value)]
    if isinstance(value, uuid.UUID):
        return ["uuid", str(value)]
    raise TypeError(f"Cannot store a {type(value).__name__} in a paging cursor")


_PARSERS = {
    "datetime": datetime.fromisoformat,
    "date": date.fromisoformat,
    "decimal": Decimal,
    "uuid": uuid.UUID,
}


def _decode_value(encoded: Any) -> Any:
    """Invert _encode_value, rejecting anything it could not have produced."""
    match encoded:
        case ["none"]:
            return None
        case ["bool", bool() as raw]:
            return raw
        case ["int", int() as raw] if not isinstance(raw, bool):
            return raw
        case ["str", str() as raw]:
            return raw
        case [str() as tag, str() as raw] if tag in _PARSERS:
            try:
                return _PARSERS[tag](raw)
            except (ValueError, InvalidOperation):
                pass
    raise CursorError("Invalid cursor")


def _encode_cursor(spec: list[list], values: list[Any], salt: str) -> str:
    """Sign the sort spec and the last row's sort values into an opaque string."""
    return signing.dumps({"o": spec, "v": [_encode_value(v) for v in values]}, salt=salt, compress=True)


def _decode_cursor(cursor: str, spec: list[list], salt: str) -> list[Any]:
    """Verify the signature and sort order of a cursor and return its sort values."""
    try:
        payload = signing.loads(cursor, salt=salt)
    except signing.BadSignature:
        raise CursorError("Invalid cursor") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("v"), list):
        raise CursorError("Invalid cursor")
    if payload.get("o") != spec:
        raise CursorError("The cursor does not match this sort order")
    values = [_decode_value(v) for v in payload["v"]]
    if len(values) != len(spec):
        raise CursorError("Invalid cursor")
    # A saved row's pk is never None, so a None can only come from a nullable sort field.
    if any(value is None for value in values):
        raise CursorError("The cursor holds a null sort value; sort fields must be non-null")
    return values


def _attnames(model: type[Model], lookups: list[str]) -> list[str]:
    """Map order lookups to concrete column attributes (e.g. a FK "tenant" to "tenant_id")."""
    names = []
    for lookup in lookups:
        # Following relations would need joins and getattr chains; no caller needs that yet.
        if "__" in lookup:
            raise ValueError(f"Keyset paging only supports direct model fields, not {lookup!r}")
        field = model._meta.pk if lookup == PK else model._meta.get_field(lookup)
        # Many-to-many fields count as concrete but have no column on this table.
        if field not in model._meta.concrete_fields:
            raise ValueError(f"Keyset paging needs a column of {model.__name__}, not {lookup!r}")
        names.append(field.attname)
    return names


def _after(attnames: list[str], descending: list[bool], values: list[Any]) -> Q:
    """Rows strictly after `values` in the given order: the lexicographic OR-chain."""
    condition = Q()
    for i, (name, desc) in enumerate(zip(attnames, descending)):
        equal = {attnames[j]: values[j] for j in range(i)}
        condition |= Q(**equal, **{f"{name}__{'lt' if desc else 'gt'}": values[i]})
    return condition


def keyset_page(
    queryset: QuerySet, *, order: list[tuple[str, bool]], size: int, cursor: str | None, salt: str
) -> Page:
    """Fetch the page after `cursor` (or the first page) with one query and no COUNT."""
    if size < 1:
        raise ValueError("Page size must be at least 1")
    model = queryset.model
    spec = [[lookup, desc] for lookup, desc in order]
    pk = model._meta.pk
    if not any(lookup in (PK, pk.name, pk.attname) for lookup, _ in order):
        # The pk tie-breaker makes the order total, so rows with equal sort values are never
        # skipped or repeated at a page boundary. An order that has the pk is total already.
        spec.append([PK, order[-1][1] if order else False])
    attnames = _attnames(model, [lookup for lookup, _ in spec])
    descending = [desc for _, desc in spec]

    queryset = queryset.order_by(*[("-" if desc else "") + name for name, desc in zip(attnames, descending)])
    if cursor:
        queryset = queryset.filter(_after(attnames, descending, _decode_cursor(cursor, spec, salt)))
    rows = list(queryset[: size + 1])  # the extra row only tells us whether a next page exists

    items, has_next = rows[:size], len(rows) > size
    next_cursor = None
    if has_next:
        last = items[-1]
        next_cursor = _encode_cursor(spec, [getattr(last, name) for name in attnames], salt)
    return Page(items=items, next_cursor=next_cursor, has_next=has_next)
