"""Support overview: help-topic search and the billing phone numbers by country."""

import pytest
from django.urls import NoReverseMatch, reverse

from support.request_help_data import HELP_TOPICS, PHONE_NUMBERS, phone_numbers, search_topics
from tests.factories import make_tenant

pytestmark = pytest.mark.django_db


def test_every_topic_links_to_a_page():
    for _title, _summary, _words, url_name in HELP_TOPICS:
        try:
            reverse(url_name)
        except NoReverseMatch:  # pragma: no cover - the assertion says which
            pytest.fail(f"help topic links to unknown page {url_name}")


def test_search_by_words_and_prefixes():
    assert [str(t["title"]) for t in search_topics("reset password")][0] == "Reset a user's password"
    assert "Turn on POP or IMAP access" in [str(t["title"]) for t in search_topics("pop")]
    assert [str(t["title"]) for t in search_topics("invoic")] == ["Invoices and billing history"]
    assert search_topics("zebra quantum") == []
    assert len(search_topics("")) == len(HELP_TOPICS)


def test_phone_numbers_put_the_organizations_country_first():
    assert phone_numbers("DE")[0]["number"] == PHONE_NUMBERS["DE"][0]
    assert phone_numbers("NZ")[0]["code"] == ""  # no own number: the international one first
    assert len(phone_numbers("US")) == len(PHONE_NUMBERS)


def test_overview_page_searches_and_shows_phone_numbers(org_a, client_for):
    client = client_for(org_a.password_admin)
    page = client.get(reverse("support:overview"), {"q": "domain dns"}).content.decode()
    assert 'id="support-help-search"' in page and "Fix DNS records of a domain" in page
    assert "Buy a subscription" not in page
    assert PHONE_NUMBERS["US"][0] in page  # org_a is in the United States
    assert reverse("support:request_new") in page
    missing = client.get(reverse("support:overview"), {"q": "<script>zebra"}).content.decode()
    assert 'id="help-no-topics"' in missing and "<script>zebra" not in missing


def test_overview_phone_order_follows_the_country(client_for):
    tenant, admin = make_tenant("nlorg", country="NL")
    page = client_for(admin).get(reverse("support:overview")).content.decode()
    own = page.index('id="own-country-phone"')
    assert page.index(PHONE_NUMBERS["NL"][0]) > own and page.index(PHONE_NUMBERS["NL"][0]) < page.index(PHONE_NUMBERS["US"][0])
