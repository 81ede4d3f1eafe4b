"""The real DNS server every domains test talks to (no mocked dnspython)."""

import pytest

from tests.dns_server import DnsServer


@pytest.fixture(scope="session")
def _dns_server():
    server = DnsServer().start()
    yield server
    server.stop()


@pytest.fixture
def dns_server(_dns_server, settings):
    """The loopback DNS server, emptied, and the app pointed at it with a short timeout."""
    _dns_server.clear()
    settings.DNS_NAMESERVERS = [("127.0.0.1", _dns_server.port)]
    settings.DNS_TIMEOUT_SECONDS = 1
    yield _dns_server
    _dns_server.clear()


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def _pdns(tmp_path_factory):
    """A real PowerDNS authoritative server (Debian's pdns-server, sqlite3 backend) on loopback ports."""
    import os
    import shutil
    import sqlite3
    import subprocess
    import time
    import urllib.request
    from pathlib import Path

    binary = shutil.which("pdns_server") or ("/usr/sbin/pdns_server" if Path("/usr/sbin/pdns_server").exists() else None)
    schema = Path("/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql")
    if binary is None or not schema.exists():
        if os.environ.get("CI"):
            pytest.fail("PowerDNS (pdns-server, pdns-backend-sqlite3) must be installed in CI: bin/test installs it")
        pytest.skip("PowerDNS is not installed (apt-get install pdns-server pdns-backend-sqlite3; bin/test does it)")
    folder = tmp_path_factory.mktemp("pdns")
    database = folder / "pdns.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.executescript(schema.read_text())
    dns_port, api_port, key = _free_port(), _free_port(), "test-api-key"
    process = subprocess.Popen([
        binary, "--no-config", "--daemon=no", "--guardian=no", "--disable-syslog", "--loglevel=3",
        f"--socket-dir={folder}", "--local-address=127.0.0.1", f"--local-port={dns_port}",
        "--launch=gsqlite3", f"--gsqlite3-database={database}",
        "--api=yes", f"--api-key={key}", "--webserver=yes", "--webserver-address=127.0.0.1",
        f"--webserver-port={api_port}", "--webserver-allow-from=127.0.0.0/8",
    ], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{api_port}"
    for _attempt in range(100):
        try:
            request = urllib.request.Request(f"{url}/api/v1/servers/localhost", headers={"X-API-Key": key})
            urllib.request.urlopen(request, timeout=1).read()
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"pdns_server did not start: {process.stderr.read().decode()[-500:]}")
            time.sleep(0.1)
    yield {"url": url, "key": key, "dns_port": dns_port}
    process.terminate()
    process.wait(10)


@pytest.fixture
def pdns(_pdns, settings):
    """The app pointed at the real PowerDNS (API and, for lookups, its DNS port)."""
    settings.PDNS_API_URL = _pdns["url"]
    settings.PDNS_API_KEY = _pdns["key"]
    settings.DNS_NAMESERVERS = [("127.0.0.1", _pdns["dns_port"])]
    settings.DNS_TIMEOUT_SECONDS = 2
    return _pdns
