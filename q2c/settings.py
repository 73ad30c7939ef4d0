"""Settings, all from the environment.

The defaults (with the DEBUG=1 the Makefile exports) give the zero-setup `make run`: SQLite,
eager Celery tasks, console email.
"""

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from q2c.demo_company import DEMO_COMPANY

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Off unless told: a forgotten variable must never serve tracebacks. The Makefile (`make run`,
# `make test`, ...) exports DEBUG=1, so the zero-setup commands still need no setting.
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0.")
    SECRET_KEY = "dev-only-insecure-key-change-me-with-SECRET_KEY-environment"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if not DEBUG else "*")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_fsm",
    "djmoney",
    "django_filters",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "notifications",
    "customers",
    "ledger",
    "catalog",
    "quotes",
    "contracts",
    "orders",
    "billing",
    "payments",
    "revrec",
    "analytics",
    "webhooks",
    "operations",
    "q2c",
]

# Scripts, styles, images and fonts from this site only; style attributes are allowed (charts
# and a few layout tweaks use them), `<style>` elements and inline scripts are not. Pages may be
# framed by this site only (the portal shows its PDFs in a frame).
CONTENT_SECURITY_POLICY = os.environ.get("CONTENT_SECURITY_POLICY", "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'",
    "style-src-attr 'unsafe-inline'", "img-src 'self' data:", "font-src 'self'",
    "connect-src 'self'", "frame-src 'self'", "frame-ancestors 'self'", "object-src 'none'",
    "base-uri 'self'", "form-action 'self'",
]))

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ContentSecurityPolicy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.RefuseNulCharacters",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "q2c.two_factor.CachedOTPMiddleware",
    "q2c.two_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "q2c.urls"
WSGI_APPLICATION = "q2c.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "q2c.navigation.navigation",
            ],
            "builtins": ["core.templatetags.money"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'q2c.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets the dev server read while a task writes; NORMAL syncs at checkpoints, not at
    # every commit (SQLite is the zero-setup default, PostgreSQL what production runs).
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
# A second factor (TOTP) at sign-in: anyone may turn it on; with this set, finance,
# accountants and administrators must (see q2c/two_factor.py).
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", False)
OTP_TOTP_ISSUER = "Q2C"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
NUMBER_GROUPING = 3  # amounts read 1,250.00 (the money filter groups explicitly)

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"

# Money: the ledger keeps the functional currency; documents keep their own.
FUNCTIONAL_CURRENCY = os.environ.get("FUNCTIONAL_CURRENCY", "USD").upper()
CURRENCIES = env_list("CURRENCIES", "USD,EUR,GBP,JPY,CAD,AUD,CHF,KWD")
if FUNCTIONAL_CURRENCY not in CURRENCIES:
    CURRENCIES.append(FUNCTIONAL_CURRENCY)
DEFAULT_CURRENCY = FUNCTIONAL_CURRENCY
# How partial periods are prorated (catalog/proration.py): "actual" (actual days, start day
# included, end day excluded; the default), "30/360", and "+last_day" to bill the last day too.
PRORATION_CONVENTION = os.environ.get("PRORATION_CONVENTION", "actual")
# Tax is rounded on each invoice line ("line") or once on the invoice's total per rate ("invoice").
TAX_ROUNDING = os.environ.get("TAX_ROUNDING", "line")
# Where the official EN 16931 validation XSLT lives (empty: the release shipped in
# billing/einvoice/rules).
EINVOICE_RULES_DIR = os.environ.get("EINVOICE_RULES_DIR", "")

# Celery: without a broker, tasks run eagerly in the web process (the zero-setup default).
# The cache holds sign-in failure counts (q2c/login.py): shared Redis in production so every
# web worker sees them; the per-process memory cache for the zero-setup run.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {"default": (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"})}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
if not CELERY_BROKER_URL and not DEBUG:
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL must be set when DEBUG=0: without a broker every invoice run, "
        "dunning run and email would run inside the web request that started it.")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "q2c")
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# A publish to a broker that is down gives up after about a second (the outbox keeps the
# message and the relay sends it later), instead of holding the user's request.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2,
                                    "interval_max": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# A running invoice, recognition or dunning run with no progress for this long shows as
# stalled, with Resume (core/runs.py).
RUN_STALLED_AFTER_MINUTES = int(os.environ.get("RUN_STALLED_AFTER_MINUTES", "15"))

# Email: console by default; SMTP when EMAIL_HOST is set.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "billing@q2c.example")

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Letterhead of customer documents (quote PDFs) and the address links in emails point to.
COMPANY_NAME = os.environ.get("COMPANY_NAME", "Q2C Software Ltd")
COMPANY_ADDRESS = os.environ.get("COMPANY_ADDRESS", "1 Example Street, Springfield")
COMPANY_EMAIL = os.environ.get("COMPANY_EMAIL", "sales@q2c.example")
# The seller's identity on invoices and e-invoices (EN 16931), read only by core/company.py.
# COMPANY_COUNTRY in the EU turns on the EU VAT rules (reverse charge, OSS, exports).
# DEMO_COMPANY=1 (`make run`) fills the ones the environment leaves empty with the demo's seller.
USE_DEMO_COMPANY = env_bool("DEMO_COMPANY", False)


