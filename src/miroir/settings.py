"""Miroir settings, read from MIROIR_* environment variables (see docs/configuration.md).

With nothing set, Miroir runs on a SQLite file under ``./data`` and generates a
secret key there, so a first demo needs no configuration. Once a database URL is
given (production), a missing secret key is fatal.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from miroir.conf import env_bool, env_int, env_list, env_rate, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("MIROIR_DATA_DIR", str(Path.cwd() / "data"))).resolve()

DEBUG = env_bool("MIROIR_DEBUG", False)

_database_url = env_str("MIROIR_DATABASE_URL", "")
EMBEDDED = not _database_url


def _embedded_secret_key() -> str:
    """Return the secret key kept in the data folder, creating it on first use."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = env_str("MIROIR_SECRET_KEY", "") or ""
if not SECRET_KEY:
    if EMBEDDED or DEBUG:
        SECRET_KEY = _embedded_secret_key()
    else:
        raise ImproperlyConfigured(
            "MIROIR_SECRET_KEY (or MIROIR_SECRET_KEY_FILE) must be set when "
            "MIROIR_DATABASE_URL is set."
        )

SITE_URL = (env_str("MIROIR_SITE_URL", "http://localhost:8000") or "").rstrip("/")
_site = urlsplit(SITE_URL)
if _site.scheme not in {"http", "https"} or not _site.hostname:
    raise ImproperlyConfigured(f"MIROIR_SITE_URL must be an http(s) URL, got {SITE_URL!r}")
HTTPS = _site.scheme == "https"

