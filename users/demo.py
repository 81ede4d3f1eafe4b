"""The demo organization people try the product with (`manage.py seed_demo`).

Everything goes through the services so the audit log of the demo has real content. Building it
twice is a no-op: an existing demo organization is reported, not touched.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing.models import PaymentMethod, Sku
from billing.services import CartItem, Payment, checkout_place, invoice_method
from domains.models import Domain
from tenantadmin.actors import Actor
from tenantadmin.initial_domain import initial_domain_for
from tenantadmin.models import AppRegistration, Tenant
from tenantadmin.roles import Role
from tenantadmin.services.app_registrations import app_registration_create, app_secret_create
from tenantadmin.services.audit import audit_record
from users.licenses import licenses_change
from users.services import user_create
from users.signup import tenant_sign_up

# --- The data -------------------------------------------------------------------------------
ORGANIZATION_NAME = "Contoso Demo"
INITIAL_LABEL = "contosodemo"
COUNTRY = "US"
TRIAL_PLAN = "ENTERPRISEPACK"
PAID_PLAN = "LITEPACK"
PAID_QUANTITY = 10

# Documented in the README and printed by the command; every demo account uses it. It satisfies
# the password policy and contains none of the demo aliases.
DEMO_PASSWORD = "Demo#Portal1"
ADMIN = {"alias": "admin", "first_name": "Megan", "last_name": "Bowen", "alternate_email": "megan.bowen@example.com"}

CUSTOM_DOMAIN = "contoso.example"  # added and verified
PENDING_DOMAIN = "fabrikam.example"  # added, waiting for verification

APP_NAME = "Contoso reporting"
# Enough to try the README examples (organization, audit log) without being able to change anything.
APP_PERMISSIONS = ["AuditLog.Read.All", "Directory.Read.All"]

INITIAL = "initial"
CUSTOM = "custom"
# (alias, domain, first name, last name, job title, department, country, city, role, sign-in allowed)
PEOPLE = [
    ("adele.vance", CUSTOM, "Adele", "Vance", "Retail Manager", "Retail", "US", "Seattle", None, True),
    ("alex.wilber", CUSTOM, "Alex", "Wilber", "Marketing Assistant", "Marketing", "US", "San Diego", None, True),
    ("diego.siciliani", CUSTOM, "Diego", "Siciliani", "HR Manager", "Human Resources", "US", "Birmingham",
     Role.USER_ADMIN, True),
    ("grady.archie", CUSTOM, "Grady", "Archie", "Senior Designer", "Research and Development", "US", "Bloomington",
     None, True),
    ("henrietta.mueller", CUSTOM, "Henrietta", "Mueller", "Developer", "Research and Development", "DE", "Berlin",
     None, True),
    ("isaiah.langer", CUSTOM, "Isaiah", "Langer", "Sales Representative", "Sales", "US", "Tulsa", None, True),
    ("johanna.lorenz", CUSTOM, "Johanna", "Lorenz", "Senior Engineer", "Engineering", "DE", "Munich",
     Role.SERVICE_ADMIN, True),
    ("joni.sherman", CUSTOM, "Joni", "Sherman", "Paralegal", "Legal", "US", "Charlotte", None, True),
    ("lee.gu", CUSTOM, "Lee", "Gu", "Director", "Manufacturing", "US", "Overland Park", None, True),
    ("lidia.holloway", CUSTOM, "Lidia", "Holloway", "Product Manager", "Engineering", "US", "Tulsa", None, True),
    ("lynne.robbins", CUSTOM, "Lynne", "Robbins", "Planner", "Retail", "US", "Tulsa", None, False),
    ("miriam.graham", CUSTOM, "Miriam", "Graham", "Director", "Sales and Marketing", "US", "San Diego", None, True),
    ("nestor.wilke", CUSTOM, "Nestor", "Wilke", "Director", "Operations", "US", "Seattle", Role.PASSWORD_ADMIN, True),
    ("patti.fernandez", CUSTOM, "Patti", "Fernandez", "President", "Executive Management", "US", "Louisville",
     None, True),
    ("pradeep.gupta", CUSTOM, "Pradeep", "Gupta", "Accountant", "Finance", "GB", "London", Role.BILLING_ADMIN, True),
    ("anouk.jansen", CUSTOM, "Anouk", "Jansen", "Office Manager", "Operations", "NL", "Utrecht", None, True),
    ("camille.laurent", CUSTOM, "Camille", "Laurent", "Sales Representative", "Sales", "FR", "Lyon", None, True),
    ("emily.braun", CUSTOM, "Emily", "Braun", "Budget Analyst", "Finance", "CA", "Toronto", None, False),
    ("enrico.cattaneo", INITIAL, "Enrico", "Cattaneo", "Attorney", "Legal", "IT", "Milan", None, True),
    ("irvin.sayers", INITIAL, "Irvin", "Sayers", "Vice President", "Sales", "GB", "Manchester", None, True),
    ("kenji.sato", INITIAL, "Kenji", "Sato", "Support Engineer", "IT", "JP", "Osaka", Role.SERVICE_ADMIN, True),
    ("megan.riley", INITIAL, "Megan", "Riley", "Marketing Manager", "Marketing", "AU", "Sydney", None, True),
    ("christie.cline", INITIAL, "Christie", "Cline", "Buyer", "Purchasing", "US", "San Diego", None, True),
    ("ben.walters", INITIAL, "Ben", "Walters", "Contractor", "IT", "US", "Redmond", None, False),
    ("sofia.lindqvist", INITIAL, "Sofia", "Lindqvist", "Payroll Specialist", "Finance", "SE", "Stockholm",
     Role.BILLING_ADMIN, True),
]

DEMO_ACTOR = Actor.system("demo data")


# --- The pieces -----------------------------------------------------------------------------
def demo_tenant() -> Tenant | None:
    return Tenant.objects.filter(initial_domain=initial_domain_for(INITIAL_LABEL)).first()


def _sign_up() -> Tenant:
    tenant, _admin = tenant_sign_up(
        organization_name=ORGANIZATION_NAME, country=COUNTRY, preferred_language="en",
        first_name=ADMIN["first_name"], last_name=ADMIN["last_name"], alternate_email=ADMIN["alternate_email"],
        initial_label=INITIAL_LABEL, alias=ADMIN["alias"], password=DEMO_PASSWORD,
        plan=Sku.objects.get(part_number=TRIAL_PLAN), mail_welcome=False,
    )
    return tenant


def _add_domain(tenant: Tenant, name: str, *, verified: bool) -> Domain:
    # The domains service for adding and verifying arrives with the domains issue; until then the
    # demo writes the row and its audit events itself (DNS verification cannot run for .example).
    domain = Domain.objects.create(tenant=tenant, name=name)
    audit_record(tenant=tenant, actor=DEMO_ACTOR, action="domain.create", target=domain,
                 changes={"name": [None, name], "status": [None, domain.status]})
    if verified:
        domain.status, domain.verified_at = Domain.Status.VERIFIED, timezone.now()
        domain.save(update_fields=["status", "verified_at"])
        audit_record(tenant=tenant, actor=DEMO_ACTOR, action="domain.verify", target=domain,
                     changes={"status": [Domain.Status.UNVERIFIED, domain.status]})
    return domain


def _add_people(tenant: Tenant) -> None:
    domains = {INITIAL: tenant.initial_domain, CUSTOM: CUSTOM_DOMAIN}
    for alias, domain, first, last, title, department, country, city, role, allowed in PEOPLE:
        # Administrators need an alternate address outside the organization (SPEC roles).
        alternate = f"{alias}@example.com" if role else ""
        user_create(
            tenant=tenant, actor=DEMO_ACTOR, alias=alias, domain=domains[domain], display_name=f"{first} {last}",
            password=DEMO_PASSWORD, roles=[role] if role else [], first_name=first, last_name=last,
            job_title=title, department=department, usage_location=country, city=city, alternate_email=alternate,
            is_active=allowed,
        )


def _buy_paid_plan(tenant: Tenant, admin) -> None:
    """The demo's bought plan goes through the real checkout: paid by invoice, numbered, with a PDF invoice."""
    items = [CartItem(sku=Sku.objects.get(part_number=PAID_PLAN), quantity=PAID_QUANTITY)]
    checkout_place(tenant=tenant, actor=Actor.for_user(admin), items=items, service_address={"country": COUNTRY},
                   payment=Payment(kind=PaymentMethod.Kind.INVOICE, method=invoice_method(tenant), po_number="DEMO-001"),
                   idempotency_key="seed-demo")


