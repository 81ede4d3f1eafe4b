"""OData system query options ($filter, $select, $orderby, $top, $count, $skiptoken).

Follows the Microsoft Graph v1.0 conventions closely enough that Graph clients
and SDKs work unchanged, but supports only the subset this API needs.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q

__all__ = ["ODataError", "Field", "ODataQuery", "parse_query", "parse_filter", "apply_select"]

DEFAULT_TYPE_NAME = "microsoft.graph.entity"
MAX_FILTER_LENGTH = 2000
MAX_FILTER_DEPTH = 20

# Options we implement, and OData options we recognise but deliberately do not.
_SUPPORTED_OPTIONS = frozenset({"filter", "select", "orderby", "top", "count", "skiptoken"})
_UNSUPPORTED_OPTIONS = frozenset(
    {"expand", "skip", "search", "format", "compute", "apply", "levels", "deltatoken"}
)

# Graph/EDM type names are used in error messages so clients see familiar wording.
_EDM_TYPES = {
    "string": "Edm.String",
    "int": "Edm.Int64",
    "bool": "Edm.Boolean",
    "datetime": "Edm.DateTimeOffset",
    "guid": "Edm.Guid",
}
_KINDS = frozenset(_EDM_TYPES)

_COMPARISONS = {"eq": "exact", "ne": "exact", "gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}
_FUNCTIONS = {"startswith": "istartswith", "endswith": "iendswith"}

_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INT_RE = re.compile(r"[+-]?[0-9]+")
_GUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# An explicit offset is required: Edm.DateTimeOffset has no naive form.
_DATETIME_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,7})?)?(?:Z|[+-][0-9]{2}:[0-9]{2})"
)
# Keeps integer literals inside a signed 64-bit column so the database never overflows.
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1


class ODataError(Exception):
    """Bad query option. .code is a Graph error code, .message is human text."""

    def __init__(self, message: str, code: str = "BadRequest"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Field:
    """How a Graph property maps onto the ORM and which options it supports."""

    lookup: str
    kind: str = "string"
    filterable: bool = True
    sortable: bool = True

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"Unknown field kind {self.kind!r}; expected one of {sorted(_KINDS)}")


@dataclass
class ODataQuery:
    """The validated query options of one request."""

    filter_q: Q | None
    order_by: list[tuple[str, bool]]
    top: int
    select: list[str] | None
    count: bool
    skiptoken: str | None


def _field(name: str, fields: dict[str, Field], type_name: str) -> Field:
    """Look up an exposed property, failing with Graph's wording for unknown names."""
    try:
        return fields[name]
    except KeyError:
        raise ODataError(f"Could not find a property named '{name}' on type '{type_name}'.") from None


# --------------------------------------------------------------------------- $filter


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", ",", "string", "word" or "end"
    text: str
    pos: int
    value: str = ""  # unescaped content of a string token


@dataclass(frozen=True)
class _Literal:
    kind: str  # a Field kind or "null"
    value: Any


def _tokenize(text: str) -> list[_Token]:
    """Split a $filter expression into punctuation, quoted strings and bare words."""
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "(),":
            tokens.append(_Token(ch, ch, i))
            i += 1
        elif ch == "'":
            start, i, parts = i, i + 1, []
            while True:
                end = text.find("'", i)
                if end < 0:
                    raise ODataError(f"Unterminated string literal at position {start}.")
                parts.append(text[i:end])
                if text.startswith("''", end):  # '' is an escaped quote
                    parts.append("'")
                    i = end + 2
                else:
                    i = end + 1
                    break
            tokens.append(_Token("string", text[start:i], start, "".join(parts)))
        else:
            # A bare word runs to the next separator; it is classified by the parser
            # because e.g. "2026-11-01T00:00:00Z" and a GUID are single literals.
            start = i
            while i < n and not text[i].isspace() and text[i] not in "(),'":
                i += 1
            tokens.append(_Token("word", text[start:i], start))
    tokens.append(_Token("end", "", n))
    return tokens