ALLOWED_HOSTS = env_list(
    "MIROIR_ALLOWED_HOSTS", [_site.hostname, "localhost", "127.0.0.1", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = [f"{_site.scheme}://{_site.netloc}"]

if EMBEDDED:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "miroir.sqlite3",
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
else:
    DATABASES = {
        "default": dj_database_url.parse(
            _database_url,
            conn_max_age=env_int("MIROIR_DATABASE_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
    _jit = env_bool("MIROIR_DATABASE_JIT", False)
    if "postgresql" in DATABASES["default"]["ENGINE"] and not _jit:
        # PostgreSQL's JIT compiles a plan when the tables are large, which costs a short
        # query (a shop's comments among tens of millions of answers) half a second.
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        _options["options"] = (_options.get("options", "") + " -c jit=off").strip()
DATABASES["default"]["TEST"] = {"NAME": env_str("MIROIR_TEST_DATABASE_NAME") or None}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "miroir.core",
    "miroir.accounts",
    "miroir.audit",
    "miroir.org",
    "miroir.journeys",
    "miroir.instruments",
    "miroir.collect",
    "miroir.results",
    "miroir.reports",
    "miroir.api",
    "miroir.demo",
    "miroir.voices",
    "miroir.operations",
    "miroir.privacy",
    "miroir.webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "miroir.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "miroir.core.middleware.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any view: NUL bytes, lone surrogates, absurd JSON answer 4xx (docs/security.md).
    "miroir.core.input_guard.InputGuardMiddleware",
    "miroir.accounts.middleware.AccountSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "miroir.core.outage.DatabaseUnavailableMiddleware",
]

# Django's security.W003 looks for its own CSRF class by name; Miroir's subclass (which lets
# ``Origin: null`` from no-referrer respondent pages reach the token check) is verified by
# miroir.W003 instead (core/checks.py).
SILENCED_SYSTEM_CHECKS = ["security.W003"]

ROOT_URLCONF = "miroir.urls"
WSGI_APPLICATION = "miroir.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "miroir.core.context_processors.navigation",
                "miroir.operations.context_processors.task_queue_warning",
            ],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("MIROIR_TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise looks for this folder at start-up even when it serves from the finders.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the package without a collectstatic step, so that the
# demo and a single-process install work as they are.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work (sending invitations, imports) goes through Django's tasks API; the database
# backend needs no broker: run `miroir db_worker` next to the web server. No code depends on it.
TASKS = {
    "default": {
        "BACKEND": env_str("MIROIR_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# A task due for longer than this has found no worker: administrators are warned
# (page banner, `miroir tasks_failed`, `miroir check --database default`).
MIROIR_TASKS_LATE_MINUTES = env_int("MIROIR_TASKS_LATE_MINUTES", 10)

SESSION_COOKIE_AGE = env_int("MIROIR_SESSION_AGE", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
# A session also ends after this long without a request, and this long after its login
# whatever the activity (accounts/middleware.py).
MIROIR_SESSION_IDLE_TIMEOUT = env_int("MIROIR_SESSION_IDLE_TIMEOUT", 30 * 60)
MIROIR_SESSION_MAX_LIFETIME = env_int("MIROIR_SESSION_MAX_LIFETIME", SESSION_COOKIE_AGE)
# Roles that must log in with a second factor (TOTP); everyone else may turn it on.
# The key sealing second-factor secrets at rest (accounts/sealed.py); derived from the secret
# key when empty. Keys used before stay listed in MIROIR_TOTP_OLD_KEYS to open older rows.
MIROIR_TOTP_KEY = env_str("MIROIR_TOTP_KEY", "") or ""
MIROIR_TOTP_OLD_KEYS = env_list("MIROIR_TOTP_OLD_KEYS", [])
MIROIR_2FA_REQUIRED_ROLES = env_list("MIROIR_2FA_REQUIRED_ROLES", ["administrator", "direction"])


def _oidc_provider(key: str) -> dict[str, object]:
    """Return one OpenID Connect provider's settings, from its MIROIR_OIDC_<KEY>_* variables."""
    prefix = f"MIROIR_OIDC_{key.upper().replace('-', '_')}_"
    return {
        "name": env_str(prefix + "NAME", "") or key,
        "discovery_url": env_str(prefix + "DISCOVERY_URL", "") or "",
        "client_id": env_str(prefix + "CLIENT_ID", "") or "",
        "client_secret": env_str(prefix + "CLIENT_SECRET", "") or "",
        "scopes": env_list(prefix + "SCOPES", ["openid", "email", "profile"]),
        "email_claim": env_str(prefix + "EMAIL_CLAIM", "") or "email",
        "trust_email": env_bool(prefix + "TRUST_EMAIL", False),
        "mfa": env_bool(prefix + "MFA", False),
        "mfa_amr": env_list(prefix + "MFA_AMR", []),
        "mfa_acr": env_list(prefix + "MFA_ACR", []),
        "acr_values": env_str(prefix + "ACR_VALUES", "") or "",
    }


# Single sign-on (OpenID Connect, accounts/sso.py): the providers the login page offers, each
# set up by its MIROIR_OIDC_<KEY>_* variables; the roles whose password login is refused.
MIROIR_OIDC_PROVIDERS = {key: _oidc_provider(key) for key in env_list("MIROIR_OIDC_PROVIDERS", [])}
MIROIR_OIDC_REQUIRED_ROLES = env_list("MIROIR_OIDC_REQUIRED_ROLES", [])

# Shared by every worker: rate-limit counters and login lockouts live here. The database
# cache needs its table, which a migration of the core app creates (`miroir migrate`).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "miroir_cache",
        "OPTIONS": {"MAX_ENTRIES": env_int("MIROIR_CACHE_MAX_ENTRIES", 100_000)},
    }
}
# Rate limits, COUNT per SECONDS for one key (core/ratelimit.py, docs/security.md).
CORE_RATE_LIMITS = {
    "login": env_rate("MIROIR_RATE_LOGIN", (30, 300)),
    "survey": env_rate("MIROIR_RATE_SURVEY", (60, 60)),
    "kiosk": env_rate("MIROIR_RATE_KIOSK", (30, 60)),
    "sms_webhook": env_rate("MIROIR_RATE_SMS_WEBHOOK", (600, 60)),
    "complaint": env_rate("MIROIR_RATE_COMPLAINT", (5, 600)),
    # Sign-in codes by SMS (accounts/phone_signin.py): how many one mobile number may be sent,
    # and how many one address may ask for over any numbers.
    "signin_sms_number": env_rate("MIROIR_RATE_SIGNIN_SMS_NUMBER", (3, 900)),
    "signin_sms_address": env_rate("MIROIR_RATE_SIGNIN_SMS_ADDRESS", (10, 3600)),
    # Anonymous voices left on a shop tablet, per address and tablet.
    "voice_tablet": env_rate("MIROIR_RATE_VOICE_TABLET", (20, 600)),
    # Failed logins (accounts/lockout.py): an address with this many failures on one account,
    # or on any accounts, is locked out of it (of all) for MIROIR_LOGIN_LOCKOUT_SECONDS; an
    # account with this many failures from anywhere makes further password-only attempts
    # wait a doubling delay (a minute at most; its second factor skips it).
    "login_failures_pair": env_rate("MIROIR_LOGIN_FAILURES_PAIR", (5, 900)),
    "login_failures_address": env_rate("MIROIR_LOGIN_FAILURES_ADDRESS", (20, 900)),
    "login_failures_account": env_rate("MIROIR_LOGIN_FAILURES_ACCOUNT", (5, 900)),
}
MIROIR_LOGIN_LOCKOUT_SECONDS = env_int("MIROIR_LOGIN_LOCKOUT_SECONDS", 900)

# Scaling out (docs/scaling.md). With MIROIR_REDIS_URL, the cache (rate limits, login lockouts)
# lives in Redis, whose increments are atomic; MIROIR_TASK_QUEUE=redis moves the task queue
# there too (RQ workers: `miroir rqworker --job-class django_tasks_rq.Job --with-scheduler`).
# MIROIR_DATABASE_REPLICA_URL sends result reads to a streaming replica (core/replica.py).
MIROIR_REDIS_URL = env_str("MIROIR_REDIS_URL", "") or ""
MIROIR_TASK_QUEUE = env_str("MIROIR_TASK_QUEUE", "database") or "database"
if MIROIR_TASK_QUEUE not in {"database", "redis"}:
    raise ImproperlyConfigured(
        f"MIROIR_TASK_QUEUE must be 'database' or 'redis', got {MIROIR_TASK_QUEUE!r}"
    )
if MIROIR_TASK_QUEUE == "redis" and not MIROIR_REDIS_URL:
    raise ImproperlyConfigured("MIROIR_TASK_QUEUE=redis needs MIROIR_REDIS_URL.")
if MIROIR_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": MIROIR_REDIS_URL,
            "KEY_PREFIX": env_str("MIROIR_REDIS_PREFIX", "miroir") or "miroir",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }
if MIROIR_TASK_QUEUE == "redis":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": MIROIR_REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}

_replica_url = env_str("MIROIR_DATABASE_REPLICA_URL", "") or ""
if _replica_url:
    if EMBEDDED:
        raise ImproperlyConfigured(
            "MIROIR_DATABASE_REPLICA_URL needs MIROIR_DATABASE_URL (a replica of what?)."
        )
    DATABASES["replica"] = dj_database_url.parse(
        _replica_url,
        conn_max_age=env_int("MIROIR_DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    # Tests read the replica through the primary's connection (Django's test mirror); the
    # streaming case is tested against a real cluster (tests/scaling).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["miroir.core.replica.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "miroir.core.replica.PrimaryAfterWriteMiddleware",
    )
# After a write, the writer's next requests read the primary for this long, so that they see
# what they just did whatever the replica's lag (read-your-writes).
MIROIR_REPLICA_PIN_SECONDS = env_int("MIROIR_REPLICA_PIN_SECONDS", 15)
# A phone its owner chose to keep signed in (SMS code or handed-out link) stays so this many
# days, idle or not, until they log out or revoke it from their Security page.
MIROIR_REMEMBER_PHONE_DAYS = env_int("MIROIR_REMEMBER_PHONE_DAYS", 30)
# How long a sign-in link handed out by a manager stays usable.
MIROIR_SIGNIN_LINK_DAYS = env_int("MIROIR_SIGNIN_LINK_DAYS", 7)
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = HTTPS and env_bool("MIROIR_SSL_REDIRECT", True)
# A load balancer probes /healthz over plain http inside the network: it gets its answer, not
# a redirect to https (the answer holds nothing but "ok", and sets no cookie).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("MIROIR_BEHIND_PROXY", False) else None
)
SECURE_HSTS_SECONDS = env_int("MIROIR_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("MIROIR_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

EMAIL_BACKEND = env_str("MIROIR_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("MIROIR_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("MIROIR_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("MIROIR_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("MIROIR_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("MIROIR_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("MIROIR_EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("MIROIR_DEFAULT_FROM_EMAIL", "Miroir <miroir@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Privacy: no employee, partner or management figure over fewer respondents than this.
MIROIR_ANONYMITY_THRESHOLD = env_int("MIROIR_ANONYMITY_THRESHOLD", 5)
MIROIR_VERBATIM_THRESHOLD = env_int("MIROIR_VERBATIM_THRESHOLD", 10)
# Customers speak for themselves: their figures have their own, lower threshold.
MIROIR_CUSTOMER_THRESHOLD = env_int("MIROIR_CUSTOMER_THRESHOLD", 1)
# Management's estimate is an attributed professional judgement: a manager's estimate for their
# own unit is shown at that unit, labelled as theirs (false: the anonymity threshold applies to
# the management lens like any other; docs/anonymity.md).
MIROIR_ESTIMATE_ATTRIBUTED = env_bool("MIROIR_ESTIMATE_ATTRIBUTED", True)
# The one period grain results are released at: month, quarter or year (docs/anonymity.md).
MIROIR_RESULTS_PERIOD = env_str("MIROIR_RESULTS_PERIOD", "quarter") or "quarter"
# Results are computed once per lens and period and kept by each server process: while
# only new responses arrived, kept figures are reused for this many seconds (0: recount at
# once); how many such releases a process keeps.
MIROIR_RESULTS_REFRESH_SECONDS = env_int("MIROIR_RESULTS_REFRESH_SECONDS", 60)
MIROIR_RESULTS_KEPT_RELEASES = env_int("MIROIR_RESULTS_KEPT_RELEASES", 32)
# When kept figures are found behind, recount them in a thread while still serving them.
MIROIR_RESULTS_RECOUNT_IN_BACKGROUND = env_bool("MIROIR_RESULTS_RECOUNT_IN_BACKGROUND", True)

# Largest CSV file the organisation import accepts through the web page.
MIROIR_IMPORT_MAX_BYTES = env_int("MIROIR_IMPORT_MAX_BYTES", 20 * 1024 * 1024)

# Collection: invitations each channel may send per minute, and how long the record of who
# was invited outlives a closed wave before it is purged.
COLLECT_RATE_LIMITS = {
    "email": env_int("MIROIR_EMAIL_RATE_PER_MINUTE", 600),
    "sms": env_int("MIROIR_SMS_RATE_PER_MINUTE", 300),
}
COLLECT_INVITATION_RETENTION_DAYS = env_int("MIROIR_INVITATION_RETENTION_DAYS", 30)
# Hot waves: at most one invitation per customer contact within this many days.
COLLECT_HOT_CONTACT_PERIOD_DAYS = env_int("MIROIR_HOT_CONTACT_PERIOD_DAYS", 30)
# Customer contact details (addresses on invitations, interactions' external ids) are erased
# this many days after their invitation ended (docs/privacy.md); answers stay.
COLLECT_CONTACT_RETENTION_DAYS = env_int("MIROIR_CONTACT_RETENTION_DAYS", 90)
# The region phone numbers without a country code belong to (ISO 3166 code).
COLLECT_PHONE_REGION = env_str("MIROIR_PHONE_REGION", "FR")
# The key of the digests under which opt-outs and invited contacts are kept. Its own
# variable, so that rotating the secret key does not forget who said STOP.
COLLECT_CONTACT_KEY = env_str("MIROIR_CONTACT_KEY", "") or SECRET_KEY
# SMS: "console" prints, "file" appends JSON lines under COLLECT_SMS_FILE_DIR, "twilio" sends.
COLLECT_SMS_BACKEND = env_str("MIROIR_SMS_BACKEND", "console")
COLLECT_SMS_FILE_DIR = Path(env_str("MIROIR_SMS_FILE_DIR", str(DATA_DIR / "sms")))
COLLECT_SMS_WINDOW = env_str("MIROIR_SMS_WINDOW", "mon-sat 10:00-20:00")
TWILIO_ACCOUNT_SID = env_str("MIROIR_TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env_str("MIROIR_TWILIO_AUTH_TOKEN", "")
TWILIO_FROM = env_str("MIROIR_TWILIO_FROM", "")
TWILIO_API_BASE = env_str("MIROIR_TWILIO_API_BASE", "https://api.twilio.com")

# Voices: days to answer each kind (the same default for employee voices and customer
# complaints, on purpose), reminder to the owner that many days before the deadline.
_VOICE_DEADLINE_DAYS = env_int("MIROIR_VOICE_DEADLINE_DAYS", 30)
VOICES_DEADLINE_DAYS = {
    kind: env_int(f"MIROIR_VOICE_DEADLINE_DAYS_{kind.upper()}", _VOICE_DEADLINE_DAYS)
    for kind in ("suggestion", "irritant", "testimonial", "best_failure", "complaint")
}
VOICES_REMINDER_DAYS = env_int("MIROIR_VOICE_REMINDER_DAYS", 5)
# A hot-survey answer becomes a customer complaint when it carries a comment and scores at
# most this much on an NPS (0-10) or a CSAT (1-5) question; -1 turns a rule off.
VOICES_HOT_NPS_MAX = env_int("MIROIR_VOICE_HOT_NPS_MAX", 6)
VOICES_HOT_CSAT_MAX = env_int("MIROIR_VOICE_HOT_CSAT_MAX", 2)
# The key of the claim codes' digests; its own variable so that rotating the secret key
# does not lock anonymous authors out of their voices.
VOICES_CLAIM_KEY = env_str("MIROIR_VOICE_CLAIM_KEY", "") or SECRET_KEY

# Outbound webhooks (docs/webhooks.md): seconds a receiver has to answer each attempt, failed
# deliveries in a row that turn a subscription off (0: never), days the delivery log is kept,
# and whether private, loopback and link-local addresses (and plain http to them) may be
# called: off by default, so that a URL cannot make Miroir reach its own network.
WEBHOOKS_TIMEOUT_SECONDS = env_int("MIROIR_WEBHOOKS_TIMEOUT_SECONDS", 10)
WEBHOOKS_DISABLE_AFTER = env_int("MIROIR_WEBHOOKS_DISABLE_AFTER", 10)
WEBHOOKS_DELIVERY_RETENTION_DAYS = env_int("MIROIR_WEBHOOKS_DELIVERY_RETENTION_DAYS", 30)
WEBHOOKS_ALLOW_PRIVATE = env_bool("MIROIR_WEBHOOKS_ALLOW_PRIVATE", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("MIROIR_LOG_LEVEL", "INFO")},
}
