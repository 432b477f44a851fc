"""akrim settings: one file, fed from the environment (see config/env.py and docs/deploy.md).

Without any environment akrim runs on its embedded default: a SQLite file, Celery tasks
executed in-process, DEBUG on. Production sets DEBUG=false, SECRET_KEY, ALLOWED_HOSTS,
DATABASE_URL and REDIS_URL.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path
from typing import Any

import django_stubs_ext
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_database, env_int, env_list, env_str, env_url

# Type parameters on Django's generic classes (`ModelAdmin[Agency]`, `ListView[Case]`) are
# for the type checker; this makes them valid at runtime too (docs/architecture.md).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
# Private files (attachments, report artifacts) live outside any web root.
VAR_DIR = Path(env_str("AKRIM_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)
# Refused with DEBUG off (below): a known key for the embedded default only.
_DEV_SECRET = "akrim-insecure-development-key-do-not-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else None)
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is false.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "django_tables2",  # every list page's table (network/tables.py)
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_countries",  # country names in Swedish (network/names.py)
    "network",
    "cases",
    "inspections",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "network.middleware.RequestIdMiddleware",
    "network.outage.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "network.middleware.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "network.querystring.QueryStringMiddleware",  # 400 for a NUL in the query string
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django-otp's, checking the session's device in the query that loads the user.
    "network.twofactor.OTPMiddleware",
    "network.twofactor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a lockout into network.lockout.lockout_response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "network.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The ranking facts' covering indexes (INCLUDE) serve PostgreSQL's index-only scans; the
# embedded SQLite builds the same indexes on their key columns, which is all it needs.
SILENCED_SYSTEM_CHECKS = (
    ["models.W040"] if DATABASES["default"]["ENGINE"].endswith("sqlite3") else []
) + [
    # guardian looks for its own backend by name; akrim hooks its subclass, GrantBackend
    # (network/backends.py, docs/access.md "django-guardian").
    "guardian.W001",
]

AUTH_USER_MODEL = "network.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Object permissions of models with a policy are the policy's answer, before guardian's
    # rows are asked (network/backends.py, docs/access.md).
    "network.backends.PolicyBackend",
    # Django's ModelBackend, reading the membership and the capabilities in fewer queries.
    "network.backends.MembershipModelBackend",
    # guardian's backend, counting only shares and grants in force (network/backends.py).
    "network.backends.GrantBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if env_bool("AKRIM_FAST_PASSWORD_HASHER", False):
    # Tests only: Django 6.1's PBKDF2 costs 0.3 s per check, which dominates a test run.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Login protection (docs/security.md) ----------------------------------------------------
# Addresses or networks of the reverse proxies whose X-Forwarded-For and X-Request-ID are
# believed (network.middleware.client_ip). Empty by default, with DEBUG on or off: then the
# connecting peer is the client, and nothing a client writes in a header is trusted.
AKRIM_TRUSTED_PROXY_IPS = env_list("AKRIM_TRUSTED_PROXY_IPS", "")
for _proxy in AKRIM_TRUSTED_PROXY_IPS:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"AKRIM_TRUSTED_PROXY_IPS: {_proxy!r} is not an IP address or network."
        ) from None
if env_str("AKRIM_TRUSTED_PROXIES", ""):
    # The hop count trusted whoever reached the port; name the proxies instead.
    raise ImproperlyConfigured(
        "AKRIM_TRUSTED_PROXIES is gone: set AKRIM_TRUSTED_PROXY_IPS to the proxies' addresses."
    )
# django-axes: lock a username after N failed logins, an address after M (an agency's staff
# often share one address), for AKRIM_LOCKOUT_MINUTES. network.lockout scales the two limits.
AKRIM_LOCKOUT_USER_FAILURES = env_int("AKRIM_LOCKOUT_USER_FAILURES", 5, minimum=1)
AKRIM_LOCKOUT_IP_FAILURES = env_int("AKRIM_LOCKOUT_IP_FAILURES", 20, minimum=1)
AXES_FAILURE_LIMIT = AKRIM_LOCKOUT_USER_FAILURES
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AKRIM_LOCKOUT_MINUTES", 15, minimum=1))
AXES_HANDLER = "network.lockout.AkrimAxesHandler"
AXES_LOCKOUT_CALLABLE = "network.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "network.ratelimit.client_ip"
AXES_RESET_ON_SUCCESS = True
# Our own audit trail records logins and logouts; axes keeps only the failed attempts.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Rate limits: rule -> (requests, seconds), counted per address and per username/e-mail.
AKRIM_RATE_LIMITS = {
    "login:ip": (env_int("AKRIM_LOGIN_PER_IP_5MIN", 60, minimum=1), 300),
    "login:username": (env_int("AKRIM_LOGIN_PER_USER_5MIN", 10, minimum=1), 300),
    "token:ip": (env_int("AKRIM_TOKEN_PER_IP_5MIN", 60, minimum=1), 300),
    "token:username": (env_int("AKRIM_TOKEN_PER_USER_5MIN", 10, minimum=1), 300),
    "password_reset:ip": (env_int("AKRIM_RESET_PER_IP_HOUR", 10, minimum=1), 3600),
    "password_reset:email": (env_int("AKRIM_RESET_PER_EMAIL_HOUR", 3, minimum=1), 3600),
    "otp:user": (env_int("AKRIM_OTP_PER_USER_5MIN", 10, minimum=1), 300),
}
# Prefix of the rate-limit counters in the cache (tests give each test its own).
AKRIM_RATELIMIT_PREFIX = "akrim:"
# Two-factor login (network.twofactor): besides coordinators, auditors and admins, everyone
# whose roles carry one of these capabilities must use it.
AKRIM_TWO_FACTOR_PERMISSIONS = env_list("AKRIM_TWO_FACTOR_PERMISSIONS", "cases.reveal_identity")
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "akrim")
# Keys that encrypt the TOTP secrets at rest (network.totp_keys): the first encrypts, all
# decrypt (rotation). Unset: derived from SECRET_KEY.
AKRIM_TOTP_KEYS = env_list("AKRIM_TOTP_KEY", "")
if any(len(key) < 32 for key in AKRIM_TOTP_KEYS):
    raise ImproperlyConfigured("Each AKRIM_TOTP_KEY must be at least 32 characters long.")
# Administrators may delete a lost authenticator but never read its secret or QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Demo accounts (seed_demo) get an authenticator with this published key (README), so a
# demo can be tried; `manage.py demo_otp USER` prints the current code. Off unless DEBUG.
AKRIM_DEMO_OTP = env_bool("AKRIM_DEMO_OTP", DEBUG)
if AKRIM_DEMO_OTP and not DEBUG:
    raise ImproperlyConfigured("AKRIM_DEMO_OTP may only be set together with DEBUG.")
AKRIM_DEMO_OTP_KEY = "616b72696d2d64656d6f2d6f74702d3230323621"  # b"akrim-demo-otp-2026!"
# Optional single sign-on with an agency's OpenID Connect provider (network.oidc): on only
# when OIDC_RP_CLIENT_ID is set. Existing members only; MFA only if the provider asserts it.
AKRIM_OIDC = bool(env_str("OIDC_RP_CLIENT_ID", ""))
AKRIM_OIDC_MATCH_CLAIM = env_str("AKRIM_OIDC_MATCH_CLAIM", "email")
AKRIM_OIDC_AGENCIES = env_list("AKRIM_OIDC_AGENCIES", "")
AKRIM_OIDC_MFA_AMR = env_list("AKRIM_OIDC_MFA_AMR", "mfa,otp,hwk")
AKRIM_OIDC_MFA_ACR = env_list("AKRIM_OIDC_MFA_ACR", "")
if AKRIM_OIDC:
    OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT")
    OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile")
    OIDC_USE_PKCE = True
    OIDC_CREATE_USER = False
    OIDC_CALLBACK_CLASS = "network.oidc.CallbackView"
    LOGIN_REDIRECT_URL_FAILURE = "/login/"
    AUTHENTICATION_BACKENDS.append("network.oidc.MembershipOIDCBackend")

# Idle sessions end after 30 minutes: a request pushes the expiry forward, writing the
# session at most once a minute (network.middleware.IdleSessionMiddleware).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
# However active, a session ends this long after its login (network.twofactor).
AKRIM_SESSION_MAX_SECONDS = env_int("SESSION_MAX_SECONDS", 10 * 3600, minimum=60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# django-guardian: direct foreign-key permission tables only, no anonymous user.
ANONYMOUS_USER_NAME = None
GUARDIAN_AUTO_PREFETCH = False
GUARDIAN_RAISE_403 = False

# A list filter left empty shows everything, and says so (django-filter's default is a row
# of dashes).
FILTERS_EMPTY_CHOICE_LABEL = _("All")
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("AKRIM_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "private", "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

_MAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": _MAIL_BACKEND,
        "OPTIONS": (
            {
                "host": env_str("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 25, minimum=1),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_str("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
            }
            if _MAIL_BACKEND.endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
# Where people reach akrim; used for links in e-mails.
AKRIM_BASE_URL = env_str("AKRIM_BASE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "akrim <noreply@akrim.invalid>")

# Security headers. Production runs behind a TLS-terminating proxy (docs/deploy.md).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^health/"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("BEHIND_TLS_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "network.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "network.api.pagination.IdCursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["network.api.filtering.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "network.api.exceptions.exception_handler",
    "PAGE_SIZE": 50,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )

# API tokens (django-rest-knox, network.tokens): stored as digests, expire after this many
# hours; clients keep sending `Authorization: Token <token>`.
KNOX_TOKEN_MODEL = "network.ApiToken"  # noqa: S105  (a model name, not a secret)
# knox's own migrations would create its (swapped-out, unused) table, whose foreign key to
# users breaks flushing; without migrations Django creates no table for a swapped model.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env_int("AKRIM_TOKEN_HOURS", 10, minimum=1)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": env_int("AKRIM_TOKENS_PER_USER", 10, minimum=1),
}

# The OpenAPI schema and Swagger UI are public only in development (network.api.schema_views).
AKRIM_PUBLIC_API_SCHEMA = DEBUG

SPECTACULAR_SETTINGS = {
    "TITLE": "akrim API",
    "DESCRIPTION": "Case coordination for the agency network against work-life crime.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The 4xx answers, declared where they occur (network/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "network.api.schema.declare_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.coordination.models.CaseStatus",
        "ReferralStatusEnum": "cases.referrals.models.ReferralStatus",
        "ReflectionStatusEnum": "cases.referrals.models.ReflectionPeriod.Status",
        "LegalBasisEnum": "cases.grants.LegalBasis",
        "ShareableLegalBasisEnum": "cases.grants.SHAREABLE_LEGAL_BASES",
        "InspectionStatusEnum": "inspections.choices.InspectionStatus",
        "OperationStatusEnum": "inspections.choices.OperationStatus",
        "AssignmentStatusEnum": "inspections.choices.AssignmentStatus",
        "DecisionStatusEnum": "inspections.choices.DecisionStatus",
        "FollowUpStatusEnum": "inspections.choices.FollowUpStatus",
        # Report builds and spreadsheet imports share one job status set.
        "JobStatusEnum": "reports.models.BuildStatus",
        "SeverityEnum": "inspections.choices.Severity",
        "SelectionBasisEnum": "inspections.choices.SelectionBasis",
        "RankingBasisEnum": "inspections.choices.RANKING_BASES",
    },
}

# Celery. Without REDIS_URL, tasks run in-process (the embedded default).
REDIS_URL = env_url("REDIS_URL", ("redis", "rediss"))
# The cache holds rate-limit counters; shared between processes when Redis is there.
CACHES = {
    "default": (
        {"BACKEND": "config.cache.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions are read from Redis when it is there and written through to the database
# (network/sessions.py); a cache entry lives at most this long, which bounds how long a
# logout made while Redis was unreachable can be ignored. Without Redis: the database alone.
AKRIM_SESSION_CACHE_SECONDS = env_int("SESSION_CACHE_SECONDS", 120, minimum=1)
SESSION_ENGINE = "network.sessions" if REDIS_URL else "django.contrib.sessions.backends.db"
# Public tips: at most this many per minute from one address.
AKRIM_TIPS_PER_MINUTE = env_int("AKRIM_TIPS_PER_MINUTE", 10, minimum=1)
AKRIM_RATE_LIMITS["tips:ip"] = (AKRIM_TIPS_PER_MINUTE, 60)
# A tip form sent back faster than this (seconds) was filled in by a program.
AKRIM_TIP_MIN_SECONDS = env_int("AKRIM_TIP_MIN_SECONDS", 3, minimum=0)
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "akrim")
# A task whose worker died unacknowledged (acks_late) goes back to the queue after this long.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 4 * 3600, minimum=1)
}
# Tasks are sent after commit; when Redis is briefly away (a restart) the send is retried for
# about 20 seconds instead of losing the task (tests/faults/test_redis_restart.py).
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": env_int("CELERY_PUBLISH_RETRIES", 12, minimum=0),
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 2,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SOFT_TIME_LIMIT = 3 * 3600
CELERY_TASK_TIME_LIMIT = 3 * 3600 + 300
CELERY_WORKER_MAX_TASKS_PER_CHILD = 50
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "network.tasks.record_worker_heartbeat",
        "schedule": timedelta(minutes=1),
    },
    "anonymise-referrals": {
        "task": "cases.tasks.anonymise_referrals",
        "schedule": timedelta(hours=24),
    },
    "remind-reflection-periods": {
        "task": "cases.tasks.remind_reflection_periods",
        "schedule": timedelta(hours=24),
    },
    "fail-stale-report-builds": {
        "task": "reports.tasks.fail_stale_builds",
        "schedule": timedelta(minutes=5),
    },
    "draft-lagesbild-nightly": {
        "task": "reports.tasks.nightly_draft",
        "schedule": crontab(hour=2, minute=30, month_of_year="1-3"),
    },
    "refresh-ranking-facts": {
        "task": "inspections.tasks.refresh_ranking_facts",
        "schedule": timedelta(minutes=1),
    },
    "purge-expired-case-grants": {
        "task": "cases.tasks.purge_expired_grants",
        "schedule": timedelta(minutes=5),
    },
}

# E-mail outbox (network/outbox.py, docs/operations.md): mails are rows sent by beat's task,
# retried after 1, 2, 4 … minutes (at most an hour apart) up to 10 tries; sent ones are kept
# a month; a claim older than 10 minutes belongs to a sender that died and is not resent.
AKRIM_OUTBOX_INTERVAL_SECONDS = env_int("AKRIM_OUTBOX_INTERVAL_SECONDS", 60, minimum=1)
AKRIM_OUTBOX_RETRY_SECONDS = env_int("AKRIM_OUTBOX_RETRY_SECONDS", 60, minimum=1)
AKRIM_OUTBOX_RETRY_MAX_SECONDS = env_int("AKRIM_OUTBOX_RETRY_MAX_SECONDS", 3600, minimum=1)
AKRIM_OUTBOX_MAX_ATTEMPTS = env_int("AKRIM_OUTBOX_MAX_ATTEMPTS", 10, minimum=1)
AKRIM_OUTBOX_CLAIM_TIMEOUT_SECONDS = env_int("AKRIM_OUTBOX_CLAIM_TIMEOUT_SECONDS", 600, minimum=60)
AKRIM_OUTBOX_KEEP_DAYS = env_int("AKRIM_OUTBOX_KEEP_DAYS", 30, minimum=1)
CELERY_BEAT_SCHEDULE["send-outbox"] = {
    "task": "network.tasks.send_outbox",
    "schedule": timedelta(seconds=AKRIM_OUTBOX_INTERVAL_SECONDS),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every layout step at INFO; only its warnings are worth reading.
    # axes logs every login at INFO; the audit trail already records them.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "ERROR"},
    },
}

# Personal data of closed victim referrals is anonymised this many days after closing.
AKRIM_REFERRAL_RETENTION_DAYS = env_int("AKRIM_REFERRAL_RETENTION_DAYS", 3 * 365, minimum=1)
# Smallest group shown in aggregated statistics exports of referrals (CTDC uses 11).
AKRIM_REFERRAL_K_ANONYMITY = env_int("AKRIM_REFERRAL_K_ANONYMITY", 11, minimum=2)

# Lägesbild: cells from 1 to this minus one are suppressed in everything published.
AKRIM_SUPPRESS_BELOW = env_int("AKRIM_SUPPRESS_BELOW", 5, minimum=2)
# A running build whose worker has been silent this long is taken as lost.
AKRIM_BUILD_STALE_SECONDS = env_int("AKRIM_BUILD_STALE_SECONDS", 300, minimum=1)

# Demo data: the password `seed_demo` gives every demo user unless told otherwise.
AKRIM_DEMO_PASSWORD = env_str("AKRIM_DEMO_PASSWORD", "akrim-demo-2026")
