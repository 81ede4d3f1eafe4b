"""DNS: live lookups (lookup.py), the verification check (verification.py), the service records of a
hosted zone (records.py), BIND zone export (zonefile.py) and the PowerDNS client (powerdns.py)."""
