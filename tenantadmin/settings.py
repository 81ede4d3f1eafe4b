"""Settings for tenantadmin, read once from environment variables.

With nothing set, the portal runs on the embedded default: SQLite under var/, a file-system
Celery broker, mail and SMS written to files, DNS zones kept in the database. Production sets
DATABASE_URL, REDIS_URL, SECRET_KEY and the mail settings (see docker-compose.yml and README).
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from tenantadmin.env import env_bool, env_hostports, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The address people type; used in mails (sign-in link, welcome mail, job results).
PUBLIC_URL = env_url("PUBLIC_URL", "http://127.0.0.1:8000", schemes=("http", "https")).rstrip("/")
PRODUCT_NAME = env_str("PRODUCT_NAME", "tenantadmin")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_countries",
    "captcha",
    "axes",
    "ninja",
    # Our apps, in import order: core first, then the apps that build on it.
    "tenantadmin",
    "billing",
    "domains",
    "users",
    "support",
    "lync",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: the person's display language and time zone, then the password gate
    # that sends a temporary or expired password to Change password before anything else.
    "users.preferences_middleware.UserPreferencesMiddleware",
    "users.password_gate.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tenantadmin.middleware.TenantMiddleware",
    # django-axes wants to be last: it turns a lockout raised by authenticate() into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tenantadmin.urls"
WSGI_APPLICATION = "tenantadmin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenantadmin.context_processors.portal",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------------------------
DATABASE_URL = env_url(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
    schemes=("sqlite", "postgres", "postgresql", "pgsql"),
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A busy timeout lets the web process and the embedded worker share one SQLite file.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_url("REDIS_URL", None, schemes=("redis", "rediss", "unix"))
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Job results and uploads are served through views that check the tenant, never by URL.
PRIVATE_FILES_ROOT = Path(env_str("PRIVATE_FILES_ROOT", str(VAR_DIR / "private")))

# --- Background jobs ------------------------------------------------------------------------
# Without REDIS_URL the broker is a folder: the embedded worker and the web process exchange
# messages as files, so trying the product needs no server.
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_FOLDER = VAR_DIR / "broker"
if not REDIS_URL:
    CELERY_BROKER_TRANSPORT = "tenantadmin.broker:Transport"  # kombu's file transport, atomic writes
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True  # progress and results live in the Job table
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"

# --- Auth and security ----------------------------------------------------------------------
AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "users.backends.PrincipalNameBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [{"NAME": "users.passwords.PasswordPolicyValidator"}]
LOGIN_URL = "users:signin"
LOGIN_REDIRECT_URL = "home"

# "Keep me signed in" keeps the session this long; otherwise it ends with the browser.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 3600, minimum=300)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY") else None

AXES_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", 5, minimum=1)
# The wait grows with each lockout of the same account (users/lockout.py): 5, 10, 20… minutes, at
# most 2 hours. The handler expires each account's attempts with that account's own wait; user
# names are compared case-insensitively (as sign-in does); the failure log is the record of past
# lockouts; tries during a lock are refused without extending it.
AXES_COOLOFF_TIME = "users.lockout.cooloff"
AXES_HANDLER = "users.lockout.LockoutHandler"
AXES_USERNAME_CALLABLE = "users.lockout.lockout_username"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Lock an account after repeated failures, and separately an address that sprays many accounts.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "users/locked_out.html"
AXES_VERBOSE = False

# --- Product rules --------------------------------------------------------------------------
# Every organization gets <label>.<INITIAL_DOMAIN_SUFFIX>. The default is a reserved name
# (RFC 2606) so a fresh install never claims a domain somebody else owns.
INITIAL_DOMAIN_SUFFIX = env_str("INITIAL_DOMAIN_SUFFIX", "tenantadmin.example").lower().strip(".")
TRIAL_DAYS = env_int("TRIAL_DAYS", 30, minimum=1)
# Bulk import of users (SPEC users/ "Bulk import"): the largest file accepted, and whether the one-time
# temporary passwords of an import are hashed with a lighter Argon2 cost (they are random, single use and
# re-hashed at full cost at the first sign-in; full cost makes 100,000 users take hours).
USERS_IMPORT_MAX_BYTES = env_int("USERS_IMPORT_MAX_BYTES", 50 * 1024 * 1024, minimum=1024)
USERS_IMPORT_LIGHT_HASHING = env_bool("USERS_IMPORT_LIGHT_HASHING", True)
# Billing (SPEC billing/ "Renewal and lifecycle"): grace lengths after expiry, data kept after cancellation,
# the payment gateway (dotted path of a billing.gateway.PaymentGateway; the built-in test gateway by
# default) and the invoice total above which paying by invoice needs a credit check first.
BILLING_WARNING_DAYS = env_int("BILLING_WARNING_DAYS", 30, minimum=1)
BILLING_SUSPENDED_DAYS = env_int("BILLING_SUSPENDED_DAYS", 90, minimum=1)
BILLING_DATA_RETENTION_DAYS = env_int("BILLING_DATA_RETENTION_DAYS", 90, minimum=1)
BILLING_INVOICE_TERMS_DAYS = env_int("BILLING_INVOICE_TERMS_DAYS", 30, minimum=1)
BILLING_GATEWAY = env_str("BILLING_GATEWAY", "billing.gateway.TestGateway")
BILLING_CREDIT_LIMIT = env_int("BILLING_CREDIT_LIMIT", 10000, minimum=0)
BILLING_CATALOG_FILE = env_str("BILLING_CATALOG_FILE", "")
# How long a partner's delegated-administrator invitation link works (SPEC billing/ "Partners").
PARTNER_INVITATION_DAYS = env_int("PARTNER_INVITATION_DAYS", 14, minimum=1, maximum=365)
QUICK_START_DAYS = 30
API_TOKEN_LIFETIME_SECONDS = env_int("API_TOKEN_LIFETIME_SECONDS", 3600, minimum=60, maximum=86400)
APP_SECRET_MAX_MONTHS = 24

DNS_NAMESERVERS = env_hostports("DNS_NAMESERVERS", default_port=53)  # empty: system resolver
DNS_POLL_INTERVAL_SECONDS = env_int("DNS_POLL_INTERVAL_SECONDS", 300, minimum=5)
# Domains (SPEC domains/): per-query timeout, how long pending domains are polled, the verification
# record's TXT prefix and MX host, our name servers (two or more) and the targets of the service
# records a hosted zone gets. PowerDNS is used when PDNS_API_URL and PDNS_API_KEY are set; without
# them zones stay in the database (BIND zone-file export).
DNS_TIMEOUT_SECONDS = env_int("DNS_TIMEOUT_SECONDS", 3, minimum=1, maximum=30)
DNS_VERIFY_GIVE_UP_HOURS = env_int("DNS_VERIFY_GIVE_UP_HOURS", 72, minimum=1)
VERIFICATION_TXT_PREFIX = env_str("VERIFICATION_TXT_PREFIX", "MS=")
VERIFICATION_MX_HOST = env_str("VERIFICATION_MX_HOST", f"verify.{INITIAL_DOMAIN_SUFFIX}").lower().strip(".")
OUR_NAME_SERVERS = [n.lower().strip(".") for n in env_list("OUR_NAME_SERVERS")] or [
    f"ns1.{INITIAL_DOMAIN_SUFFIX}", f"ns2.{INITIAL_DOMAIN_SUFFIX}"]
if len(OUR_NAME_SERVERS) < 2:
    raise ImproperlyConfigured("OUR_NAME_SERVERS must name two or more name servers.")
SERVICE_MAIL_HOST = env_str("SERVICE_MAIL_HOST", f"mail.protection.{INITIAL_DOMAIN_SUFFIX}").lower().strip(".")
SERVICE_HOST = env_str("SERVICE_HOST", f"outlook.{INITIAL_DOMAIN_SUFFIX}").lower().strip(".")
SERVICE_SIP_HOST = env_str("SERVICE_SIP_HOST", f"sipdir.online.lync.{INITIAL_DOMAIN_SUFFIX}").lower().strip(".")
SERVICE_SPF_INCLUDE = env_str("SERVICE_SPF_INCLUDE", f"spf.protection.{INITIAL_DOMAIN_SUFFIX}").lower().strip(".")
WEBSITE_IP = env_str("WEBSITE_IP", "192.0.2.80")
WEBSITE_HOST = env_str("WEBSITE_HOST", f"sites.{INITIAL_DOMAIN_SUFFIX}").lower().strip(".")
PDNS_API_URL = env_url("PDNS_API_URL", None, schemes=("http", "https"))
PDNS_API_KEY = env_str("PDNS_API_KEY", "")
PDNS_SERVER_ID = env_str("PDNS_SERVER_ID", "localhost")

# --- Mail and SMS ---------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tenantadmin <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SMS_BACKEND = env_str("SMS_BACKEND", "tenantadmin.sms.FileBackend")
SMS_FILE_PATH = str(VAR_DIR / "sms")
SMS_HTTP_URL = env_url("SMS_HTTP_URL", None, schemes=("http", "https"))
SMS_HTTP_TOKEN = env_str("SMS_HTTP_TOKEN", "")

# --- Internationalization -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German")), ("nl", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files and forms -----------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve from the source folders too, so no collectstatic step is needed
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
CAPTCHA_LENGTH = 5
CAPTCHA_TIMEOUT = 10  # minutes
CAPTCHA_IMAGE_SIZE = (150, 50)
CAPTCHA_FONT_SIZE = 32

NINJA_PAGINATION_MAX_LIMIT = 999

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

SILENCED_SYSTEM_CHECKS = [
    # The user name is unique among live accounts only (a partial unique index): deleted
    # accounts keep theirs for 30 days so they can be restored.
    "auth.W004",
]
