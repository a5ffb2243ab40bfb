"""Settings for the pytest suite: the same database server, a separate test database."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, env

SECRET_KEY = env("SECRET_KEY", default="sip-test-only-not-for-production")
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"]["TEST"] = {"NAME": env("SIP_TEST_DB", default="test_sip")}
DATABASES["default"]["CONN_MAX_AGE"] = 0
# Private files of tests that do not choose their own folder stay out of the project tree.
SIP_PRIVATE_ROOT = str(Path(tempfile.gettempdir()) / "sip-test-private")
# Lockout tests set their own small limit; the rest of the suite (and its live servers, whose
# failed attempts are committed) must never lock 127.0.0.1 out.
AXES_FAILURE_LIMIT = 1000
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests post many reports from 127.0.0.1; the throttle's own test sets a low rate.
SIP_INCIDENT_POST_RATE = "10000/min"
