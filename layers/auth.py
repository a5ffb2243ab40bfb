"""Who is calling an OGC service: a session, HTTP Basic (QGIS, GDAL) or a personal token.

Desktop clients send Basic credentials with every tile; checking a password hash each time
would cost more than drawing the tile, so a successful check is remembered in the process
for a few minutes (keyed by a hash of the credentials, never the password itself).
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time

from django.contrib.auth import authenticate, get_user_model

from .models import AccessToken
from .services import hash_token

BASIC_CACHE_SECONDS = 300
_cache: dict[str, tuple[float, int]] = {}
_cache_lock = threading.Lock()


class BadCredentials(Exception):
    """Credentials were sent and are wrong: the client should ask the user again (HTTP 401)."""


def _user_by_id(user_id: int):
    user = get_user_model().objects.filter(pk=user_id, is_active=True).select_related("membership").first()
    if user is None:
        raise BadCredentials
    return user


def _basic(header: str, request):
    try:
        decoded = base64.b64decode(header.split(" ", 1)[1].strip(), validate=True).decode("utf-8")
        username, password = decoded.split(":", 1)
    except (ValueError, UnicodeDecodeError, IndexError):
        raise BadCredentials from None
    key = hashlib.sha256(f"{username}\0{password}".encode()).hexdigest()
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
    if hit and hit[0] > now:
        return _user_by_id(hit[1])
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        raise BadCredentials
    with _cache_lock:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[key] = (now + BASIC_CACHE_SECONDS, user.pk)
    return user


def _token(key: str):
    token = AccessToken.objects.filter(key_hash=hash_token(key)).select_related("user").first()
    if token is None or not token.user.is_active:
        raise BadCredentials
    return token.user


def ows_user(request):
    """Return the calling user (AnonymousUser when none); raise BadCredentials for wrong ones."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:6].lower() == "basic ":
        return _basic(header, request)
    if header[:7].lower() == "bearer ":
        return _token(header[7:].strip())
    token = request.GET.get("token") or request.GET.get("TOKEN")
    if token:
        return _token(token)
    return request.user
