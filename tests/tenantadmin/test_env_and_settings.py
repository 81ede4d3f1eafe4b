"""Environment helpers fail loudly and name the variable; production settings are secure by default."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

import tenantadmin.settings as prod
from tenantadmin.env import env_bool, env_hostports, env_int, env_list, env_str, env_url

PROJECT_ROOT = Path(prod.BASE_DIR)


@pytest.mark.parametrize("raw, expected", [("true", True), ("YES", True), (" on ", True), ("1", True),
                                           ("false", False), ("off", False), ("0", False), ("", False)])
def test_env_bool_reads_the_usual_spellings(raw, expected, monkeypatch):
    monkeypatch.setenv("TA_FLAG", raw)

    assert env_bool("TA_FLAG", not expected) is expected


def test_env_bool_refuses_maybe(monkeypatch):
    monkeypatch.setenv("TA_FLAG", "maybe")

    with pytest.raises(ImproperlyConfigured, match="TA_FLAG"):
        env_bool("TA_FLAG", False)


def test_unset_variables_give_the_default(monkeypatch):
    monkeypatch.delenv("TA_UNSET", raising=False)

    assert env_bool("TA_UNSET", True) is True
    assert env_int("TA_UNSET", 7, minimum=1) == 7
    assert env_str("TA_UNSET", "x") == "x"
    assert env_list("TA_UNSET", ["a"]) == ["a"]
    assert env_url("TA_UNSET", None, schemes=("https",)) is None
    assert env_hostports("TA_UNSET", 53) == []


def test_env_str_required_names_the_variable(monkeypatch):
    monkeypatch.setenv("TA_NAME", "  ")

    with pytest.raises(ImproperlyConfigured, match="TA_NAME"):
        env_str("TA_NAME", required=True)


def test_env_int_refuses_words(monkeypatch):
    monkeypatch.setenv("TA_COUNT", "ten")

    with pytest.raises(ImproperlyConfigured, match="TA_COUNT"):
        env_int("TA_COUNT", 10)


@pytest.mark.parametrize("raw, message", [("0", "below the minimum of 1"), ("101", "above the maximum of 100")])
def test_env_int_refuses_values_out_of_bounds(raw, message, monkeypatch):
    monkeypatch.setenv("TA_COUNT", raw)

    with pytest.raises(ImproperlyConfigured, match=f"TA_COUNT.*{message}"):
        env_int("TA_COUNT", 10, minimum=1, maximum=100)


def test_env_int_accepts_the_bounds(monkeypatch):
    monkeypatch.setenv("TA_COUNT", "100")

    assert env_int("TA_COUNT", 10, minimum=1, maximum=100) == 100


def test_env_url_refuses_a_scheme_not_allowed(monkeypatch):
    monkeypatch.setenv("TA_URL", "ftp://files.example.net/")

    with pytest.raises(ImproperlyConfigured, match="TA_URL.*https://"):
        env_url("TA_URL", schemes=("http", "https"))


def test_env_url_accepts_an_allowed_scheme(monkeypatch):
    monkeypatch.setenv("TA_URL", "https://admin.example.net")

    assert env_url("TA_URL", schemes=("http", "https")) == "https://admin.example.net"


def test_env_hostports_parses_names_addresses_and_ipv6(monkeypatch):
    monkeypatch.setenv("TA_DNS", "ns1.example.net, 192.0.2.1:5300,[::1]:5353,[2001:db8::1], ::1")

    assert env_hostports("TA_DNS", default_port=53) == [
        ("ns1.example.net", 53), ("192.0.2.1", 5300), ("::1", 5353), ("2001:db8::1", 53), ("::1", 53)]


@pytest.mark.parametrize("raw, problem", [
    ("ns1.example.net:port", "invalid port"),
    ("ns1.example.net:0", "invalid port"),
    ("ns1.example.net:65536", "invalid port"),
    ("ns1.example.net:", "invalid port"),
    ("[::1]:x", "invalid port"),
    (":53", "no host"),
    ("[]:53", "no host"),
])
def test_env_hostports_refuses_bad_entries(raw, problem, monkeypatch):
    monkeypatch.setenv("TA_DNS", raw)

    with pytest.raises(ImproperlyConfigured, match=f"TA_DNS.*{problem}"):
        env_hostports("TA_DNS", default_port=53)


# --- production settings ---------------------------------------------------------------------
# The tests' settings override the hashers for speed, so the production module is read directly.

def test_passwords_are_hashed_with_argon2_first():
    assert prod.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_csrf_and_clickjacking_protection_are_on():
    assert "django.middleware.csrf.CsrfViewMiddleware" in prod.MIDDLEWARE
    assert "django.middleware.clickjacking.XFrameOptionsMiddleware" in prod.MIDDLEWARE
    assert prod.X_FRAME_OPTIONS == "DENY"


def test_session_cookie_is_http_only():
    assert prod.SESSION_COOKIE_HTTPONLY is True


def import_settings(**env) -> subprocess.CompletedProcess:
    """Import the production settings in a fresh interpreter that sees only `env` (and PATH)."""
    return subprocess.run(
        [sys.executable, "-c", "import tenantadmin.settings as s; print('imported', s.SECURE_COOKIES)"],
        env={"PATH": os.environ.get("PATH", ""), **env}, cwd=PROJECT_ROOT, capture_output=True, text=True,
        timeout=60,
    )


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result = import_settings(VAR_DIR=str(tmp_path))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_settings_start_without_a_secret_key_in_debug(tmp_path):
    result = import_settings(VAR_DIR=str(tmp_path), DEBUG="true")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported False"  # debug runs on plain http, so no secure-only cookies


def test_settings_with_secret_key_use_secure_cookies(tmp_path):
    result = import_settings(VAR_DIR=str(tmp_path), SECRET_KEY="x" * 50)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported True"


def test_settings_name_a_bad_variable(tmp_path):
    result = import_settings(VAR_DIR=str(tmp_path), SECRET_KEY="x" * 50, EMAIL_PORT="twenty-five")

    assert result.returncode != 0
    assert "EMAIL_PORT='twenty-five' is not an integer" in result.stderr