class _FilterParser:
    """Recursive-descent parser: or_expr > and_expr > not > primary (lowest to highest)."""

    def __init__(self, text: str, fields: dict[str, Field], type_name: str):
        self.tokens = _tokenize(text)
        self.index = 0
        self.depth = 0
        self.fields = fields
        self.type_name = type_name

    def parse(self) -> Q:
        q = self._or()
        token = self._peek()
        if token.kind != "end":
            raise self._syntax(token, "unexpected")
        return q

    # -- token helpers

    def _peek(self) -> _Token:
        return self.tokens[self.index]

    def _next(self) -> _Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def _is_keyword(self, word: str) -> bool:
        token = self._peek()
        return token.kind == "word" and token.text.lower() == word

    def _expect(self, punctuation: str) -> None:
        token = self._next()
        if token.kind != punctuation:
            raise self._syntax(token, f"expected '{punctuation}' but found")

    @staticmethod
    def _syntax(token: _Token, what: str) -> ODataError:
        if token.kind == "end":
            found = "end of expression"
        else:  # a string token's text already carries its quotes
            found = token.text if token.kind == "string" else f"'{token.text}'"
        return ODataError(f"Syntax error in $filter at position {token.pos}: {what} {found}.")

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_FILTER_DEPTH:
            raise ODataError(f"The $filter expression is nested too deeply (max {MAX_FILTER_DEPTH} levels).")

    # -- grammar

    def _or(self) -> Q:
        q = self._and()
        while self._is_keyword("or"):
            self._next()
            q = q | self._and()
        return q

    def _and(self) -> Q:
        q = self._not()
        while self._is_keyword("and"):
            self._next()
            q = q & self._not()
        return q

    def _not(self) -> Q:
        if not self._is_keyword("not"):
            return self._primary()
        self._next()
        self._enter()
        q = ~self._not()
        self.depth -= 1
        return q

    def _primary(self) -> Q:
        token = self._next()
        if token.kind == "(":
            self._enter()
            q = self._or()
            self._expect(")")
            self.depth -= 1
            return q
        if token.kind != "word" or not _IDENT_RE.fullmatch(token.text):
            raise self._syntax(token, "expected a property name or function but found")
        if self._peek().kind == "(":
            return self._function(token)
        return self._comparison(token)

    def _function(self, name_token: _Token) -> Q:
        name = name_token.text.lower()
        if name not in _FUNCTIONS:
            raise ODataError(
                f"The function '{name_token.text}' is not supported in $filter.", "Request_UnsupportedQuery"
            )
        self._expect("(")
        prop = self._next()
        if prop.kind != "word" or not _IDENT_RE.fullmatch(prop.text):
            raise self._syntax(prop, "expected a property name but found")
        field = self._filterable(prop.text)
        if field.kind != "string":
            raise ODataError(
                f"The function '{name}' requires a string property; "
                f"'{prop.text}' is {_EDM_TYPES[field.kind]}."
            )
        self._expect(",")
        arg = self._next()
        if arg.kind != "string":
            raise self._syntax(arg, f"'{name}' expects a quoted string but found")
        self._expect(")")
        return Q(**{f"{field.lookup}__{_FUNCTIONS[name]}": arg.value})

    def _comparison(self, prop: _Token) -> Q:
        field = self._filterable(prop.text)
        op_token = self._next()
        op = op_token.text.lower()
        if op_token.kind != "word":
            raise self._syntax(op_token, "expected a comparison operator but found")
        if op not in _COMPARISONS:
            raise self._syntax(op_token, "unknown operator")
        literal = self._literal()
        if literal.kind == "null":
            if op not in ("eq", "ne"):
                raise ODataError(f"null can only be compared with 'eq' or 'ne', not '{op}'.")
            return Q(**{f"{field.lookup}__isnull": op == "eq"})
        if field.kind == "guid" and literal.kind == "string" and _GUID_RE.fullmatch(literal.value):
            # Graph clients often quote GUIDs, so a quoted GUID also fits a guid property.
            literal = _Literal("guid", uuid.UUID(literal.value))
        if literal.kind != field.kind:
            raise ODataError(
                f"Incompatible types for operator '{op}': property '{prop.text}' is "
                f"{_EDM_TYPES[field.kind]} but the value is {_EDM_TYPES[literal.kind]}."
            )
        if field.kind in ("bool", "guid") and op not in ("eq", "ne"):
            raise ODataError(f"The operator '{op}' is not supported for {_EDM_TYPES[field.kind]} properties.")
        # Graph compares directory strings case-insensitively.
        lookup = "iexact" if field.kind == "string" and op in ("eq", "ne") else _COMPARISONS[op]
        q = Q(**{f"{field.lookup}__{lookup}": literal.value})
        return ~q if op == "ne" else q

    def _filterable(self, name: str) -> Field:
        field = _field(name, self.fields, self.type_name)
        if not field.filterable:
            raise ODataError(f"The property '{name}' does not support filtering.", "Request_UnsupportedQuery")
        return field

    def _literal(self) -> _Literal:
        token = self._next()
        if token.kind == "string":
            return _Literal("string", token.value)
        if token.kind != "word":
            raise self._syntax(token, "expected a value but found")
        text, lower = token.text, token.text.lower()
        if lower == "null":
            return _Literal("null", None)
        if lower in ("true", "false"):
            return _Literal("bool", lower == "true")
        if _INT_RE.fullmatch(text):
            value = int(text)
            if not _INT_MIN <= value <= _INT_MAX:
                raise ODataError(f"The integer literal '{text}' at position {token.pos} is out of range.")
            return _Literal("int", value)
        if _GUID_RE.fullmatch(text):
            return _Literal("guid", uuid.UUID(text))
        if _DATETIME_RE.fullmatch(text):
            try:
                return _Literal("datetime", datetime.fromisoformat(text))
            except ValueError:
                raise ODataError(f"Invalid datetime literal '{text}' at position {token.pos}.") from None
        raise self._syntax(token, "expected a value but found")


