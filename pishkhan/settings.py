"""Settings: everything comes from the environment, with embedded defaults.

Without any variable set, Pishkhan runs on SQLite (WAL) in ./var with in-process channels,
which is what `pishkhan serve` on a laptop needs. Production sets DATABASE_URL, REDIS_URL,
SECRET_KEY and friends.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("PISHKHAN_DATA_DIR", Path.cwd() / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = _env_bool("DEBUG", False)
# The embedded default key is only good for a laptop; `check --deploy` flags it.
SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-local-key-change-me-in-production-0123456789")
SECRET_KEY_IS_EMBEDDED = "SECRET_KEY" not in os.environ
# Tenants are found by host (<slug>.<base domain> or a Domain row), so any host may arrive;
# the tenant middleware answers 404 for hosts that belong to no tenant.
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "*")
# Hosts under which `<slug>.<base>` names a tenant by its slug.
TENANT_BASE_DOMAINS = _env_list("TENANT_BASE_DOMAINS", "localhost")
# The port customers reach the server on, for links in mail, when it is not the scheme's own
# (behind the proxy it is: unset). `pishkhan serve --demo` sets it to the port it serves on.
PUBLIC_PORT = os.environ.get("PUBLIC_PORT", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "pishkhan.tenancy",
    "pishkhan.accounts",
    "pishkhan.trust",
    "pishkhan.outbox",
    "pishkhan.tickets",
    "pishkhan.sla",
    "pishkhan.policies",
    "pishkhan.mail",
    "pishkhan.search",
    "pishkhan.knowledge",
    "pishkhan.deflection",
    "pishkhan.chat",
    "pishkhan.quality",
    "pishkhan.api",
    "pishkhan.web",
    "pishkhan.ops",
]

MIDDLEWARE = [
    "pishkhan.ops.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the tenant is found: finding it reads its stamp (process_cache), once.
    "pishkhan.process_cache.OneReadingPerRequest",
    "pishkhan.tenancy.middleware.TenantMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pishkhan.accounts.middleware.TenantUserMiddleware",
    "pishkhan.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "pishkhan.urls"
ASGI_APPLICATION = "pishkhan.asgi.application"
WSGI_APPLICATION = "pishkhan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pishkhan.web.context_processors.workspace",
            ],
        },
    },
]

DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'pishkhan.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: a write transaction takes the write lock at BEGIN, so two writers queue
        # on busy_timeout instead of failing with "database is locked" on lock upgrade.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    # A file, not memory, for tests too: concurrent writers then behave as in production
    # (they wait on the lock instead of failing on shared-cache table locks).
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
# Threads of an HTTP process that run requests (pishkhan/servers.py), and threads of a socket
# process that run the chat sockets' database calls (pishkhan/chat/db.py: "lanes"). Each holds
# one database connection, a lane for good, so the pool below is at least as large as both.
# Four, not more: threads beyond the requests a process can run at once only contend for the
# interpreter and the database (bench/api_create.py, BENCHMARKS.md: under granian 1, 2 and 4
# threads a process create about as many tickets a second, 282–310; under the old server 8 → 4
# → 2 threads gave 200 → 218 → 248); a few let a request waiting on a slow query not hold up
# the quick ones behind it.
WEB_THREADS = int(os.environ.get("WEB_THREADS", "4"))
# The port `pishkhan serve` serves the chat websockets on (pishkhan.servers); pages that reach
# the browser without a reverse proxy point its sockets there (pishkhan.chat.socket_origin).
# Unset (one server for everything, as in the browser tests): the page's own port.
SOCKET_PORT = int(os.environ["SOCKET_PORT"]) if os.environ.get("SOCKET_PORT") else None
on_sqlite = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
# "off" for a pooler in front of PostgreSQL that cannot keep prepared statements.
DB_PREPARED_STATEMENTS = not on_sqlite and _env_bool("DB_PREPARED_STATEMENTS", True)
# SQLite takes one writer at a time: more than one lane would only queue on its lock.
CHAT_DB_LANES = 1 if on_sqlite else int(os.environ.get("CHAT_DB_LANES", "4"))
if not on_sqlite:
    # Two more for what else a web process asks of the database (health checks).
    pool_size = int(os.environ.get("DB_POOL_SIZE", str(WEB_THREADS + CHAT_DB_LANES + 2)))
    from django.db.backends.postgresql.base import Cursor as ClientBindingCursor

    DATABASES["default"]["OPTIONS"] = {
        "pool": {"min_size": 1, "max_size": pool_size},
        # The hot path's plan-stable statements are sent with their values apart and prepared
        # on a connection's first use of them (pishkhan.prepared); every other statement has
        # its values written in, as Django's default cursor does, and is never prepared.
        "cursor_factory": ClientBindingCursor,
        "prepare_threshold": 0 if DB_PREPARED_STATEMENTS else None,
        # Tells Django that some cursors bind on the server, so that its query log (DEBUG,
        # the tests' query counts) writes every statement with its values. (Named cursors,
        # QuerySet.iterator(), then bind on the server too; the whole suite runs so.)
        "server_side_binding": True,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["pishkhan.accounts.backends.TenantEmailBackend"]
# USERNAME_FIELD (email) is unique per tenant for customers and globally for staff, not
# globally; our backend resolves it with the tenant (see accounts.backends).
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        # Not the person's own name or address (each part of it: "ali.rezaei@…" refuses
        # "rezaei1405"); the callers pass the person, even one not yet saved.
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {
        "NAME": "pishkhan.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

LANGUAGE_CODE = "fa"
LANGUAGES = [("fa", "فارسی"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "pishkhan_language"
TIME_ZONE = "Asia/Tehran"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media")))},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Served from the app directories on a laptop. In production `pishkhan collectstatic` fills
# STATIC_ROOT once per release with content-hashed, pre-compressed files, and STATIC_MANIFEST=1
# serves those: cached by browsers for a year, gzipped once instead of per request.
STATIC_MANIFEST = _env_bool("STATIC_MANIFEST", False)
if STATIC_MANIFEST:
    STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = DEBUG

# Attachments (per-tenant settings may lower these).
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))
# The API carries attachments as base64 inside JSON: up to five files, each a third larger.
DATA_UPLOAD_MAX_MEMORY_SIZE = ATTACHMENT_MAX_BYTES * 5 * 4 // 3 + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

REDIS_URL = os.environ.get("REDIS_URL", "")
# Several installations (or test processes) may share one Redis: each keeps its keys and
# channel groups apart under its own prefix.
REDIS_KEY_PREFIX = os.environ.get("REDIS_KEY_PREFIX", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "pishkhan.chat.layer.RedisChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": f"{REDIS_KEY_PREFIX}asgi",
                # channels-redis keeps what waits for every socket of one process under one
                # Redis key, and silently drops a group message once that key holds `capacity`
                # (100 by default): a few hundred sockets in a burst of offers already lose
                # frames. What waits is bounded by the layer's 60 s expiry instead.
                "capacity": 50_000,
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "pishkhan.ops.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_KEY_PREFIX,
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "pishkhan.chat.layer.InMemoryChannelLayer",
            # A socket that falls 100 frames behind would lose the rest silently (the default).
            "CONFIG": {"capacity": 50_000},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
# A relay that stalls fails the send after this many seconds rather than holding a worker (or
# the few mails sent from a request, such as an invitation) without end.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Pishkhan <no-reply@pishkhan.localhost>")
# Every tenant receives mail at <slug>@<this host> when `pishkhan mail-receive` serves it (C-1).
MAIL_INBOUND_HOST = os.environ.get("MAIL_INBOUND_HOST", "mail.pishkhan.localhost")
# How often connected IMAP mailboxes are fetched by the job worker.
MAIL_POLL_SECONDS = int(os.environ.get("MAIL_POLL_SECONDS", "60"))
# How often the job worker looks for SLA clocks that came at risk or due, so a notice goes out
# at most this long after its moment.
SLA_SWEEP_SECONDS = int(os.environ.get("SLA_SWEEP_SECONDS", "15"))

# `/healthz` fails its jobs check when the oldest due job has waited longer than this.
HEALTH_JOB_LAG_SECONDS = int(os.environ.get("HEALTH_JOB_LAG_SECONDS", "300"))
# Bearer token Prometheus scrapes `/metrics` with; without one only loopback may scrape.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# HTTPS=1: served over HTTPS behind a proxy that says so in X-Forwarded-Proto (docs/deploy.md).
HTTPS = _env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS or _env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # Probes and scrapes come over plain HTTP from inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^livez$", r"^healthz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600)))
    # Tenants live on subdomains of the base domain, all served by us over HTTPS.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _env_bool("HSTS_PRELOAD", True)
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
