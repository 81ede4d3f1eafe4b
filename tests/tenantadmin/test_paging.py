"""Tests for keyset paging, run against Django's own auth tables."""

import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import signing

from tenantadmin.paging import CursorError, Page, _decode_value, _encode_cursor, _encode_value, keyset_page

SALT = "tests.paging"


def walk(queryset, order, size, salt=SALT) -> list:
    """Follow next_cursor from the first page to the last and return every row seen."""
    seen, cursor = [], None
    while True:
        page = keyset_page(queryset, order=order, size=size, cursor=cursor, salt=salt)
        assert len(page.items) <= size
        assert page.has_next == (page.next_cursor is not None)
        if page.has_next:
            assert len(page.items) == size
        seen += page.items
        if not page.has_next:
            return seen
        cursor = page.next_cursor


@pytest.fixture
def groups():
    # Shared prefixes ("team", "team 1", "team 10") are where naive string cursors go wrong.
    names = [f"team {i}" for i in range(1, 21)] + ["team", "team 1a", "teamwork", "a", "Z"]
    return [Group.objects.create(name=name) for name in names]


@pytest.fixture
def permissions():
    """25 permissions whose names repeat, so the pk tie-breaker decides within each name."""
    content_type = ContentType.objects.get_for_model(Group)
    return [
        Permission.objects.create(
            name=f"perm {i % 4}", codename=f"pg_{i % 3}_{i:02d}", content_type=content_type
        )
        for i in range(25)
    ]


def first_page(order, salt=SALT) -> Page:
    """The first page of all groups, seven at a time."""
    return keyset_page(Group.objects.all(), order=order, size=7, cursor=None, salt=salt)


# ---------------------------------------------------------------- walking pages


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("order", "db_order"),
    [
        ([("name", False)], ["name", "pk"]),
        ([("name", True)], ["-name", "-pk"]),
        ([], ["pk"]),
        ([("id", True)], ["-pk"]),
    ],
)
def test_walk_groups(groups, order, db_order):
    seen = walk(Group.objects.all(), order, size=7)
    assert [g.pk for g in seen] == list(Group.objects.order_by(*db_order).values_list("pk", flat=True))
    assert sorted(g.pk for g in seen) == sorted(g.pk for g in groups)  # every row exactly once


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("order", "db_order"),
    [
        ([("name", False)], ["name", "pk"]),
        ([("name", True)], ["-name", "-pk"]),
        ([("name", True), ("codename", False)], ["-name", "codename", "pk"]),
        ([("name", False), ("codename", True)], ["name", "-codename", "-pk"]),
        ([("content_type", False), ("name", True)], ["content_type_id", "-name", "-pk"]),
    ],
)
@pytest.mark.parametrize("size", [1, 3, 7, 24, 25, 26])
def test_walk_with_ties_and_mixed_directions(permissions, order, db_order, size):
    queryset = Permission.objects.filter(codename__startswith="pg_")
    seen = walk(queryset, order, size=size)
    assert [p.pk for p in seen] == list(queryset.order_by(*db_order).values_list("pk", flat=True))
    assert len(seen) == len({p.pk for p in seen}) == 25


@pytest.mark.django_db
def test_exact_multiple_of_page_size_ends_without_empty_page(groups):
    pages, cursor = [], None
    while True:
        page = keyset_page(Group.objects.all(), order=[("name", False)], size=5, cursor=cursor, salt=SALT)
        pages.append(page)
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert [len(p.items) for p in pages] == [5, 5, 5, 5, 5]
    assert pages[-1].next_cursor is None


@pytest.mark.django_db
def test_empty_queryset():
    assert first_page([("name", False)]) == Page(items=[], next_cursor=None, has_next=False)


@pytest.mark.django_db
def test_queryset_ordering_and_filters_are_respected(groups):
    # The incoming order_by is replaced; the filter is kept.
    teams = Group.objects.filter(name__startswith="team")
    seen = walk(teams.order_by("-name"), [("name", False)], size=4)
    assert [g.pk for g in seen] == list(teams.order_by("name", "pk").values_list("pk", flat=True))
    assert len(seen) == 23


# ---------------------------------------------------------------- queries


