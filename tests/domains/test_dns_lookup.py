"""Live lookups against the loopback DNS server: every hostile or broken answer has a clear status."""

from domains.dns import lookup as dnslookup
from domains.dns.lookup import lookup


def test_txt_record_split_in_several_strings_is_joined(dns_server):
    dns_server.add("contoso.com", "TXT", ["MS=ms", "12345678"])
    result = lookup("contoso.com", "TXT")
    assert result.ok and result.values == ["MS=ms12345678"]


def test_unknown_name_is_nxdomain(dns_server):
    dns_server.add("contoso.com", "TXT", "x")
    assert lookup("nothere.fabrikam.com", "TXT").status == dnslookup.NXDOMAIN


def test_existing_name_without_the_type_is_nodata(dns_server):
    dns_server.add("contoso.com", "A", "192.0.2.1")
    assert lookup("contoso.com", "TXT").status == dnslookup.NODATA


def test_servfail_is_reported(dns_server):
    dns_server.servfail("contoso.com")
    assert lookup("contoso.com", "TXT").status == dnslookup.SERVFAIL


def test_silent_server_times_out(dns_server):
    dns_server.timeout("contoso.com")
    assert lookup("contoso.com", "TXT", timeout=0.3).status == dnslookup.TIMEOUT


def test_truncated_udp_answer_is_retried_over_tcp(dns_server):
    dns_server.add("contoso.com", "TXT", "MS=ms1")
    dns_server.truncate("contoso.com")
    assert lookup("contoso.com", "TXT").values == ["MS=ms1"]


def test_huge_txt_record_arrives_over_tcp(dns_server):
    for n in range(40):
        dns_server.add("contoso.com", "TXT", [f"v=filler{n} " + "x" * 200])
    dns_server.add("contoso.com", "TXT", "MS=ms42")
    result = lookup("contoso.com", "TXT")
    assert result.ok and "MS=ms42" in result.values and len(result.values) == 41


def test_cname_chain_inside_the_answer_is_followed(dns_server):
    dns_server.add("contoso.com", "CNAME", "a.fabrikam.com")
    dns_server.add("a.fabrikam.com", "CNAME", "b.fabrikam.com")
    dns_server.add("b.fabrikam.com", "TXT", "MS=ms7")
    assert lookup("contoso.com", "TXT").values == ["MS=ms7"]


def test_cname_chain_across_answers_is_followed_by_asking_again(dns_server):
    dns_server.follow_cnames = False
    dns_server.add("contoso.com", "CNAME", "a.fabrikam.com")
    dns_server.add("a.fabrikam.com", "CNAME", "b.fabrikam.com")
    dns_server.add("b.fabrikam.com", "MX", "mail.fabrikam.com", priority=5)
    assert lookup("contoso.com", "MX").values == ["5 mail.fabrikam.com"]


def test_cname_loop_stops_with_loop_status(dns_server):
    dns_server.add("contoso.com", "CNAME", "a.fabrikam.com")
    dns_server.add("a.fabrikam.com", "CNAME", "contoso.com")
    assert lookup("contoso.com", "TXT").status == dnslookup.LOOP
    dns_server.follow_cnames = False
    assert lookup("contoso.com", "TXT").status == dnslookup.LOOP


def test_second_server_is_asked_when_the_first_is_silent(dns_server, settings):
    dns_server.add("contoso.com", "TXT", "ok")
    settings.DNS_NAMESERVERS = [("127.0.0.1", 9), ("127.0.0.1", dns_server.port)]
    assert lookup("contoso.com", "TXT", timeout=0.5).values == ["ok"]
