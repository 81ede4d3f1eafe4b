"""Tests for the OData query option parser (pure: no database)."""

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from django.db.models import Q
from django.http import QueryDict

from tenantadmin.api.odata import Field, ODataError, ODataQuery, apply_select, parse_filter, parse_query

FIELDS = {
    "id": Field("id", "guid"),
    "displayName": Field("display_name"),
    "companyName": Field("tenant__name"),
    "age": Field("age", "int"),
    "accountEnabled": Field("is_enabled", "bool"),
    "createdDateTime": Field("created_at", "datetime"),
    "passwordHash": Field("password", filterable=False, sortable=False),
}
GUID = "d3b07384-d9a0-4c9b-8d6b-9e1b0a1c2e3f"


def error(func, *args, **kwargs) -> ODataError:
    """Call func expecting an ODataError and return it."""
    with pytest.raises(ODataError) as info:
        func(*args, **kwargs)
    return info.value


# ---------------------------------------------------------------- $filter: comparisons


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("displayName eq 'Ada'", Q(display_name__iexact="Ada")),
        ("displayName ne 'Ada'", ~Q(display_name__iexact="Ada")),
        ("companyName eq 'Contoso'", Q(tenant__name__iexact="Contoso")),
        ("displayName gt 'm'", Q(display_name__gt="m")),
        ("displayName le 'm'", Q(display_name__lte="m")),
        ("age eq 42", Q(age__exact=42)),
        ("age ne 42", ~Q(age__exact=42)),
        ("age gt -1", Q(age__gt=-1)),
        ("age ge +3", Q(age__gte=3)),
        ("age lt 10", Q(age__lt=10)),
        ("age le 10", Q(age__lte=10)),
        ("accountEnabled eq true", Q(is_enabled__exact=True)),
        ("accountEnabled ne FALSE", ~Q(is_enabled__exact=False)),
        ("id eq " + GUID, Q(id__exact=uuid.UUID(GUID))),
        ("id eq '" + GUID.upper() + "'", Q(id__exact=uuid.UUID(GUID))),
        (
            "createdDateTime ge 2026-11-01T00:00:00Z",
            Q(created_at__gte=datetime(2026, 11, 1, tzinfo=timezone.utc)),
        ),
        (
            "createdDateTime lt 2026-11-01T08:30:15.1234567+02:00",
            Q(created_at__lt=datetime(2026, 11, 1, 8, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))),
        ),
        ("displayName eq null", Q(display_name__isnull=True)),
        ("displayName ne null", Q(display_name__isnull=False)),
        ("age eq null", Q(age__isnull=True)),
        ("createdDateTime ne null", Q(created_at__isnull=False)),
    ],
)
def test_comparison(text, expected):
    assert parse_filter(text, FIELDS) == expected


def test_keywords_are_case_insensitive():
    assert parse_filter("age EQ 1 AND NOT accountEnabled Eq True", FIELDS) == Q(age__exact=1) & ~Q(
        is_enabled__exact=True
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("displayName eq 'O''Brien'", "O'Brien"),
        ("displayName eq ''''", "'"),
        ("displayName eq ''", ""),
        ("displayName eq 'a (b), c and d'", "a (b), c and d"),
    ],
)
def test_string_literals(text, value):
    assert parse_filter(text, FIELDS) == Q(display_name__iexact=value)


def test_whitespace_is_optional_around_punctuation():
    expected = Q(age__exact=1) | Q(display_name__iexact="x")
    assert parse_filter("(age eq 1)or(displayName eq'x')", FIELDS) == expected


# ---------------------------------------------------------------- $filter: functions


def test_startswith_and_endswith():
    assert parse_filter("startswith(displayName, 'Ad')", FIELDS) == Q(display_name__istartswith="Ad")
    assert parse_filter("endsWith(companyName,'.com')", FIELDS) == Q(tenant__name__iendswith=".com")


def test_function_requires_string_property():
    err = error(parse_filter, "startswith(age, '1')", FIELDS)
    assert err.code == "BadRequest"
    assert "string property" in err.message and "Edm.Int64" in err.message