@pytest.mark.django_db
def test_each_page_is_one_query(groups, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = first_page([("name", True)])
    with django_assert_num_queries(1):
        page = keyset_page(
            Group.objects.all(), order=[("name", True)], size=7, cursor=page.next_cursor, salt=SALT
        )
    assert len(page.items) == 7


# ---------------------------------------------------------------- bad cursors


@pytest.mark.django_db
def test_tampered_cursor(groups):
    cursor = first_page([("name", False)]).next_cursor
    tampered = cursor[:-1] + ("A" if cursor[-1] != "A" else "B")
    for bad in (tampered, "x" + cursor, "garbage", "a:b:c", "é:ü"):
        with pytest.raises(CursorError, match="Invalid cursor"):
            keyset_page(Group.objects.all(), order=[("name", False)], size=7, cursor=bad, salt=SALT)


@pytest.mark.django_db
def test_cursor_from_another_salt(groups):
    cursor = first_page([("name", False)], salt="other.listing").next_cursor
    with pytest.raises(CursorError, match="Invalid cursor"):
        keyset_page(Group.objects.all(), order=[("name", False)], size=7, cursor=cursor, salt=SALT)


@pytest.mark.django_db
@pytest.mark.parametrize("other_order", [[("name", True)], [], [("name", False), ("id", False)]])
def test_cursor_with_other_order(groups, other_order):
    cursor = first_page([("name", False)]).next_cursor
    with pytest.raises(CursorError, match="The cursor does not match this sort order"):
        keyset_page(Group.objects.all(), order=other_order, size=7, cursor=cursor, salt=SALT)


@pytest.mark.django_db
def test_cursor_with_null_sort_value():
    cursor = _encode_cursor([["name", False], ["pk", False]], [None, 3], SALT)
    with pytest.raises(CursorError, match="non-null"):
        keyset_page(Group.objects.all(), order=[("name", False)], size=7, cursor=cursor, salt=SALT)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload",
    [
        "not a dict",
        {"o": [["name", False], ["pk", False]]},
        {"o": [["name", False], ["pk", False]], "v": [["str", "a"]]},
        {"o": [["name", False], ["pk", False]], "v": [["str", "a"], ["float", 1.5]]},
    ],
)
def test_signed_but_malformed_cursor(payload):
    cursor = signing.dumps(payload, salt=SALT, compress=True)
    with pytest.raises(CursorError, match="Invalid cursor"):
        keyset_page(Group.objects.all(), order=[("name", False)], size=7, cursor=cursor, salt=SALT)


# ---------------------------------------------------------------- arguments


def test_rejects_related_lookups():
    with pytest.raises(ValueError, match="direct model fields"):
        keyset_page(Group.objects.all(), order=[("permissions__name", False)], size=7, cursor=None, salt=SALT)


@pytest.mark.parametrize(("model", "lookup"), [(Group, "permissions"), (Permission, "group")])
def test_rejects_fields_without_a_column(model, lookup):
    # A many-to-many field and a reverse relation: neither is a column of the model's table.
    with pytest.raises(ValueError, match=f"needs a column of {model.__name__}"):
        keyset_page(model.objects.all(), order=[(lookup, False)], size=7, cursor=None, salt=SALT)


@pytest.mark.parametrize("size", [0, -1])
def test_rejects_bad_size(size):
    with pytest.raises(ValueError, match="at least 1"):
        keyset_page(Group.objects.all(), order=[], size=size, cursor=None, salt=SALT)


# ---------------------------------------------------------------- value encoding


@pytest.mark.parametrize(
    "value",
    [
        "x",
        "",
        "naïve 'quotes' \"and\" ünïcode",
        0,
        -5,
        2**62,
        True,
        False,
        None,
        datetime(2026, 11, 1, 8, 30, 15, 123456, tzinfo=timezone.utc),
        datetime(2026, 11, 1, 8, 30, tzinfo=timezone(timedelta(hours=-5))),
        date(2026, 2, 28),
        Decimal("1.50"),
        Decimal("-0.001"),
        uuid.UUID("d3b07384-d9a0-4c9b-8d6b-9e1b0a1c2e3f"),
    ],
)
def test_values_round_trip_through_json(value):
    decoded = _decode_value(signing.loads(signing.dumps(_encode_value(value))))
    assert decoded == value
    assert type(decoded) is type(value)
    if isinstance(value, datetime):
        assert decoded.utcoffset() == value.utcoffset()
    if isinstance(value, Decimal):
        assert str(decoded) == str(value)  # precision is kept, e.g. 1.50 stays 1.50


def test_unsupported_value_type():
    with pytest.raises(TypeError, match="float"):
        _encode_value(1.5)


@pytest.mark.parametrize(
    "encoded",
    [
        ["int", True],
        ["int", "1"],
        ["bool", 1],
        ["str", 1],
        ["uuid", "nope"],
        ["decimal", "abc"],
        ["date", 20260101],
        ["datetime", "yesterday"],
        ["float", "1.5"],
        ["none", None],
        [],
        "str",
        None,
    ],
)
def test_decode_rejects_malformed_values(encoded):
    with pytest.raises(CursorError):
        _decode_value(encoded)