def parse_filter(text: str, fields: dict[str, Field], *, type_name: str = DEFAULT_TYPE_NAME) -> Q:
    """Translate a $filter expression into a Q object, validating names and types."""
    if len(text) > MAX_FILTER_LENGTH:
        raise ODataError(f"The $filter expression is too long (max {MAX_FILTER_LENGTH} characters).")
    if not text.strip():
        raise ODataError("The $filter expression is empty.")
    return _FilterParser(text, fields, type_name).parse()


# --------------------------------------------------------------------------- query options


def _options(params: Mapping[str, str]) -> dict[str, str]:
    """Collect OData options by bare lowercase name, with or without the '$' prefix."""
    options: dict[str, str] = {}
    for key, value in params.items():
        name = key[1:].lower() if key.startswith("$") else key.lower()
        if name in _SUPPORTED_OPTIONS:
            if name in options:
                raise ODataError(f"The query option '${name}' was specified more than once.")
            options[name] = value
        elif key.startswith("$") or name in _UNSUPPORTED_OPTIONS:
            raise ODataError(f"The query option '{key}' is not supported.", "Request_UnsupportedQuery")
    return options


def _parse_top(value: str, max_top: int) -> int:
    # isascii() because str.isdigit() also accepts digits such as '²' that int() rejects.
    if value.isascii() and value.isdigit() and len(value) <= 9 and 1 <= int(value) <= max_top:
        return int(value)
    raise ODataError(
        f"Invalid value for $top query option: '{value}'. It must be an integer from 1 to {max_top}."
    )


def _parse_select(value: str, fields: dict[str, Field], type_name: str) -> list[str]:
    names = [name.strip() for name in value.split(",")]
    if not all(names):
        raise ODataError(f"Invalid $select value: '{value}'.")
    for name in names:
        _field(name, fields, type_name)
    return list(dict.fromkeys(names))  # drop duplicates, keep the client's order


def _parse_orderby(value: str, fields: dict[str, Field], type_name: str) -> list[tuple[str, bool]]:
    order: list[tuple[str, bool]] = []
    for item in value.split(","):
        parts = item.split()
        if not parts or len(parts) > 2 or (len(parts) == 2 and parts[1].lower() not in ("asc", "desc")):
            raise ODataError(f"Invalid $orderby clause: '{item.strip()}'. Use 'property [asc|desc]'.")
        name = parts[0]
        if not _field(name, fields, type_name).sortable:
            raise ODataError(f"The property '{name}' does not support sorting.", "Request_UnsupportedQuery")
        if any(name == seen for seen, _ in order):
            raise ODataError(f"The property '{name}' appears more than once in $orderby.")
        order.append((name, len(parts) == 2 and parts[1].lower() == "desc"))
    return order


def _parse_count(value: str) -> bool:
    lowered = value.lower()
    if lowered not in ("true", "false"):
        raise ODataError(f"Invalid value for $count query option: '{value}'. It must be true or false.")
    return lowered == "true"


def parse_query(
    params: Mapping[str, str],
    fields: dict[str, Field],
    *,
    default_top: int = 100,
    max_top: int = 999,
    default_order: list[tuple[str, bool]] | None = None,
    type_name: str = DEFAULT_TYPE_NAME,
) -> ODataQuery:
    """Validate the OData options of a request against the exposed fields."""
    options = _options(params)
    filter_text = options.get("filter")
    return ODataQuery(
        filter_q=None if filter_text is None else parse_filter(filter_text, fields, type_name=type_name),
        order_by=(
            _parse_orderby(options["orderby"], fields, type_name)
            if "orderby" in options
            else list(default_order or [])
        ),
        top=_parse_top(options["top"], max_top) if "top" in options else default_top,
        select=_parse_select(options["select"], fields, type_name) if "select" in options else None,
        count=_parse_count(options["count"]) if "count" in options else False,
        skiptoken=options.get("skiptoken"),
    )


def apply_select(item: dict, select: list[str] | None, always: tuple[str, ...] = ("id",)) -> dict:
    """Project a serialized entity onto $select: @odata.* keys, then `always`, then `select` order."""
    if select is None:
        return item
    keys = [key for key in item if key.startswith("@odata.")]
    keys += [key for key in always if key not in select]
    keys += select
    # Missing keys are skipped: a serializer may omit a property it has no value for.
    return {key: item[key] for key in keys if key in item}
