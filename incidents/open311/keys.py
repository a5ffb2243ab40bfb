"""Open311 API keys: random, shown once, stored as SHA-256."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from ..models import Open311Key


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key(*, name: str) -> tuple[Open311Key, str]:
    """Return a new key row for the application `name` and the key itself."""
    key = "o311_" + secrets.token_urlsafe(32)
    row = Open311Key.objects.create(name=name, prefix=key[5:13], key_hash=_hash(key))
    return row, key


def check_key(key: str | None) -> Open311Key | None:
    """Return the active key row for this key, or None."""
    if not key or len(key) > 200 or "\x00" in key:
        return None
    row = Open311Key.objects.filter(key_hash=_hash(key), active=True).first()
    if row is not None:
        Open311Key.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row