def test_function_requires_quoted_argument():
    assert "position 24" in error(parse_filter, "startswith(displayName, null)", FIELDS).message
    assert "expected a property name" in error(parse_filter, "startswith('x', 'y')", FIELDS).message
    assert "expected ','" in error(parse_filter, "startswith(displayName 'y')", FIELDS).message
    assert "expected ')'" in error(parse_filter, "startswith(displayName, 'y'", FIELDS).message


@pytest.mark.parametrize(("text", "name"), [("contains(displayName, 'a')", "contains"), ("age (1)", "age")])
def test_unknown_function_is_unsupported(text, name):
    err = error(parse_filter, text, FIELDS)
    assert err.code == "Request_UnsupportedQuery"
    assert f"The function '{name}' is not supported" in err.message


def test_function_on_unfilterable_property():
    assert error(parse_filter, "startswith(passwordHash, 'a')", FIELDS).code == "Request_UnsupportedQuery"


# ---------------------------------------------------------------- $filter: boolean logic


def test_precedence_not_over_and_over_or():
    a, b, c = Q(age__exact=1), Q(age__exact=2), Q(age__exact=3)
    assert parse_filter("age eq 1 or age eq 2 and age eq 3", FIELDS) == a | (b & c)
    assert parse_filter("age eq 1 and age eq 2 or age eq 3", FIELDS) == (a & b) | c
    assert parse_filter("not age eq 1 and age eq 2", FIELDS) == ~a & b
    assert parse_filter("not not age eq 1", FIELDS) == ~~a


def test_parentheses_override_precedence():
    a, b, c = Q(age__exact=1), Q(age__exact=2), Q(age__exact=3)
    assert parse_filter("(age eq 1 or age eq 2) and age eq 3", FIELDS) == (a | b) & c
    assert parse_filter("not (age eq 1 or age eq 2)", FIELDS) == ~(a | b)
    assert parse_filter("((age eq 1))", FIELDS) == a


def test_nesting_limit():
    assert parse_filter("(" * 20 + "age eq 1" + ")" * 20, FIELDS) == Q(age__exact=1)
    assert "nested too deeply" in error(parse_filter, "(" * 21 + "age eq 1" + ")" * 21, FIELDS).message
    assert "nested too deeply" in error(parse_filter, "not " * 21 + "age eq 1", FIELDS).message


def test_length_limit():
    text = "displayName eq '" + "x" * 1983 + "'"
    assert len(text) == 2000
    assert parse_filter(text, FIELDS) == Q(display_name__iexact="x" * 1983)
    assert "too long" in error(parse_filter, text + " ", FIELDS).message


# ---------------------------------------------------------------- $filter: errors


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("displayName eq 'Ada", "Unterminated string literal at position 15"),
        ("(age eq 1", "position 9: expected ')' but found end of expression"),
        ("age eq 1)", "position 8: unexpected ')'"),
        ("age eq 1 age eq 2", "position 9: unexpected 'age'"),
        ("age has 1", "position 4: unknown operator 'has'"),
        ("age = 1", "unknown operator '='"),
        ("age", "expected a comparison operator but found end of expression"),
        ("age 'x'", "expected a comparison operator but found 'x'"),
        ("age eq", "position 6: expected a value but found end of expression"),
        ("age eq 1.5", "expected a value but found '1.5'"),
        ("age eq )", "expected a value but found ')'"),
        ("age eq 1 and", "expected a property name or function but found end of expression"),
        ("'x' eq displayName", "position 0: expected a property name or function but found 'x'"),
        ("9lives eq 1", "expected a property name or function but found '9lives'"),
        (")", "position 0"),
    ],
)
def test_syntax_errors(text, fragment):
    err = error(parse_filter, text, FIELDS)
    assert err.code == "BadRequest"
    assert fragment in err.message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("displayName eq 1", "'displayName' is Edm.String but the value is Edm.Int64"),
        ("displayName eq true", "Edm.Boolean"),
        ("displayName eq " + GUID, "Edm.Guid"),
        ("age eq '1'", "'age' is Edm.Int64 but the value is Edm.String"),
        ("accountEnabled eq 1", "Edm.Boolean but the value is Edm.Int64"),
        ("accountEnabled eq 'true'", "Edm.Boolean but the value is Edm.String"),
        ("createdDateTime gt '2026-11-01T00:00:00Z'", "Edm.DateTimeOffset but the value is Edm.String"),
        ("createdDateTime gt 2026", "Edm.DateTimeOffset but the value is Edm.Int64"),
        ("id eq 'not-a-guid'", "Edm.Guid but the value is Edm.String"),
        ("id eq 5", "Edm.Guid but the value is Edm.Int64"),
        ("accountEnabled gt false", "'gt' is not supported for Edm.Boolean"),
        ("id lt " + GUID, "'lt' is not supported for Edm.Guid"),
        ("age gt null", "null can only be compared with 'eq' or 'ne'"),
        ("createdDateTime eq 2026-13-01T00:00:00Z", "Invalid datetime literal '2026-13-01T00:00:00Z'"),
        ("createdDateTime eq 2026-11-01T00:00:00", "expected a value"),  # no offset
        ("age eq 9223372036854775808", "out of range"),
    ],
)
def test_type_errors(text, fragment):
    err = error(parse_filter, text, FIELDS)
    assert err.code == "BadRequest"
    assert fragment in err.message


