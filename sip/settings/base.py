"""Settings shared by every SIP deployment; values come from the environment."""

import warnings
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
# Variables set in the process's environment win over the file (e.g. /etc/sip/env via SIP_ENV_FILE).
environ.Env.read_env(env.path("SIP_ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)

# No secret and no debug pages here: dev.py and test.py set a published key for a developer's
# machine, production.py (the default of sip.project.wsgi) requires SECRET_KEY from the environment.
SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_gis",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "leaflet",
    # Before "sip": its failed-login receiver runs first, so SIP's audit entry sees the lockout.
    "axes",
    "sip",
    "geoportal",
    "gisserver",
    "layers",
    "planning",
    "inventory",
    "cemetery_routing",
    "incidents",
    "participation",
    "reporting",
]

# Addresses (IPs or CIDRs) of the reverse proxies whose X-Forwarded-* headers are believed;
# from anyone else those headers are removed before Django or SIP reads them (empty: none).
SIP_TRUSTED_PROXIES = env.list("SIP_TRUSTED_PROXIES", default=[])

MIDDLEWARE = [
    "sip.middleware.TrustedProxyMiddleware",
    "sip.middleware.ForwardedPrefixMiddleware",
    "sip.middleware.RequestSizeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "sip.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sip.middleware.RejectNulMiddleware",
    "sip.middleware.CallerDependentCacheMiddleware",
    "sip.dbrouting.ReadOnlyRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sip.middleware.PolishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into sip.security.lockout_response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sip.project.urls"
WSGI_APPLICATION = "sip.project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # The geoportal's page frame (header texts), on every page that extends it.
                # The public URLs the page's scripts use (json_script #sip-urls), proxy-prefix aware.
                "sip.project.context_processors.public_urls",
            ],
            # {% url %} and {% static %} under a trusted proxy's path prefix (X-Forwarded-Prefix).
            "builtins": ["sip.templatetags.public_paths"],
        },
    }
]

# DATABASE_URL switches to an existing PostGIS server; the default is the embedded cluster.
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL",
        # The embedded cluster, on SIP_DB_PORT as scripts/db.sh starts it (5433 by default).
        default=f"postgis://sip:sip@127.0.0.1:{env.int('SIP_DB_PORT', default=5433)}/sip",
        engine="django.contrib.gis.db.backends.postgis",
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# No JIT and no parallel workers for SIP's sessions (MapServer's connections get the same
# options): its queries are short lookups whose costs the planner overestimates at regional
# scale (a parcel under each address point, an identifier prefix over 1.5M parcels), so
# PostgreSQL compiled them for ~1 s, or started two workers for ~60 ms, to run them in ms.
# SIP_DB_JIT=on gives the server's own settings back (e.g. behind a pooler that refuses options).
if not env.bool("SIP_DB_JIT", default=False):
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _no_jit = "-c jit=off -c max_parallel_workers_per_gather=0"
    _options["options"] = f"{_options.get('options', '')} {_no_jit}".strip()
