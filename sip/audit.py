"""The audit log: one call for every write made through services."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import GEOSGeometry

from .models import AuditLog


def _plain(value):
    if isinstance(value, GEOSGeometry):
        return {"srid": value.srid, "wkt_length": len(value.wkt), "area": round(value.area, 2)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def diff(before: dict, after: dict) -> dict:
    """Return {field: [old, new]} for the fields whose values differ."""
    return {
        k: [_plain(before.get(k)), _plain(after.get(k))]
        for k in after
        if _plain(before.get(k)) != _plain(after.get(k))
    }


def record(*, actor, action: str, obj, gmina=None, changes: dict | None = None) -> AuditLog:
    """Write one audit entry and return it."""
    return AuditLog.objects.create(
        user=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        model=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        gmina=gmina,
        changes=changes or {},
    )


def record_import(*, actor, model, gmina, report, **details) -> AuditLog:
    """Write the audit entry of one import of rows of `model` into a gmina and return it: the
    counts of its report (sip.imports.ImportReport) and `details` (the file, the register…)."""
    changes = {
        **details,
        "read": report.read,
        "created": report.created,
        "updated": report.updated,
        "rejected": len(report.rejected),
    }
    return AuditLog.objects.create(
        user=actor if actor is not None and actor.is_authenticated else None,
        action=AuditLog.Action.IMPORT,
        model=model._meta.label_lower,
        object_id="import",
        object_repr=f"import: {details.get('file', '')}"[:200],
        gmina=gmina,
        changes=changes,
    )


def record_failed_login(
    *, username: str, method: str, ip: str | None, path: str, locked_out: bool
) -> AuditLog:
    """Write the audit entry of one failed login (the account tried, never the secret) and return it."""
    account = get_user_model().objects.filter(username=username).first() if username else None
    return AuditLog.objects.create(
        user=None,
        action=AuditLog.Action.FAILED_LOGIN,
        model=get_user_model()._meta.label_lower,
        object_id=str(account.pk) if account else "",
        object_repr=(username or f"({method})")[:200],
        changes={"method": method, "ip": ip, "path": path[:200], "locked_out": locked_out},
    )
