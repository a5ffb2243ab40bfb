"""Settings shared by every SIP deployment; values come from the environment."""

import warnings
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# The demo/test key is fine only on a developer's machine; production.py requires SECRET_KEY.
SECRET_KEY = env("SECRET_KEY", default="sip-demo-only-not-for-production")
DEBUG = env.bool("DEBUG", default=True)
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
    "sip",
    "geoportal",
    "gisserver",
    "layers",
    "planning",
    "inventory",
    "cemetery_routing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sip.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sip.middleware.PolishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "sip.urls"
WSGI_APPLICATION = "sip.wsgi.application"

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
            ]
        },
    }
]

# DATABASE_URL switches to an existing PostGIS server; the default is the embedded cluster.
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL",
        default="postgis://sip:sip@127.0.0.1:5433/sip",
        engine="django.contrib.gis.db.backends.postgis",
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# gis.W001: GDAL 3.6 cannot block file/network access while parsing an SRS. SIP never hands
# user-supplied SRS text to GDAL, only integers from SIP_ACCEPTED_SRIDS (sip/geometry.py).
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", "Polski"), ("en", "English")]
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
# Files MapServer reads that SIP writes (font list, WMTS descriptions, cache of WMTS tiles).
SIP_MAPSERVER_DIR = env("SIP_MAPSERVER_DIR", default=str(BASE_DIR / "var" / "mapserver"))

LOGIN_URL = "admin:login"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "EXCEPTION_HANDLER": "sip.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"print": env("SIP_PRINT_RATE", default="20/min")},
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
