"""Development on one's own machine (manage.py's default, `make demo`): debug pages and a
published key, never for a server reachable by others (see README, "Settings and secrets")."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env("SECRET_KEY", default="sip-demo-only-not-for-production")
DEBUG = env.bool("DEBUG", default=True)
# Mails (e.g. status changes of residents' reports) are written as files under var/mail/.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
