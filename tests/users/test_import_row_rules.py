"""Bulk import verification: every row rule, reported per row in the error log; nothing is created."""

import pytest
from django.urls import reverse
from django.utils import timezone

from domains.models import Domain
from tests.factories import make_user
from tests.users.test_import_support import read_csv, user_row, verify, write_csv
from users.models import User

pytestmark = pytest.mark.django_db


def _verify(org, client_for, tmp_path, capture, rows):
    client = client_for(org.user_admin)
    job = verify(client, org.tenant, write_csv(tmp_path, rows), capture)
    job.refresh_from_db()
    log = read_csv(client.get(reverse("tenantadmin:job_download", args=[job.pk]))) if job.result_file else []
    return job, log


def _custom_domain(tenant, name="contoso-a.example"):
    return Domain.objects.create(tenant=tenant, name=name, status=Domain.Status.VERIFIED, verified_at=timezone.now())


def test_each_broken_rule_is_one_line_of_the_error_log(org_a, org_b, client_for, tmp_path,
                                                       django_capture_on_commit_callbacks):
    domain = org_a.tenant.initial_domain
    Domain.objects.create(tenant=org_a.tenant, name="unverified.example")
    rows = [
        user_row("ok", domain),                                       # line 2
        user_row("", domain),                                         # 3 no alias
        ["", "First", "Last", "Display"] + [""] * 11,                  # 4 no user name
        user_row("nodisplay", domain, display_name="  "),             # 5
        user_row("a" * 31, domain),                                   # 6 alias too long
        user_row(".dot", domain),                                     # 7 alias rule
        user_row("someone", "unverified.example"),                    # 8 domain not verified
        user_row("someone", org_b.tenant.initial_domain),             # 9 another organization's domain
        user_row("long", domain, first_name="F" * 65),                # 10
        user_row("longer", domain, street="S" * 1025, postal_code="9" * 41),  # 11 two columns
        user_row("ok", domain),                                       # 12 duplicate of line 2
        user_row("OK", domain),                                       # 13 duplicate, other case
        user_row("plain", domain),                                    # 14 a live account's name
        user_row("short", domain)[:14],                               # 15 missing column
        user_row("extra", domain) + ["surplus"],                      # 16 extra column
        ["just@" + domain],                                           # 17 one column
        user_row("two@at", domain),                                   # 18 two @
        user_row("d" * 30, "x" * 49 + ".example"),                    # 19 domain too long
    ]
    job, log = _verify(org_a, client_for, tmp_path, django_capture_on_commit_callbacks, rows)
    assert (job.params["valid"], job.params["invalid"], job.failed) == (1, 17, 17)
    assert log[0] == ["Line", "User name", "Column", "Message"]
    by_line = {}
    for line, upn, column, message in log[1:]:
        by_line.setdefault(int(line), []).append((column, message))
    assert sorted(by_line) == list(range(3, 20))
    assert by_line[3] == [("User Name", "Enter a user name.")]
    assert by_line[4] == [("User Name", "Enter a user name (alias@domain).")]
    assert by_line[5] == [("Display Name", "Enter a display name.")]
    assert "at most 30 characters" in by_line[6][0][1]
    assert "no dot at the start or end" in by_line[7][0][1]
    assert by_line[8] == [("User Name", "unverified.example is not one of your organization's verified domains.")]
    assert "is not one of your organization's verified domains" in by_line[9][0][1]
    assert by_line[10] == [("First Name", "First Name can have at most 64 characters; this one has 65.")]
    assert [column for column, _message in by_line[11]] == ["Address", "ZIP or Postal Code"]
    assert by_line[12] == [("User Name", "The user name is also on line 2 of the file; each user name can be used once.")]
    assert by_line[13] == by_line[12]
    assert by_line[14] == [("User Name", "The user name is already used by another account.")]
    assert by_line[15][0][0] == "" and "The row has 14 columns; it must have 15" in by_line[15][0][1]
    assert "The row has 16 columns" in by_line[16][0][1]
    assert "The row has 1 columns" in by_line[17][0][1]
    assert by_line[18] == [("User Name", "The user name must be a full address: alias@domain.")]
    assert "The domain can have at most 48 characters." in by_line[19][0][1]
    assert not User.objects.filter(upn=f"ok@{domain}").exists()


def test_a_user_name_on_the_initial_domain_after_the_same_alias_on_another_domain_is_refused(
        org_a, client_for, tmp_path, django_capture_on_commit_callbacks):
    """SPEC users/ "User ID": alias@initial then alias@custom is allowed; the reverse order is refused."""
    initial = org_a.tenant.initial_domain
    custom = _custom_domain(org_a.tenant).name
    make_user(org_a.tenant, "existing")  # on the initial domain: the custom one may follow
    User.objects.filter(upn=f"plain@{initial}").update(upn=f"plain@{custom}")
    rows = [
        user_row("geoff", initial), user_row("geoff", custom),    # allowed order
        user_row("mary", custom), user_row("mary", initial),      # reverse order inside the file
        user_row("plain", initial),                                # a live account holds plain@custom
        user_row("existing", custom),                              # allowed: existing@initial came first
    ]
    job, log = _verify(org_a, client_for, tmp_path, django_capture_on_commit_callbacks, rows)
    assert (job.params["valid"], job.params["invalid"]) == (4, 2)
    assert [(line, upn) for line, upn, _column, _message in log[1:]] == [("5", f"mary@{initial}"), ("6", f"plain@{initial}")]
    assert "cannot be added after one on another domain" in log[1][3]


def test_formula_cells_are_data_in_the_directory_but_neutralised_in_the_error_log(
        org_a, client_for, tmp_path, django_capture_on_commit_callbacks):
    domain = org_a.tenant.initial_domain
    rows = [user_row("calc", domain, "=HYPERLINK(\"http://evil.example\")", department="+SUM(A1:A9)"),
            user_row("=cmd|' /C calc'!A0", domain, "-2+3")]
    job, log = _verify(org_a, client_for, tmp_path, django_capture_on_commit_callbacks, rows)
    assert (job.params["valid"], job.params["invalid"]) == (1, 1)
    assert log[1][:3] == ["3", "'=cmd|' /C calc'!A0@" + domain, "User Name"]


def test_a_file_of_250_users_in_the_seed_format_passes(org_a, client_for, tmp_path, django_capture_on_commit_callbacks,
                                                       django_assert_max_num_queries):
    domain = org_a.tenant.initial_domain
    rows = [user_row(f"person{n:03d}", domain, f"Person {n}") for n in range(250)]
    with django_assert_max_num_queries(60):  # batches, not rows: a 250-row file costs a fixed number of queries
        job, log = _verify(org_a, client_for, tmp_path, django_capture_on_commit_callbacks, rows)
    assert (job.total, job.done, job.params["valid"], job.params["invalid"], log) == (250, 250, 250, 0, [])
    assert User.objects.filter(tenant=org_a.tenant).count() == 6  # the fixture's people only