# A PostgreSQL streaming replica for the read-only requests (sip/dbrouting.py): the many WMS,
# WFS and search requests of residents; writes and accounts stay on the primary.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **env.db_url("DATABASE_REPLICA_URL", engine="django.contrib.gis.db.backends.postgis"),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["sip.dbrouting.ReplicaRouter"]
SIP_REPLICA_READ_PATHS = ("/ows/", "/api/geoportal/search/", "/api/parcels/")
# gis.W001: GDAL 3.6 cannot block file/network access while parsing an SRS. SIP never hands
# user-supplied SRS text to GDAL, only integers from SIP_ACCEPTED_SRIDS (sip/geometry.py).
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Password guessing (django-axes, hooks in sip/security.py): after SIP_LOGIN_FAILURE_LIMIT failed
# logins (admin form, HTTP Basic on /ows/ and /api/, personal tokens) the client is refused for
# SIP_LOGIN_COOLOFF_MINUTES. Passwords are counted per user name and client address (counting
# per user name alone would let anyone lock a colleague out); tokens per client address.
AUTHENTICATION_BACKENDS = [
    "sip.security.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("SIP_LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIP_LOGIN_COOLOFF_MINUTES", default=15))
SIP_LOGIN_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_PARAMETERS = "sip.security.lockout_parameters"
AXES_CLIENT_IP_CALLABLE = "sip.security.client_ip"
AXES_LOCKOUT_CALLABLE = "sip.security.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Personal tokens for QGIS (layers.AccessToken): validity offered at creation, and the longest.
SIP_TOKEN_VALID_DAYS = env.int("SIP_TOKEN_VALID_DAYS", default=365)
SIP_TOKEN_MAX_DAYS = env.int("SIP_TOKEN_MAX_DAYS", default=730)

# Polish is the source language: the texts in code and templates are Polish msgids, translated
# by locale/en (locale/pl carries Polish plural forms). The .mo files are compiled by `make
# setup` and by the test run (tests/conftest.py), not committed.
LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", "Polski"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "static_collected"))
# WhiteNoise serves static files from the app folders (no collectstatic needed) unless
# production.py turns this off after `manage.py collectstatic`.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
warnings.filterwarnings("ignore", message="No directory at")
MEDIA_URL = "media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Files with personal data (issued extracts, uploaded imports) live outside MEDIA_ROOT, have no
# URL and are sent only by views that check permissions (sip/storage.py).
SIP_PRIVATE_ROOT = env("SIP_PRIVATE_ROOT", default=str(BASE_DIR / "private"))
# How those views send a file: "" Django streams it; "x-accel-redirect" (nginx, an `internal;`
# location at SIP_PRIVATE_ACCEL_PREFIX aliasing SIP_PRIVATE_ROOT) or "x-sendfile" (Apache).
SIP_PRIVATE_SENDFILE = env("SIP_PRIVATE_SENDFILE", default="")
SIP_PRIVATE_ACCEL_PREFIX = env("SIP_PRIVATE_ACCEL_PREFIX", default="/_private/")
# Django serves MEDIA_ROOT itself only in DEBUG, or with this on (a server without nginx).
SIP_SERVE_MEDIA = env.bool("SIP_SERVE_MEDIA", default=False)
STORAGES = {
    # Both record each written file's SHA-256 in sip.StoredFile (sip/storage.py).
    "default": {"BACKEND": "sip.storage.PublicStorage"},
    # Static files' URLs under a trusted proxy's path prefix (X-Forwarded-Prefix).
    "staticfiles": {"BACKEND": "sip.storage.PublicStaticFilesStorage"},
    "private": {"BACKEND": "sip.storage.PrivateStorage"},
}
# Files MapServer reads that SIP writes (font list, WMTS descriptions, cache of WMTS tiles).
SIP_MAPSERVER_DIR = env("SIP_MAPSERVER_DIR", default=str(BASE_DIR / "var" / "mapserver"))

# Uploads and imports (sip.uploads): the largest file any form accepts, and the extent of a
# spreadsheet that an import reads (checked before reading; the import benchmark has 100,000 rows).
SIP_UPLOAD_MAX_BYTES = env.int("SIP_UPLOAD_MAX_BYTES", default=100 * 1024 * 1024)
SIP_IMPORT_MAX_ROWS = env.int("SIP_IMPORT_MAX_ROWS", default=200_000)
SIP_IMPORT_MAX_COLUMNS = env.int("SIP_IMPORT_MAX_COLUMNS", default=200)
SIP_IMPORT_MAX_CELLS = env.int("SIP_IMPORT_MAX_CELLS", default=5_000_000)
SIP_IMPORT_MAX_UNCOMPRESSED_BYTES = env.int("SIP_IMPORT_MAX_UNCOMPRESSED_BYTES", default=300 * 1024 * 1024)
# A request body larger than this is refused before a view reads it (413); uploads spool to
# disk above FILE_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB), and other bodies are capped by
# DATA_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB).
SIP_REQUEST_MAX_BYTES = env.int("SIP_REQUEST_MAX_BYTES", default=SIP_UPLOAD_MAX_BYTES + 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Cemetery alleys: an alley's end this close to another alley (metres) is joined to it when the
# walking graph is built (surveyed alleys drawn without snapping miss their T-junctions).
SIP_ALLEY_SNAP_M = env.float("SIP_ALLEY_SNAP_M", default=0.5)

LOGIN_URL = "admin:login"

# Residents' reports (incidents) sent without an account: how many per client address
# (DRF rate, "N/second|minute|hour|day"), read on every request.
SIP_INCIDENT_POST_RATE = env("SIP_INCIDENT_POST_RATE", default="10/hour")

# E-mail (status changes of residents' reports, forwarding to outside bodies). Production: SMTP
# from EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS; dev.py and
# test.py change the backend.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="SIP <sip@localhost>")
# Where the file backend (dev, demo) writes each mail as a file.
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
# Links in mails (tracking page of a report): the public address of SIP.
SIP_PUBLIC_URL = env("SIP_PUBLIC_URL", default="http://127.0.0.1:8000")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "sip.api.schema.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # HTTP Basic with django-axes' lockout (sip/security.py).
        "sip.security.LockoutBasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "EXCEPTION_HANDLER": "sip.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "print": env("SIP_PRINT_RATE", default="20/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SIP API",
    "DESCRIPTION": "System informacji przestrzennej gmin partnerskich: działki, plany, cmentarze, rejestry.",
    "VERSION": "0.1.0",
    # The schema documents the API, not itself.
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from our own static files: no CDN is reachable from the office network.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Storage CRS and the CRSs accepted at the edges (PL-1992, PL-2000 zones 5-8, Web Mercator, WGS 84).
SIP_STORAGE_SRID = 2180
SIP_ACCEPTED_SRIDS = (2176, 2177, 2178, 2179, 2180, 3857, 4326)

LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (51.26, 15.57),
    "DEFAULT_ZOOM": 12,
    "MIN_ZOOM": 5,
    "MAX_ZOOM": 20,
    "TILES": [],
    "ATTRIBUTION_PREFIX": "SIP",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}
