"""Settings for the pytest suite: the same database server, a separate test database."""

from .base import *  # noqa: F403
from .base import DATABASES, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"]["TEST"] = {"NAME": env("SIP_TEST_DB", default="test_sip")}
DATABASES["default"]["CONN_MAX_AGE"] = 0