def test_int_range_edges_are_accepted():
    assert parse_filter("age eq 9223372036854775807", FIELDS) == Q(age__exact=2**63 - 1)
    assert parse_filter("age eq -9223372036854775808", FIELDS) == Q(age__exact=-(2**63))


def test_unknown_property_uses_graph_wording():
    err = error(parse_filter, "foo eq 1", FIELDS, type_name="microsoft.graph.user")
    assert err.code == "BadRequest"
    assert err.message == "Could not find a property named 'foo' on type 'microsoft.graph.user'."
    assert "'microsoft.graph.entity'" in error(parse_filter, "foo eq 1", FIELDS).message


def test_property_names_are_case_sensitive():
    assert "named 'displayname'" in error(parse_filter, "displayname eq 'x'", FIELDS).message


def test_unfilterable_property():
    err = error(parse_filter, "passwordHash eq 'x'", FIELDS)
    assert err.code == "Request_UnsupportedQuery"
    assert err.message == "The property 'passwordHash' does not support filtering."


# ---------------------------------------------------------------- parse_query


def test_defaults():
    assert parse_query({}, FIELDS) == ODataQuery(
        filter_q=None, order_by=[], top=100, select=None, count=False, skiptoken=None
    )
    query = parse_query({}, FIELDS, default_top=20, default_order=[("displayName", False)])
    assert (query.top, query.order_by) == (20, [("displayName", False)])


def test_all_options_with_and_without_dollar():
    params = {
        "$filter": "age gt 1",
        "select": "displayName,id",
        "$orderby": "age desc, displayName",
        "top": "5",
        "$count": "TRUE",
        "$skiptoken": "abc",
        "tenant": "ignored",  # not an OData option
    }
    assert parse_query(params, FIELDS) == ODataQuery(
        filter_q=Q(age__gt=1),
        order_by=[("age", True), ("displayName", False)],
        top=5,
        select=["displayName", "id"],
        count=True,
        skiptoken="abc",
    )


def test_option_names_are_case_insensitive():
    assert parse_query({"$TOP": "3", "OrderBy": "age"}, FIELDS).top == 3


def test_option_given_twice():
    assert "more than once" in error(parse_query, {"$top": "1", "top": "2"}, FIELDS).message


@pytest.mark.parametrize("key", ["$expand", "$skip", "$search", "$foo", "expand", "skip", "search"])
def test_unsupported_options(key):
    err = error(parse_query, {key: "x"}, FIELDS)
    assert err.code == "Request_UnsupportedQuery"
    assert f"'{key}'" in err.message


@pytest.mark.parametrize("value", ["1", "999"])
def test_top_valid(value):
    assert parse_query({"$top": value}, FIELDS).top == int(value)


@pytest.mark.parametrize("value", ["0", "1000", "-1", "+5", " 5", "abc", "", "1.0", "²", "9" * 5000])
def test_top_invalid(value):
    err = error(parse_query, {"$top": value}, FIELDS)
    assert err.code == "BadRequest"
    assert err.message.startswith("Invalid value for $top")


