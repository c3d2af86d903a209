"""PHB Readiness settings: one module, configured only through environment variables.

With no variables at all this is the *embedded default* (`make run`): SQLite under var/, Celery tasks run
in-process, mail printed to the console, DEBUG on. Production sets DATABASE_URL, CELERY_BROKER_URL,
DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and DJANGO_DEBUG=0 (see docker-compose.yml).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from phb_readiness.security import parse_networks

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PHB_VAR_DIR", BASE_DIR / "var"))


TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def env_secret(name: str, default: str = "") -> str:
    """A variable's value, or the content of the file that `NAME_FILE` names (Docker and Kubernetes secrets).

    Setting both is refused: which one wins would be a guess. The file's surrounding whitespace (its final newline)
    is dropped.
    """
    file_name = os.environ.get(f"{name}_FILE", "")
    if not file_name:
        return os.environ.get(name, default)
    if os.environ.get(name):
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    try:
        return Path(file_name).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ImproperlyConfigured(f"{name}_FILE names {file_name}, which cannot be read ({exc}).") from exc


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """On or off; unset or empty is the default, anything but 1/0/true/false/yes/no/on/off stops start-up."""
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    accepted = "/".join(word for pair in zip(TRUE_WORDS, FALSE_WORDS, strict=True) for word in pair)
    raise ImproperlyConfigured(f"{name} is {os.environ[name]!r}: use one of {accepted}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """A whole number; unset or empty is the default, anything else that is not a whole number stops start-up."""
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} is {os.environ[name]!r}: it must be a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} is {number}: it must be at least {minimum}.")
    return number


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in env(name, default).split(",") if part.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    if value not in choices:
        raise ImproperlyConfigured(f"{name} is {value!r}: use one of {', '.join(choices)}.")
    return value


# The embedded default is the one with no database configured: a newcomer's laptop.
DATABASE_URL = env_secret("DATABASE_URL")
EMBEDDED = not DATABASE_URL
DEBUG = env_bool("DJANGO_DEBUG", default=EMBEDDED)

SECRET_KEY = env_secret("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "insecure-embedded-development-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

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
    "crispy_forms_gds",
    "template_partials",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # recovery codes
    "axes",
    "csp",
    "phb_readiness.accounts",
    "phb_readiness.sites",
    "phb_readiness.audit",
    "phb_readiness.outbox",
    "phb_readiness.inbox",
    "phb_readiness.reports",
    "checklists",
]

# The benchmark harness (`manage.py benchmark`, the /bench/floor view): installed and routed only where PHB_BENCH is
# on (`make bench`, its tests, the server the benchmark starts). Never set it in production.
PHB_BENCH = env_bool("PHB_BENCH", default=False)
if PHB_BENCH:
    INSTALLED_APPS.append("phb_readiness.bench")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "phb_readiness.security.RejectControlCharactersMiddleware",  # a NUL in a path never reaches a view or a query
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "phb_readiness.security.PrivateNoStoreMiddleware",  # no-store for signed-in people and downloads
    "django.contrib.messages.middleware.MessageMiddleware",
    "phb_readiness.accounts.middleware.DeviceCheckedOTPMiddleware",  # django-otp's, its device read with the user
    "phb_readiness.accounts.middleware.HtmxSignedOutMiddleware",  # before SessionLimitMiddleware: sees its redirect
    "phb_readiness.accounts.middleware.SessionLimitMiddleware",
    "phb_readiness.accounts.middleware.MFARequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the lockout page
]

ROOT_URLCONF = "phb_readiness.urls"
WSGI_APPLICATION = "phb_readiness.wsgi.application"

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
                "phb_readiness.context_processors.service",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded run renders PDFs on a thread beside the requests: write-ahead logging lets the render's long reads
    # and the requests' writes proceed together, and a writer waits up to 20 s for another to finish. Transactions
    # stay deferred: an IMMEDIATE one would take the write lock for the whole of any long transaction.
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "phb_readiness.accounts.auth.LockoutBackend",
    "phb_readiness.accounts.auth.ScopedModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
# English only (en-GB): no translation machinery on every template variable and date (a measured 5-8% of a page).
USE_I18N = False
USE_TZ = True

# Static files: the app's own (static/), GOV.UK Frontend and htmx from npm, and the compiled stylesheet.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_BUILD_DIR = VAR_DIR / "build"
STATICFILES_DIRS: list = [BASE_DIR / "static"]
for _prefix, _path in (
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("", STATIC_BUILD_DIR),
):
    if _path.is_dir():  # absent before `make assets`; the app still runs, unstyled
        STATICFILES_DIRS.append((_prefix, _path) if _prefix else _path)
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise before any URL pattern.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"


def s3_storage(
    *,
    bucket: str,
    endpoint_url: str = "",
    region: str = "",
    access_key: str = "",
    secret_key: str = "",
    prefix: str = "",
    addressing_style: str = "",
) -> dict:
    """The file store as an S3-compatible bucket (django-storages): private objects, never overwritten.

    No ACL is sent, so every object stays private to the bucket's owner (and buckets that refuse ACLs accept the
    uploads); the bucket itself must block public access. The app never links to an object: files go out only
    through the access-checked download views. Were a URL ever asked for, it would be signed and expire in 5 minutes.
    """
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured("Set both PHB_S3_ACCESS_KEY_ID and PHB_S3_SECRET_ACCESS_KEY, or neither.")
    options: dict = {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url or None,
        "region_name": region or None,
        "location": prefix.strip("/"),
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 300,
        "custom_domain": None,
        "file_overwrite": False,
        "signature_version": "s3v4",
        "addressing_style": addressing_style or None,
        # A file read from the bucket is buffered in memory up to this size, beyond it in a temporary file.
        "max_memory_size": 2_621_440,
    }
    if access_key:  # otherwise boto3's own chain: AWS_* variables, an instance or task role
        options.update(access_key=access_key, secret_key=secret_key)
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


# Evidence files and rendered reports are private: no MEDIA_URL, served only through access-checked views. They live
# in PRIVATE_STORAGE_ROOT on this machine, or, with PHB_S3_BUCKET set, in an S3-compatible bucket that every web and
# worker machine shares. Code reaches them only through the storage API (FileFields, default_storage).
PRIVATE_STORAGE_ROOT = Path(env("PHB_PRIVATE_STORAGE_ROOT", str(VAR_DIR / "private")))
PHB_S3_BUCKET = env("PHB_S3_BUCKET")
if EMBEDDED:  # SQLite and private files live under var/, which a fresh clone lacks (without npm nothing else makes it)
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    if not PHB_S3_BUCKET:
        PRIVATE_STORAGE_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": (
        s3_storage(
            bucket=PHB_S3_BUCKET,
            endpoint_url=env("PHB_S3_ENDPOINT_URL"),
            region=env("PHB_S3_REGION"),
            access_key=env_secret("PHB_S3_ACCESS_KEY_ID"),
            secret_key=env_secret("PHB_S3_SECRET_ACCESS_KEY"),
            prefix=env("PHB_S3_PREFIX"),
            addressing_style=env_choice("PHB_S3_ADDRESSING_STYLE", "", ("auto", "path", "virtual")),
        )
        if PHB_S3_BUCKET
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": PRIVATE_STORAGE_ROOT, "base_url": None},
        }
    ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("DJANGO_STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}
EVIDENCE_MAX_BYTES = env_int("PHB_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024, minimum=1)
# An Office or OpenDocument file whose parts would unpack to more than this is refused (a "zip bomb").
EVIDENCE_MAX_UNPACKED_BYTES = env_int("PHB_EVIDENCE_MAX_UNPACKED_BYTES", 100 * 1024 * 1024, minimum=1)
# Checklist spreadsheet imports: the largest file, what it may unpack to, and how long a previewed import waits.
PHB_IMPORT_MAX_BYTES = env_int("PHB_IMPORT_MAX_BYTES", 2 * 1024 * 1024, minimum=1)
PHB_IMPORT_MAX_UNPACKED_BYTES = env_int("PHB_IMPORT_MAX_UNPACKED_BYTES", 20 * 1024 * 1024, minimum=1)
PHB_IMPORT_TTL_SECONDS = env_int("PHB_IMPORT_TTL_SECONDS", 3600, minimum=60)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Report rendering: the worker's soft limit (the report is marked failed) and hard limit (the process is ended).
PHB_REPORT_SOFT_TIME_LIMIT = env_int("PHB_REPORT_SOFT_TIME_LIMIT", 240, minimum=1)
PHB_REPORT_TIME_LIMIT = env_int("PHB_REPORT_TIME_LIMIT", 300, minimum=1)
if PHB_REPORT_TIME_LIMIT <= PHB_REPORT_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured("PHB_REPORT_TIME_LIMIT must be greater than PHB_REPORT_SOFT_TIME_LIMIT.")

# Celery. No broker configured: run tasks eagerly, in-process, and let their errors surface.
CELERY_BROKER_URL = env_secret("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Without a broker, a report render asked for on a page runs on a thread of its own after the page has answered,
# rather than inside the request (tests switch this off, to render inside it).
PHB_BACKGROUND_TASKS = env_bool("PHB_BACKGROUND_TASKS", default=True)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True  # job state lives in our own tables (Report), not a result backend
# Unset in production. Only the worker ping keeps its result, for whoever sets one (the real-worker tests do).
CELERY_RESULT_BACKEND = env_secret("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# confirm_publish: on RabbitMQ a publish returns once the broker has the message (Redis answers each push anyway),
# so the outbox marks a message published only when it is safe with the broker.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 900, minimum=1),
    "confirm_publish": True,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Celery beat (`celery -A phb_readiness beat`, one per installation): the daily refresh of stored readiness; every
# minute, the outbox's messages the broker did not take yet, and the sweep of report jobs lost with their message or
# their worker (a minutely run not taken within the minute is dropped: the next one does the same work).
CELERY_BEAT_SCHEDULE = {
    # Evidence past its valid-until date: each lapse recorded once, just after midnight, before the daily refresh.
    "lapse-evidence": {"task": "checklists.lapse_evidence", "schedule": crontab(hour=0, minute=1)},
    "refresh-stale-readiness": {"task": "checklists.refresh_stale_readiness", "schedule": crontab(hour=0, minute=5)},
    "flush-outbox": {"task": "outbox.flush", "schedule": 60.0, "options": {"expires": 55}},
    "sweep-stale-reports": {"task": "reports.sweep_stale_reports", "schedule": 60.0, "options": {"expires": 55}},
    # A signed checkpoint of the audit chain's head in the file store, outside the database (also on every report).
    "audit-checkpoint": {"task": "audit.checkpoint", "schedule": crontab(hour=0, minute=20)},
    # Reminders (items due and overdue, sign-offs, concerns and submissions waiting, evidence expiring) every morning;
    # the weekly digests on Monday morning; inbox messages older than 90 days deleted nightly.
    "send-reminders": {"task": "checklists.send_reminders", "schedule": crontab(hour=7, minute=0)},
    "send-digests": {"task": "inbox.send_digests", "schedule": crontab(hour=7, minute=30, day_of_week="mon")},
    "purge-inbox": {"task": "inbox.purge", "schedule": crontab(hour=0, minute=35)},
    # Each region's readiness for the current month, late every day: a month's last run is its month-end figure.
    "readiness-snapshot": {"task": "reports.readiness_snapshot", "schedule": crontab(hour=23, minute=50)},
}
# A report job queued this many minutes without a worker taking it is sent again (its message was lost), up to
# PHB_REPORT_QUEUE_ATTEMPTS messages in all; then it is marked failed, and its page offers a retry.
PHB_REPORT_REQUEUE_MINUTES = env_int("PHB_REPORT_REQUEUE_MINUTES", 5, minimum=1)
PHB_REPORT_QUEUE_ATTEMPTS = env_int("PHB_REPORT_QUEUE_ATTEMPTS", 3, minimum=1)

# Mail: printed to the console unless an SMTP host is configured.
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_secret("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "PHB Readiness <no-reply@phb-readiness.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

SERVICE_NAME = "PHB Readiness"
# The body that issues reports: printed on them and written as the PDF's author.
PHB_ISSUER_NAME = env("PHB_ISSUER_NAME") or "PHB Readiness (SPF review)"
# Where people reach the service, for the links in e-mails (sent by workers, outside any request).
# The HMAC keys of the audit chain and of site archives (phb_readiness/keys.py): set them in production, outside the
# database; where unset, each is generated once under VAR_DIR/keys/.
PHB_AUDIT_KEY = env_secret("PHB_AUDIT_KEY")
PHB_ARCHIVE_KEY = env_secret("PHB_ARCHIVE_KEY")
# Set it in production; the embedded run (`make run`, `PORT=18101 make run`) links to the port it serves on.
PHB_BASE_URL = env("PHB_BASE_URL") or f"http://127.0.0.1:{env_int('PORT', 8000, minimum=1) if EMBEDDED else 8000}"

# Issued reports are signed (PAdES, phb_readiness/reports/signing.py) with the service's key and certificate: PEM text
# in PHB_SIGNING_KEY and PHB_SIGNING_CERT (usually PHB_SIGNING_KEY_FILE and PHB_SIGNING_CERT_FILE naming mounted
# files; the certificate's chain may follow it), or a PKCS#12 file PHB_SIGNING_PKCS12 with its passphrase. Where
# none is set, a self-signed certificate is generated once under VAR_DIR/keys/.
PHB_SIGNING_KEY = env_secret("PHB_SIGNING_KEY")
PHB_SIGNING_CERT = env_secret("PHB_SIGNING_CERT")
PHB_SIGNING_PKCS12 = env("PHB_SIGNING_PKCS12")
PHB_SIGNING_PKCS12_PASSPHRASE = env_secret("PHB_SIGNING_PKCS12_PASSPHRASE")
if PHB_SIGNING_PKCS12 and (PHB_SIGNING_KEY or PHB_SIGNING_CERT):
    raise ImproperlyConfigured("Set PHB_SIGNING_PKCS12 or PHB_SIGNING_KEY and PHB_SIGNING_CERT, not both.")
if bool(PHB_SIGNING_KEY) != bool(PHB_SIGNING_CERT):
    raise ImproperlyConfigured("Set both PHB_SIGNING_KEY and PHB_SIGNING_CERT (or their _FILE variants), or neither.")
# "Verify a report" is open to anyone: at most this many checks per address (per person, signed in) in the window.
PHB_VERIFY_LIMIT = env_int("PHB_VERIFY_LIMIT", 20, minimum=1)
PHB_VERIFY_WINDOW_SECONDS = env_int("PHB_VERIFY_WINDOW_SECONDS", 600, minimum=1)
# The cache (counts of "Verify a report" checks): Redis shared by every web process when PHB_CACHE_URL is set (e.g.
# redis://host:6379/1), otherwise each process's own memory.
PHB_CACHE_URL = env_secret("PHB_CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": PHB_CACHE_URL}
        if PHB_CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Sessions end after 30 idle minutes and never outlive a browser session. A request pushes the expiry on when the
# last push is over a minute old (phb_readiness.accounts.middleware), not on every request: a write per page view
# would cost every page a query, and the idle limit stays within a minute of 30.
SESSION_COOKIE_AGE = 30 * 60
PHB_SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# ... and 12 hours after sign-in at the most, however busy (phb_readiness.accounts.middleware).
PHB_SESSION_MAX_AGE = 12 * 60 * 60

# Lockout (django-axes), counted per username and per address (either one locks, for 15 minutes): 5 wrong passwords
# for one username lock that username from any address; PHB_LOCKOUT_ADDRESS_LIMIT wrong passwords from one address,
# whatever the usernames, lock that address. The address limit is higher because NHS staff reach the service through
# shared HSCN/NAT addresses, where one person's typos must not lock out a whole trust, while password spraying over
# many usernames from one address is still stopped (accounts.lockout.LockoutHandler). Every failure and lockout is
# in the audit trail.
AXES_FAILURE_LIMIT = 5
PHB_LOCKOUT_ADDRESS_LIMIT = 20
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "phb_readiness.accounts.lockout.LockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are recorded in the audit trail instead
AXES_VERBOSE = False  # the audit trail records every sign-in, failure and lockout
AXES_CLIENT_IP_CALLABLE = "phb_readiness.accounts.auth.client_ip"
# The proxies in front of the app (addresses or CIDR networks): X-Forwarded-For is believed only on a connection from
# one of them, and then only as far as the first address that is not one of them. Empty: never believed.
PHB_TRUSTED_PROXIES = env_list("PHB_TRUSTED_PROXIES")
try:
    parse_networks(PHB_TRUSTED_PROXIES)
except ValueError as exc:
    raise ImproperlyConfigured(f"PHB_TRUSTED_PROXIES: {exc}.") from None

# Two-step verification (django-otp): everyone enters a code from an authenticator app (TOTP) after the password,
# or one of 10 single-use recovery codes; only the demo accounts are exempt, and only in the embedded run.
PHB_MFA_ENFORCED = True
OTP_TOTP_ISSUER = SERVICE_NAME
# Self-service password reset: a link by e-mail, valid for an hour; at most this many requests an hour from one
# address, and for one e-mail address (counted in the audit trail, so every web process sees the same counts).
PASSWORD_RESET_TIMEOUT = 60 * 60
PHB_PASSWORD_RESET_PER_ADDRESS = 10
PHB_PASSWORD_RESET_PER_EMAIL = 3

# Content Security Policy (django-csp 4): only our own scripts, styles and images; no inline code of any kind.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Read (and so checked) whatever DEBUG is; applied only with DEBUG off.
_SECURE_COOKIES = env_bool("DJANGO_SECURE_COOKIES", default=True)
_SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000, minimum=0)
if not DEBUG:
    SESSION_COOKIE_SECURE = _SECURE_COOKIES
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = _SECURE_SSL_REDIRECT
    SECURE_HSTS_SECONDS = _HSTS_SECONDS
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind a TLS-terminating proxy (a load balancer, nginx). Django believes this header from anyone, so the proxy
    # must set it on every request, overwriting whatever the client sent (README, "Behind a proxy").
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # /healthz is probed over plain HTTP by the container health checks.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
    },
    # WeasyPrint logs every rendering step at INFO.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # sign-ins, failures and lockouts are in the audit trail
    },
}
if not CELERY_BROKER_URL:
    # Tasks run in-process, yet Celery still takes a producer for the default broker address and kombu warns that
    # it has no host name: a warning that means nothing without a broker. With one configured, it still shows.
    LOGGING["loggers"]["kombu.connection"] = {"level": "ERROR"}
