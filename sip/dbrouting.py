"""Reads of read-only requests from a PostgreSQL streaming replica, everything else from the
primary. Configured by DATABASE_REPLICA_URL (the `replica` database alias); without it the
router answers nothing and Django uses `default` alone.

A request is read-only when it is a GET or HEAD to one of SIP_REPLICA_READ_PATHS (WMS, WFS,
search, the parcel API): those are the requests many residents make at once. The accounts,
sessions and login-attempt records are always read from the primary, so a login is seen by the
very next tile request whatever the replica's lag; writes always go to the primary."""

from __future__ import annotations

import contextlib
import contextvars

from django.conf import settings
from django.db import connections

REPLICA = "replica"
# Read from the primary even inside a read-only request: a replica a few hundred milliseconds
# behind must not log a resident out or forget a lockout.
PRIMARY_ONLY_APPS = frozenset({"auth", "sessions", "axes", "contenttypes", "admin"})

_read_only = contextvars.ContextVar("sip_read_only_request", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def read_alias() -> str:
    """The database alias for reads that may come from the replica (map rendering, searches)."""
    return REPLICA if replica_configured() else "default"


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _read_only.get() and model._meta.app_label not in PRIMARY_ONLY_APPS and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: rows from either are rows of one database.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


class ReadOnlyRequestMiddleware:
    """Marks GET/HEAD requests to SIP_REPLICA_READ_PATHS as read-only for ReplicaRouter."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.paths = tuple(settings.SIP_REPLICA_READ_PATHS)

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or not request.path_info.startswith(self.paths):
            return self.get_response(request)
        with read_only_request():
            return self.get_response(request)


@contextlib.contextmanager
def read_only_request():
    """Inside: the reads of a read-only request (ReplicaRouter may send them to the replica)."""
    token = _read_only.set(True)
    try:
        yield
    finally:
        _read_only.reset(token)