def test_top_respects_max_top():
    assert parse_query({"$top": "50"}, FIELDS, max_top=50).top == 50
    assert "from 1 to 50" in error(parse_query, {"$top": "51"}, FIELDS, max_top=50).message


def test_select():
    assert parse_query({"$select": " displayName , age,displayName"}, FIELDS).select == ["displayName", "age"]
    # $select works on properties that cannot be filtered or sorted.
    assert parse_query({"$select": "passwordHash"}, FIELDS).select == ["passwordHash"]


def test_select_errors():
    err = error(parse_query, {"$select": "id,foo"}, FIELDS, type_name="microsoft.graph.user")
    assert err.message == "Could not find a property named 'foo' on type 'microsoft.graph.user'."
    assert "Invalid $select" in error(parse_query, {"$select": "id,,age"}, FIELDS).message
    assert "Invalid $select" in error(parse_query, {"$select": ""}, FIELDS).message


def test_orderby():
    query = parse_query({"$orderby": "displayName DESC,age asc, id"}, FIELDS, default_order=[("age", True)])
    assert query.order_by == [("displayName", True), ("age", False), ("id", False)]


@pytest.mark.parametrize(
    ("value", "code", "fragment"),
    [
        ("foo", "BadRequest", "Could not find a property named 'foo'"),
        ("passwordHash", "Request_UnsupportedQuery", "'passwordHash' does not support sorting"),
        ("age sideways", "BadRequest", "Invalid $orderby clause: 'age sideways'"),
        ("age desc extra", "BadRequest", "Invalid $orderby clause"),
        ("age,,id", "BadRequest", "Invalid $orderby clause"),
        ("", "BadRequest", "Invalid $orderby clause"),
        ("age, age desc", "BadRequest", "'age' appears more than once"),
    ],
)
def test_orderby_errors(value, code, fragment):
    err = error(parse_query, {"$orderby": value}, FIELDS)
    assert err.code == code
    assert fragment in err.message


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("False", False), ("TRUE", True)])
def test_count(value, expected):
    assert parse_query({"$count": value}, FIELDS).count is expected


@pytest.mark.parametrize("value", ["1", "yes", ""])
def test_count_invalid(value):
    assert "Invalid value for $count" in error(parse_query, {"$count": value}, FIELDS).message


def test_filter_errors_propagate_with_type_name():
    err = error(parse_query, {"$filter": "foo eq 1"}, FIELDS, type_name="microsoft.graph.group")
    assert "'microsoft.graph.group'" in err.message
    assert "empty" in error(parse_query, {"$filter": ""}, FIELDS).message


def test_works_with_querydict():
    query = parse_query(QueryDict("$top=2&$filter=startswith(displayName,'a%20b')"), FIELDS)
    assert (query.top, query.filter_q) == (2, Q(display_name__istartswith="a b"))


def test_field_rejects_unknown_kind():
    with pytest.raises(ValueError, match="Unknown field kind"):
        Field("x", "float")


def test_odata_error_attributes():
    err = ODataError("boom")
    assert (err.message, err.code, str(err)) == ("boom", "BadRequest", "boom")


# ---------------------------------------------------------------- apply_select

ITEM = {"@odata.type": "#microsoft.graph.user", "id": "1", "displayName": "Ada", "age": 36, "mail": "a@x"}


def test_apply_select_none_returns_item():
    assert apply_select(ITEM, None) is ITEM


def test_apply_select_order_and_always():
    result = apply_select(ITEM, ["mail", "displayName"])
    assert list(result.items()) == [
        ("@odata.type", "#microsoft.graph.user"),
        ("id", "1"),
        ("mail", "a@x"),
        ("displayName", "Ada"),
    ]
    assert ITEM["age"] == 36 and len(ITEM) == 5  # the input is not modified


def test_apply_select_id_in_select_keeps_select_order():
    assert list(apply_select(ITEM, ["age", "id"])) == ["@odata.type", "age", "id"]


def test_apply_select_custom_always_and_missing_keys():
    result = apply_select(ITEM, ["nope", "age"], always=())
    assert result == {"@odata.type": "#microsoft.graph.user", "age": 36}
