"""Settings for the pytest suite: the same database server, a separate test database."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"]["TEST"] = {"NAME": env("SIP_TEST_DB", default="test_sip")}
DATABASES["default"]["CONN_MAX_AGE"] = 0
# Private files of tests that do not choose their own folder stay out of the project tree.
SIP_PRIVATE_ROOT = str(Path(tempfile.gettempdir()) / "sip-test-private")