def _assign_licenses(tenant: Tenant) -> None:
    """Most demo people hold a license, so the Users and Licenses pages show real figures."""
    plans = {part: Sku.objects.get(part_number=part) for part in (TRIAL_PLAN, PAID_PLAN)}
    people = tenant.users.filter(deleted_at__isnull=True).exclude(usage_location="").order_by("upn")
    for n, person in enumerate(people):
        if n % 5 == 4:
            continue  # a few stay unlicensed, for the Unlicensed users view
        licenses_change(user=person, actor=DEMO_ACTOR, add=[plans[PAID_PLAN if n % 3 == 2 else TRIAL_PLAN]])


def _add_app(tenant: Tenant) -> tuple[AppRegistration, str]:
    app = app_registration_create(tenant=tenant, actor=DEMO_ACTOR, display_name=APP_NAME, permissions=APP_PERMISSIONS)
    _secret, plain = app_secret_create(app=app, actor=DEMO_ACTOR, display_name="Demo secret", months=12)
    return app, plain


def _summary(tenant: Tenant, *, created: bool, app_secret: str | None = None) -> dict:
    app = tenant.app_registrations.filter(display_name=APP_NAME).first()
    demo_app = None
    if app is not None:
        demo_app = {"client_id": str(app.client_id)}
        if app_secret:
            demo_app["client_secret"] = app_secret
    return {
        "created": created,
        "tenant_id": str(tenant.pk),
        "sign_in_url": settings.PUBLIC_URL + "/signin/",
        "admin_upn": f"{ADMIN['alias']}@{tenant.initial_domain}",
        "admin_password": DEMO_PASSWORD,
        "users": tenant.users.filter(deleted_at__isnull=True).count(),
        "domains": list(tenant.domains.values_list("name", flat=True)),
        "demo_app": demo_app,
    }


# --- The whole ------------------------------------------------------------------------------
@transaction.atomic
def seed_demo() -> dict:
    """Build the demo organization unless it exists; returns what to print (the app secret only when new)."""
    tenant = demo_tenant()
    if tenant is not None:
        return _summary(tenant, created=False)
    tenant = _sign_up()
    _add_domain(tenant, CUSTOM_DOMAIN, verified=True)
    _add_domain(tenant, PENDING_DOMAIN, verified=False)
    _add_people(tenant)
    _buy_paid_plan(tenant, tenant.users.get(upn=f"{ADMIN['alias']}@{tenant.initial_domain}"))
    _assign_licenses(tenant)
    _app, secret = _add_app(tenant)
    return _summary(tenant, created=True, app_secret=secret)
