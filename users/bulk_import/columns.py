"""The 15 columns of the import file (SPEC users/ CSV table). Order is binding; header labels are not."""

import csv
import io
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from users.models import UPN_MAX_LENGTH


@dataclass(frozen=True)
class Column:
    field: str  # the User field the value goes to
    label: Promise | str
    max_length: int
    header: str  # the English header of the blank template (what the seed's template says)


COLUMNS = [
    Column("upn", _("User Name"), UPN_MAX_LENGTH, "User Name"),
    Column("first_name", _("First Name"), 64, "First Name"),
    Column("last_name", _("Last Name"), 64, "Last Name"),
    Column("display_name", _("Display Name"), 256, "Display Name"),
    Column("job_title", _("Job Title"), 64, "Job Title"),
    Column("department", _("Department"), 64, "Department"),
    Column("office", _("Office Number"), 128, "Office Number"),
    Column("office_phone", _("Office Phone"), 64, "Office Phone"),
    Column("mobile_phone", _("Mobile Phone"), 64, "Mobile Phone"),
    Column("fax", _("Fax"), 64, "Fax"),
    Column("street", _("Address"), 1024, "Address"),
    Column("city", _("City"), 128, "City"),
    Column("state", _("State or Province"), 128, "State or Province"),
    Column("postal_code", _("ZIP or Postal Code"), 40, "ZIP or Postal Code"),
    Column("country_name", _("Country or Region"), 128, "Country or Region"),
]
COLUMN_COUNT = len(COLUMNS)
HEADER = [column.header for column in COLUMNS]

SAMPLE_ROWS = [
    ["chris@{domain}", "Chris", "Green", "Chris Green", "IT Manager", "Information Technology", "123451",
     "123-555-1211", "123-555-6641", "123-555-9821", "1 Microsoft way", "Redmond", "Wa", "98052", "United States"],
    ["ben@{domain}", "Ben", "Andrews", "Ben Andrews", "IT Manager", "Information Technology", "123452",
     "123-555-1212", "123-555-6642", "123-555-9822", "1 Microsoft way", "Redmond", "Wa", "98052", "United States"],
    ["david@{domain}", "David", "Longmuir", "David Longmuir", "IT Manager", "Information Technology", "123453",
     "123-555-1213", "123-555-6643", "123-555-9823", "1 Microsoft way", "Redmond", "Wa", "98052", "United States"],
    ["cynthia@{domain}", "Cynthia", "Carey", "Cynthia Carey", "IT Manager", "Information Technology", "123454",
     "123-555-1214", "123-555-6644", "123-555-9824", "1 Microsoft way", "Redmond", "Wa", "98052", "United States"],
    ["melissa@{domain}", "Melissa", "MacBeth", "Melissa MacBeth", "IT Manager", "Information Technology", "123455",
     "123-555-1215", "123-555-6645", "123-555-9825", "1 Microsoft way", "Redmond", "Wa", "98052", "United States"],
]


def _csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    # UTF-8 with a byte-order mark: spreadsheet programs then open non-ASCII names correctly.
    return buffer.getvalue().encode("utf-8-sig")


def blank_template() -> bytes:
    return _csv_bytes([HEADER])


def sample_file(domain: str) -> bytes:
    """Five example users on `domain` (the organization's initial domain), ready to import."""
    return _csv_bytes([HEADER] + [[cell.format(domain=domain) for cell in row] for row in SAMPLE_ROWS])
