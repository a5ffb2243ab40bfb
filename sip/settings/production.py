"""Production (the default of sip.project.wsgi): secrets and hosts from the environment, HTTPS only.

`DJANGO_SETTINGS_MODULE=sip.settings.production manage.py check --deploy` is clean with the
defaults below except for the warning README.md explains ("Settings and secrets").
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

# Keys published with SIP (dev.py, test.py): whoever knows one can forge sessions and signatures.
PUBLISHED_KEYS = {"sip-demo-only-not-for-production", "sip-test-only-not-for-production"}

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY or SECRET_KEY in PUBLISHED_KEYS or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "SECRET_KEY is missing or unsafe: sip.settings.production (the default of sip.project.wsgi) needs "
        "a secret of at least 50 random characters in the environment or in the env file, e.g. "
        "SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))'); keep a copy "
        "with the backups. For development use DJANGO_SETTINGS_MODULE=sip.settings.dev."
    )
DEBUG = False
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is empty: name the host names SIP answers, e.g. ALLOWED_HOSTS=sip.gmina.pl."
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# HTTPS. nginx (or another proxy) terminates TLS and tells Django the original scheme in
# X-Forwarded-Proto; SECURE_SSL_REDIRECT=false only where the proxy itself redirects to HTTPS
# and cannot send that header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Asking browsers to hard-code HTTPS for the whole domain is the domain owner's decision.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
