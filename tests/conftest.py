"""Shared fixtures: two organizations (A and B), each with one person per administrator role."""

from dataclasses import dataclass

import pytest

from tenantadmin.celery import app as celery_app
from tests.factories import ADMIN_ROLES, PASSWORD, make_tenant, make_user


@dataclass
class Org:
    tenant: object
    global_admin: object
    user_admin: object
    billing_admin: object
    password_admin: object
    service_admin: object
    user: object  # no administrator role

    def member(self, role_name: str):
        return getattr(self, role_name)


ROLE_NAMES = ["global_admin", "user_admin", "billing_admin", "password_admin", "service_admin", "user"]


def build_org(label: str) -> Org:
    tenant, global_admin = make_tenant(label, name=f"Contoso {label.upper()}")
    people = {name: make_user(tenant, name.replace("_", ""), roles=[role]) for name, role in ADMIN_ROLES.items()}
    return Org(tenant=tenant, global_admin=global_admin, user=make_user(tenant, "plain"), **people)


@pytest.fixture(autouse=True)
def _fast_hashing_and_eager_tasks(settings):
    # Argon2 is the production hasher (tested in test_settings); tests hash thousands of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"


@pytest.fixture
def org_a(db) -> Org:
    return build_org("contosoa")


@pytest.fixture
def org_b(db) -> Org:
    return build_org("contosob")


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client signed in as `user`."""

    def sign_in(user):
        client.force_login(user, backend="users.backends.PrincipalNameBackend")
        return client

    return sign_in
