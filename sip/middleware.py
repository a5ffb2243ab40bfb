"""SIP's own middleware: forwarded headers only from our proxies, Polish first, no NUL
characters past the door, a Content-Security-Policy, and no cache that hands one caller's
answer to another."""

import base64
import binascii
import ipaddress
import secrets
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

from . import csp, urls_public


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    try:
        return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"SIP_TRUSTED_PROXIES: {exc}") from exc


def from_trusted_proxy(request) -> bool:
    """True when the request's peer (REMOTE_ADDR) is one of SIP_TRUSTED_PROXIES (IPs or CIDRs)."""
    networks = _networks(tuple(getattr(settings, "SIP_TRUSTED_PROXIES", ()) or ()))
    if not networks:
        return False
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", "").strip())
    except ValueError:
        return False
    return any(peer in net for net in networks)


FORWARDED_PREFIXES = ("HTTP_X_FORWARDED_", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


class TrustedProxyMiddleware:
    """Drop X-Forwarded-* (and Forwarded, X-Real-IP) headers unless the request comes from a
    proxy named in SIP_TRUSTED_PROXIES. Any client can send these headers; read blindly they let
    it choose the host, scheme and path prefix that capabilities advertise (and that Django's
    USE_X_FORWARDED_HOST and SECURE_PROXY_SSL_HEADER believe). Runs first, so every later reader
    (Django, sip.urls_public) sees the same, trusted, headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not from_trusted_proxy(request):
            for key in [k for k in request.META if k.startswith(FORWARDED_PREFIXES)]:
                del request.META[key]
        return self.get_response(request)


class RequestSizeMiddleware:
    """Answer 413 to a request that declares a body larger than SIP_REQUEST_MAX_BYTES, before
    Django spools it to disk; each upload form then checks its own file (sip.uploads). nginx's
    client_max_body_size should say the same (README)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.SIP_REQUEST_MAX_BYTES
        if length > limit:
            return HttpResponse(
                f"Przesyłane dane są za duże: najwyżej {limit // (1024 * 1024)} MB.",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


class RejectNulMiddleware:
    """Answer 400 to a request whose path or parameters carry a NUL character, and 403 to Basic
    credentials with one; drop cookies with one. PostgreSQL text cannot hold a NUL, so it would
    otherwise fail deep inside a query (a user or session lookup) as a 500. Under /api/ the
    answer is JSON like every API error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        params = (item for key, values in request.GET.lists() for item in (key, *values))
        if nul_in_address(request.path, params):
            message = "Nieprawidłowy znak (NUL) w adresie."
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        if _nul_in_basic_credentials(request.META.get("HTTP_AUTHORIZATION", "")):
            # No account has such a name or password: refused like any wrong credentials.
            return JsonResponse({"detail": "Niepoprawna nazwa użytkownika lub hasło."}, status=403)
        # A cookie with a NUL (no session or CSRF token has one) is as good as no cookie.
        for name in [name for name, value in request.COOKIES.items() if "\x00" in name + value]:
            del request.COOKIES[name]
        return self.get_response(request)


def nul_in_address(path: str, params) -> bool:
    """Whether a request's path or its query parameters (names and values) carry a NUL."""
    return "\x00" in path or any("\x00" in item for item in params)


def _nul_in_basic_credentials(header: str) -> bool:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return "\x00" in header
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False  # DRF answers malformed credentials itself
    return b"\x00" in decoded


class PolishFirstLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, Polish unless the visitor chose another language with the
    portal's switch (Django's set_language view, /i18n/setlang/, stores the choice in a cookie).

    Django's own would follow the browser's Accept-Language, so an office computer with an
    English browser would get an English admin; SIP speaks Polish first, and since the header is
    not read, responses do not say Vary: Accept-Language.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else None
        except LookupError:
            language = None
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class ContentSecurityPolicyMiddleware:
    """Content-Security-Policy on every response (sip.csp), with a fresh nonce per request in
    request.csp_nonce for the few inline scripts that carry it (django-leaflet's widgets)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        nonce = new_nonce()
        request.csp_nonce = nonce
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = csp.policy(nonce)
        return response


def new_nonce() -> str:
    """A fresh nonce for one response's Content-Security-Policy."""
    return secrets.token_urlsafe(16)


class CallerDependentCacheMiddleware:
    """Answers of the OGC services and the API depend on who asks (credentials decide which
    layers, rows and records come back), so no cache may hand one caller's answer to another.

    Every answer under these paths says ``Vary: Authorization, Cookie``; one that sets no
    Cache-Control of its own gets ``private, no-cache``. A view that knows its answer is the
    same for everyone keeps its ``public`` caching (e.g. a WMS tile of public layers); one whose
    answer depends on the caller says ``private, no-store`` itself, since some client caches
    (Qt's, so QGIS's) ignore Vary."""

    PATHS = ("/ows/", "/api/", "/open311/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # path_info: under a SCRIPT_NAME mount (/sip/ows/…) `path` carries the mount's prefix.
        if request.path_info.startswith(self.PATHS):
            self.mark(response)
        return response

    @staticmethod
    def mark(response) -> None:
        """Say that the answer depends on the caller (and, without a Cache-Control of its own,
        that it is not to be kept)."""
        patch_vary_headers(response, ("Authorization", "Cookie"))
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-cache"


class ForwardedPrefixMiddleware:
    """Keeps the trusted proxy's path prefix of the request (sip.urls_public.forwarded_prefix)
    for the code that writes paths without the request at hand (sip.urls_public.current_prefix):
    {% url %}, static files' URLs, selectors' links; and puts the redirects' paths, which views
    (the admin's, redirect(), login_required) write from reverse() or the request's own path,
    under it (sip.urls_public.public_location). After TrustedProxyMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with urls_public.answering(request):
            response = self.get_response(request)
        if response.has_header("Location"):
            response["Location"] = urls_public.public_location(response["Location"], request)
        return response