def company_setting(name: str) -> str:
    return os.environ.get(name) or (DEMO_COMPANY.get(name, "") if USE_DEMO_COMPANY else "")


COMPANY_LEGAL_NAME = company_setting("COMPANY_LEGAL_NAME")
COMPANY_STREET = company_setting("COMPANY_STREET")
COMPANY_CITY = company_setting("COMPANY_CITY")
COMPANY_POSTAL_CODE = company_setting("COMPANY_POSTAL_CODE")
COMPANY_COUNTRY = company_setting("COMPANY_COUNTRY")
COMPANY_VAT_ID = company_setting("COMPANY_VAT_ID")
COMPANY_REGISTRATION_ID = company_setting("COMPANY_REGISTRATION_ID")
COMPANY_IBAN = company_setting("COMPANY_IBAN")
COMPANY_BIC = company_setting("COMPANY_BIC")
COMPANY_PHONE = company_setting("COMPANY_PHONE")
COMPANY_CREDITOR_ID = company_setting("COMPANY_CREDITOR_ID")
# The look of customer documents: a logo file (PNG, JPEG or SVG; a path, relative to the project
# when not absolute) at the top left, and the colour of headings and rules (#rrggbb).
COMPANY_LOGO = os.environ.get("COMPANY_LOGO", "")
COMPANY_COLOUR = os.environ.get("COMPANY_COLOUR", "#1d2330")
if not re.fullmatch(r"#[0-9a-fA-F]{6}", COMPANY_COLOUR):
    raise ImproperlyConfigured(f"COMPANY_COLOUR must be a colour like #1d2330, not "
                               f"{COMPANY_COLOUR!r}.")
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")
# Behind our TLS proxy the client's address is the last X-Forwarded-For entry the proxy added;
# without a proxy that header is the client's own word and is ignored.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)

# The payment gateway signs its webhooks with this secret (the sandbox gateway uses it too).
PAYMENT_WEBHOOK_SECRET = os.environ.get("PAYMENT_WEBHOOK_SECRET", "")
if not PAYMENT_WEBHOOK_SECRET:
    if not DEBUG:
        raise ImproperlyConfigured("PAYMENT_WEBHOOK_SECRET must be set when DEBUG=0.")
    PAYMENT_WEBHOOK_SECRET = "dev-only-webhook-secret"
# The card gateway (the sandbox, with test cards, until a real one is configured).
PAYMENT_GATEWAY = os.environ.get("PAYMENT_GATEWAY", "payments.gateways.sandbox.SandboxGateway")
# How an early-payment discount treats tax (payments/cash_discount.py, Odoo's three modes):
# `always` (tax charged on the discounted net), `on_early_payment` (tax corrected with the
# discount when it is taken) or `never` (the discount is on the net, tax untouched).
EARLY_DISCOUNT_TAX_MODE = os.environ.get("EARLY_DISCOUNT_TAX_MODE", "on_early_payment")
if EARLY_DISCOUNT_TAX_MODE not in ("always", "on_early_payment", "never"):
    raise ImproperlyConfigured(
        "EARLY_DISCOUNT_TAX_MODE must be always, on_early_payment or never.")
# A due date on a Saturday or Sunday moves to the next business day.
DUE_DATES_ON_BUSINESS_DAYS = env_bool("DUE_DATES_ON_BUSINESS_DAYS", False)
# The recognition policy each new revenue contract starts with (revrec.policies); an accountant
# may change a contract's own before anything of it is recognized.
REVREC_RECOGNITION_BASIS = os.environ.get("REVREC_RECOGNITION_BASIS", "by_day")
REVREC_REMAINDER_TO = os.environ.get("REVREC_REMAINDER_TO", "largest_remainder")
REVREC_MID_MONTH_END = os.environ.get("REVREC_MID_MONTH_END", "service_end")
# Manual journals above this total (functional currency) are posted by a second person.
MANUAL_JOURNAL_APPROVAL_THRESHOLD = os.environ.get("MANUAL_JOURNAL_APPROVAL_THRESHOLD", "10000")
# Where dunning escalations to finance go.
FINANCE_EMAIL = os.environ.get("FINANCE_EMAIL", "finance@q2c.example")

# The API (/api/v1/): keys or the browser's session, problem-details errors, cursor pages.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.IdCursorPagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttling.KeyRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.problems.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Requests per key (or per signed-in user) and minute.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "1200/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "Q2C API",
    "DESCRIPTION": "Quote-to-cash: accounts, quotes, invoices, payments, usage and the ledger. "
                   "Every write goes through the same services and permissions as the pages.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ProductKindEnum": "catalog.models.ProductKind",
        "AccountStatusEnum": "customers.models.AccountStatus",
        "ContractLineStatusEnum": "contracts.models.LineStatus",
        "ObligationStatusEnum": "revrec.models.ObligationStatus",
    },
}

from q2c.schedules import CELERY_BEAT_SCHEDULE  # noqa: E402, F401  (every periodic task)

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # WeasyPrint logs every rendering step, and eager tasks log each success: noise.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
    },
}
