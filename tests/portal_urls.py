"""Every portal URL of the project, with tenant-A objects for its parameters.

Used by the isolation and role tests so a new URL is covered the day it is added: a URL with a
parameter this module does not know fails those tests until a maker is added here.
"""

import re

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tenantadmin.actors import Actor
from tenantadmin.models import Job
from tenantadmin.services.app_registrations import app_registration_create, app_secret_create
from users.custom_view_services import custom_view_create
from users.group_services import group_create

# Prefixes that are not the tenant portal: the staff site (its own test), captcha images and the
# API (walked by the API route tests).
EXCLUDED_PREFIXES = ("staff/", "captcha/", "v1.0/", "<tenant>/oauth2/", "<str:tenant>/oauth2/")
# Pages for people who are not signed in, or for any member: no administrator role needed.
PUBLIC_NAMES = {
    "home", "users:signup", "users:signup_check_domain", "users:signin", "users:signout",
    # Administrator self-service password reset (the person cannot sign in).
    "users:password_forgot", "users:password_forgot_link", "users:password_forgot_code", "users:password_forgot_new",
    # The unsubscribe link of product mail (signed token, no sign-in).
    "tenantadmin:unsubscribe",
    # A partner's invitation link (its secret names the invitation; signing in comes on the page).
    "partners:invitation",
    # The service health RSS feed (feed readers cannot sign in; its signed secret names the organization).
    "support:health_feed",
}
MEMBER_NAMES = {"users:password_change", "users:profile", "users:profile_details", "users:profile_photo", "users:profile_language",
                "users:profile_contact", "users:profile_alternate_email"}


def portal_patterns():
    """[(full name, route, callback)] for every named portal pattern."""
    found = []

    def walk(patterns, prefix, namespace):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}{entry.namespace}:"
                walk(entry.url_patterns, route, ns)
            elif isinstance(entry, URLPattern) and entry.name:
                if route.lstrip("^").replace("\\.", ".").startswith(EXCLUDED_PREFIXES):
                    continue
                found.append((namespace + entry.name, route, entry.callback))

    walk(get_resolver().url_patterns, "", "")
    return found


class TenantObjects:
    """Lazily creates one object of each kind in an organization, for URL parameters."""

    def __init__(self, org):
        self.org = org
        self._cache = {}

    def _app(self):
        if "app" not in self._cache:
            self._cache["app"] = app_registration_create(
                tenant=self.org.tenant, actor=Actor.system("tests"), display_name="Walker app",
                permissions=["User.Read.All"])
        return self._cache["app"]

    def _secret(self):
        if "secret" not in self._cache:
            self._cache["secret"], _plain = app_secret_create(app=self._app(), actor=Actor.system("tests"))
        return self._cache["secret"]

    def _job(self):
        if "job" not in self._cache:
            self._cache["job"] = Job.objects.create(tenant=self.org.tenant, created_by=self.org.global_admin,
                                                    kind="walker", title="Walker job")
        return self._cache["job"]

    def _user(self):
        return self.org.user  # a member without a role

    def _group(self):
        if "group" not in self._cache:
            self._cache["group"] = group_create(tenant=self.org.tenant, actor=Actor.system("tests"),
                                                display_name="Walker group")
        return self._cache["group"]

    def _custom_view(self):
        if "custom_view" not in self._cache:
            self._cache["custom_view"] = custom_view_create(tenant=self.org.tenant, actor=Actor.system("tests"),
                                                            name="Walker view", filters={"sign_in": "blocked"})
        return self._cache["custom_view"]

    def _subscription(self):
        return self.org.tenant.subscriptions.order_by("created_at").first()  # sign-up's trial

    def _order(self):
        if "order" not in self._cache:
            from tests.billing.billinghelpers import buy  # billing's purchase helper

            self._cache["order"] = buy(self.org, "STANDARDPACK", 1, now=timezone.now())
        return self._cache["order"]

    def _payment_method(self):
        return self._order().payment_method

    def _license_plan(self):
        """A plan only this organization subscribes to (plans are shared, so another plan must be a 404)."""
        if "license_plan" not in self._cache:
            from billing.models import Sku, Subscription

            sku = Sku.objects.get(part_number="EXCHANGESTANDARD")
            Subscription.objects.create(tenant=self.org.tenant, sku=sku, quantity=2)
            self._cache["license_plan"] = sku
        return self._cache["license_plan"]

    def _hosted(self):
        if "hosted" not in self._cache:
            from tests.domains.domain_helpers import hosted_domain

            self._cache["hosted"] = hosted_domain(self.org.tenant, "walker-domain.com")
        return self._cache["hosted"]

    def _domain(self):
        from types import SimpleNamespace

        return SimpleNamespace(pk=self._hosted()[0].name)  # the name is the domain's id in URLs (as in Graph)

    def _dns_record(self):
        return self._hosted()[1]

    def _invitation(self):
        """An invitation this organization sent as a partner (it is enrolled for that)."""
        if "invitation" not in self._cache:
            from tests.billing.partnerhelpers import invite

            self._cache["invitation"] = invite(self.org.tenant)[0]
        return self._cache["invitation"]

    def _relationship(self):
        """A partner (another organization) that is this organization's delegated administrator."""
        if "relationship" not in self._cache:
            from tests.billing.partnerhelpers import relate
            from tests.factories import make_tenant

            partner, _admin = make_tenant(name="Walker Partner")
            self._cache["relationship"] = relate(self.org.tenant, partner, accepted_by=self.org.global_admin)
        return self._cache["relationship"]

    def _service_request(self):
        """A service request of this organization with one attachment."""
        if "service_request" not in self._cache:
            from django.core.files.uploadedfile import SimpleUploadedFile

            from support.request_services import create_request

            self._cache["service_request"] = create_request(
                tenant=self.org.tenant, actor=Actor.system("tests"), category="other", title="Walker request",
                description="Walker", contact_email="walker@example.com",
                files=[SimpleUploadedFile("walker.txt", b"walker")])
        return self._cache["service_request"]

    def _request_attachment(self):
        return self._service_request().attachments.first()

    MAKERS = {"request_id": "_service_request", "attachment_id": "_request_attachment", "domain_id": "_domain", "record_id": "_dns_record",
              "subscription_id": "_subscription", "order_id": "_order", "payment_method_id": "_payment_method",
              "app_id": "_app", "secret_id": "_secret", "job_id": "_job", "user_id": "_user",
              "group_id": "_group", "view_id": "_custom_view", "sku_id": "_license_plan",
              "invitation_id": "_invitation", "relationship_id": "_relationship"}

    def kwargs_for(self, route: str) -> dict:
        names = _param_names(route)
        unknown = [n for n in names if n not in self.MAKERS]
        assert not unknown, f"URL {route} has parameters {unknown}: add a maker to tests/portal_urls.py"
        return {name: getattr(self, self.MAKERS[name])().pk for name in names}


def _param_names(route: str) -> list[str]:
    return [m.split(":")[-1] for m in re.findall(r"<([^>]+)>", route)]
