"""Development on one's own machine (manage.py's default, `make demo`): debug pages and a
published key, never for a server reachable by others (see README, "Settings and secrets")."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env("SECRET_KEY", default="sip-demo-only-not-for-production")
DEBUG = env.bool("DEBUG", default=True)
