"""Step-by-step text for creating the verification record at common DNS hosts (SPEC domains/ "Verification")."""

from django.utils.translation import gettext_lazy as _

GENERAL = "general"

# (key, name, steps). Steps name the host's own menus; {type}/{host}/{value}/{priority}/{ttl} are
# filled in with the record the admin must create.
DNS_HOSTS = [
    (GENERAL, _("General instructions"), [
        _("Sign in to the website of the company that hosts your domain's DNS records (often where you bought it)."),
        _("Find the page where you manage DNS records (its name may be DNS Manager, Zone File or Advanced DNS)."),
        _("Add a new {type} record with the values in the table above: host {host}, value {value}, TTL {ttl} seconds."),
        _("Save the record. Then come back here and select Verify."),
    ]),
    ("godaddy", "GoDaddy", [
        _("Sign in to GoDaddy and open My Products > Domains."),
        _("Next to your domain, select DNS to open DNS Management."),
        _("Select Add, choose the type {type}, enter {host} in Name and {value} in Value (or Points to), and choose 1 Hour for TTL."),
        _("Select Save, then come back here and select Verify."),
    ]),
    ("enom", "eNom", [
        _("Sign in to eNom and open Domains > My Domains, then select your domain."),
        _("From Manage Domain, choose Host Records."),
        _("Add a row: Host Name {host}, Record Type {type}, Address {value}."),
        _("Select Save, then come back here and select Verify."),
    ]),
    ("networksolutions", "Network Solutions", [
        _("Sign in to Network Solutions and open My Domain Names."),
        _("Select your domain, then Manage Advanced DNS Records."),
        _("Under the {type} records, select Edit, add host {host} with the value {value}, TTL {ttl}."),
        _("Select Continue and Save Changes, then come back here and select Verify."),
    ]),
    ("1and1", "1&1", [
        _("Sign in to 1&1 and open Domain Center."),
        _("Select your domain, then Edit DNS Settings."),
        _("Add a {type} record: host {host}, value {value}."),
        _("Save, then come back here and select Verify."),
    ]),
    ("register", "Register.com", [
        _("Sign in to Register.com and open your domain's Domain Manager."),
        _("Under Advanced Technical Settings, choose Edit {type} records (for MX: Edit Mail Exchange records)."),
        _("Enter {host} as the host and {value} as the value; for MX set priority {priority}."),
        _("Select Continue, then come back here and select Verify."),
    ]),
    ("hover", "Hover", [
        _("Sign in to Hover and select your domain."),
        _("Open the DNS tab and select Add New."),
        _("Choose {type}, Hostname {host}, Value {value}."),
        _("Select Save, then come back here and select Verify."),
    ]),
    ("melbourneit", "Melbourne IT", [
        _("Sign in to Melbourne IT and open Manage Domains, then your domain."),
        _("Choose DNS Settings > Manage DNS Records."),
        _("Add a {type} record with host {host} and value {value}, TTL {ttl}."),
        _("Select Save, then come back here and select Verify."),
    ]),
]
HOST_KEYS = [key for key, _name, _steps in DNS_HOSTS]


def host_steps(key: str, record: dict) -> tuple[str, str, list[str]]:
    """(key, display name, steps filled with `record`) for `key`, or the general instructions."""
    for host_key, name, steps in DNS_HOSTS:
        if host_key == key:
            break
    else:
        host_key, name, steps = DNS_HOSTS[0]
    values = {"type": record["type"], "host": record["host"], "value": record["value"],
              "priority": record["priority"] or "", "ttl": record["ttl"]}
    return host_key, name, [str(step).format(**values) for step in steps]
