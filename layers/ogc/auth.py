"""Who is calling an OGC service: a session, HTTP Basic (QGIS, GDAL) or a personal token.

Desktop clients send Basic credentials with every tile; checking a password hash each time
would cost more than drawing the tile, so a successful check is remembered in the process
for a few minutes (keyed by a hash of the credentials, never the password itself) together
with the account's password hash at that moment: once the password changes, the remembered
check no longer counts, in every process at once.

Failed passwords and tokens are counted by django-axes (sip/security.py); a locked-out client
gets LockedOut, which the endpoints answer with their own exception report.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.signals import user_login_failed

from sip.security import TOKEN_CREDENTIAL, lockout_message, retry_after_seconds

from .. import services

BASIC_CACHE_SECONDS = 300
_cache: dict[str, tuple[float, int, str]] = {}
_cache_lock = threading.Lock()


class BadCredentials(Exception):
    """Credentials were sent and are wrong: the client should ask the user again (HTTP 401)."""


class LockedOut(Exception):
    """Too many failed logins from this client: refuse for the cool-off time (HTTP 429)."""

    def __init__(self):
        super().__init__(lockout_message())
        self.message = lockout_message()


def lockout_report(response):
    """Mark an endpoint's own answer to a locked-out client (an OGC exception report, JSON) so
    that django-axes' middleware passes it on instead of its generic page."""
    response.sip_lockout = True
    response["Retry-After"] = str(retry_after_seconds())
    return response


def _active_user(user_id: int):
    return get_user_model().objects.filter(pk=user_id, is_active=True).select_related("membership").first()


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
        user = _active_user(hit[1])
        if user is not None and user.password == hit[2]:
            return user
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        if getattr(request, "axes_locked_out", False):
            raise LockedOut
        raise BadCredentials
    with _cache_lock:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[key] = (now + BASIC_CACHE_SECONDS, user.pk, user.password)
    return user


def _token(key: str, request):
    credentials = {TOKEN_CREDENTIAL: "********"}
    if not AxesProxyHandler.is_allowed(request, credentials):
        raise LockedOut
    token = services.use_access_token(key=key)
    if token is None:
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            raise LockedOut
        raise BadCredentials
    return token.user


def _strip_token(request) -> str | None:
    """Take the token out of the query string, so that no link built from this request (WFS
    paging, capabilities, index pages) and nothing logged after this point carries it."""
    names = [name for name in request.GET if name.lower() == "token"]
    if not names:
        return None
    token = request.GET.get(names[0])
    query = request.GET.copy()
    for name in names:
        del query[name]
    request.GET = query
    request.META["QUERY_STRING"] = query.urlencode()
    return token


def ows_user(request):
    """Return the calling user (AnonymousUser when none); raise BadCredentials for wrong ones
    and LockedOut for a client with too many failed attempts."""
    token = _strip_token(request)
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:6].lower() == "basic ":
        return _basic(header, request)
    if header[:7].lower() == "bearer ":
        return _token(header[7:].strip(), request)
    if token:
        return _token(token, request)
    return request.user
