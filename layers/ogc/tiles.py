"""A shorter way through Django for the busiest request there is: an anonymous WMS request (a web
map's tiles, with no cookie and no credentials).

Django runs every request through all of settings.MIDDLEWARE and the project's whole URLconf.
None of sessions, CSRF, authentication, messages, django-axes and WhiteNoise has anything to do
for a GET with no cookie, no Authorization header and no token: the caller is anonymous, no
session or CSRF cookie is read or set, axes counts no failure, the path is no static file. Such
a request goes through a second Django handler whose middleware list is settings.MIDDLEWARE
without those (every other middleware, including any added later, still runs: proxy headers,
request size, security headers, CSP, NUL checks, caching headers, the language, host
validation, X-Frame-Options) and whose URLconf holds the /ows/ routes only
(layers.ogc.anonymous_urls, instead of walking past every app's pages), to the same view. Any
other request, and any anonymous one that carries a cookie or credentials, takes the whole way.

The busiest of these, an anonymous GetMap, takes a third way, the tile way (TileWay): no Django
handler and no middleware chain, but what they would do to such a request done directly. With
MapServer drawing between requests (caches cold after each draw), Django's part costs far more
than in a tight loop: 0.82 ms a tile on the short way, 0.53 ms on the tile way (in process,
2026-11-26); under gunicorn, the server's CPU a tile against bare mapscript's went from
1.11-1.14x to 1.06-1.07x (perf: MapServer's and zlib's share the same in both servers, the
difference is Python).

Measured (CPU a request, MapServer's drawing left out, 2026-11-26): Django's part of a GetMap
0.60 ms the whole way, 0.42 ms on this way, about 0.35 ms with its own URLconf; MapServer
draws and encodes a 256 px tile in about 3.7 ms.
"""

from __future__ import annotations

import contextlib
import logging
from itertools import chain
from urllib.parse import parse_qsl

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.security import SecurityMiddleware
from django.utils import translation

from sip import csp
from sip.dbrouting import read_only_request
from sip.middleware import (
    FORWARDED_PREFIXES,
    CallerDependentCacheMiddleware,
    from_trusted_proxy,
    new_nonce,
    nul_in_address,
)

from . import wms
from .language import requested_language
from .params import request_params

log = logging.getLogger(__name__)

PATH = "/ows/wms"
PATHS = frozenset({PATH})
# What an anonymous GET without cookies and credentials needs none of (see the module's docstring).
NOT_FOR_ANONYMOUS = frozenset(
    {
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "axes.middleware.AxesMiddleware",
    }
)
ANONYMOUS = AnonymousUser()
URLCONF = "layers.ogc.anonymous_urls"


class AnonymousCallerMiddleware:
    """request.user for the short way: the anonymous user AuthenticationMiddleware would give;
    request.urlconf: the /ows/ routes only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.user = ANONYMOUS
        request.urlconf = URLCONF
        return self.get_response(request)


def is_anonymous_ows(environ) -> bool:
    """Whether a WSGI request is an anonymous GET of an OGC path with no cookie or credentials."""
    return (
        environ.get("PATH_INFO") in PATHS
        and environ.get("REQUEST_METHOD") == "GET"
        and not environ.get("HTTP_COOKIE")
        and not environ.get("HTTP_AUTHORIZATION")
        and "token" not in environ.get("QUERY_STRING", "").lower()
    )


class _AnonymousHandler(WSGIHandler):
    def load_middleware(self, is_async=False):
        from django.conf import settings

        # BaseHandler builds its chain from settings.MIDDLEWARE; it is given the shorter list
        # for that moment only (once, when the WSGI module is imported, before any request).
        full = settings.MIDDLEWARE
        chain = [m for m in full if m not in NOT_FOR_ANONYMOUS]
        chain.append(f"{__name__}.AnonymousCallerMiddleware")
        settings.MIDDLEWARE = chain
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


# The middleware whose work on an anonymous GetMap the tile way does itself (TileWay's
# docstring says how), besides NOT_FOR_ANONYMOUS, which has none to do. With any other
# middleware in settings.MIDDLEWARE, tiles take the short way (a new middleware is seen by
# every request until the tile way is taught what it does).
TILE_WAY_KNOWS = NOT_FOR_ANONYMOUS | {
    "sip.middleware.TrustedProxyMiddleware",
    # It keeps the forwarded prefix for code that writes paths; a map image writes none.
    "sip.middleware.ForwardedPrefixMiddleware",
    "sip.middleware.RequestSizeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "sip.middleware.ContentSecurityPolicyMiddleware",
    "sip.middleware.RejectNulMiddleware",
    "sip.middleware.CallerDependentCacheMiddleware",
    "sip.dbrouting.ReadOnlyRequestMiddleware",
    "sip.middleware.PolishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
}


def _no_view(request):  # the middlewares' hooks are called directly, never their chain
    raise AssertionError("not called")


class TileWay:
    """An anonymous GetMap answered without Django's handler and middleware chain.

    The request is Django's (WSGIRequest), the answer is layers.ogc.wms.map_image's, and what the
    middleware does to it is done here, with the middleware's own code where it has any:
    request_started/request_finished are sent (database connections are checked and closed as
    on every request); a request that any middleware would refuse, redirect or change (forwarded
    headers from a peer that is not a trusted proxy, a body, a NUL in the address, a host not
    allowed, a redirect to HTTPS or to www., a refused User-Agent) and anything but an image
    (an exception report, any error) is answered by the short way instead, from the start. The
    headers that do not depend on the tile (SecurityMiddleware's and XFrameOptionsMiddleware's
    for http and for https, the Vary of CallerDependentCacheMiddleware, the Content-Language
    of a visitor without a language cookie) are taken once from the middleware's own hooks;
    the Content-Security-Policy gets a fresh nonce each time; reads go where
    ReadOnlyRequestMiddleware sends them. tests/layers/test_tiles_shortcut.py compares the
    answers of the two ways.
    """

    def __init__(self):
        unknown = sorted(set(settings.MIDDLEWARE) - TILE_WAY_KNOWS)
        self.enabled = not unknown
        if unknown:
            log.warning("Kafle WMS idą zwykłą drogą: nieznane middleware %s", ", ".join(unknown))
        self.common = CommonMiddleware(_no_view)
        self.security = SecurityMiddleware(_no_view)
        self.read_only = PATH.startswith(tuple(settings.SIP_REPLICA_READ_PATHS))
        self.headers = {secure: self._fixed_headers(secure) for secure in (False, True)}

    def _fixed_headers(self, secure: bool) -> list[tuple[str, str]]:
        request = HttpRequest()
        request.is_secure = lambda: secure
        response = HttpResponse()
        before = set(response.headers)
        response["Cache-Control"] = "set by the view"
        XFrameOptionsMiddleware(_no_view).process_response(request, response)
        with translation.override(settings.LANGUAGE_CODE):  # PolishFirstLocaleMiddleware's
            response.headers.setdefault("Content-Language", translation.get_language())
        self.security.process_response(request, response)
        CallerDependentCacheMiddleware.mark(response)
        return [(k, v) for k, v in response.items() if k not in before and k != "Cache-Control"]

    def answer(self, environ, start_response):
        """The tile's answer, or None when the request is to take the short way."""
        if (
            not self.enabled
            or environ.get("CONTENT_LENGTH", "0") not in ("", "0")
            or environ.get("CONTENT_TYPE")
        ):
            return None
        request = WSGIRequest(environ)
        if request.path != PATH:  # under a SCRIPT_NAME, the middleware's path rules differ
            return None
        if any(key.startswith(FORWARDED_PREFIXES) for key in environ) and not from_trusted_proxy(request):
            return None
        try:
            pairs = _query(environ)
            params = request_params(dict(pairs).items())
            if wms.operation(params) not in wms.GET_MAP or nul_in_address(request.path, chain(*pairs)):
                return None
            if requested_language(params) not in (None, settings.LANGUAGE_CODE):
                return None  # its Content-Language is not the fixed one (language.py)
            if self.common.process_request(request) or self.security.process_request(request):
                return None
            secure = request.is_secure()
            signals.request_started.send(sender=self.__class__, environ=environ)
            with read_only_request() if self.read_only else contextlib.nullcontext():
                body, content_type, cache_control = wms.map_image(
                    params, ANONYMOUS, wms.request_version(params)
                )
        except Exception:  # noqa: BLE001 - the short way answers it (an exception report, a 400, a log)
            log.debug("Kafel idzie krótszą drogą", exc_info=True)
            return None
        headers = [
            ("Content-Type", content_type),
            ("Cache-Control", cache_control),
            ("Content-Length", str(len(body))),
            ("Content-Security-Policy", csp.policy(new_nonce())),
            *self.headers[secure],
        ]
        start_response("200 OK", headers)
        return _Body(body)


def _query(environ) -> list[tuple[str, str]]:
    """The query string's (name, value) pairs as request.GET reads them (Django's QueryDict, for
    a request without a Content-Type, whose charset would change the decoding), without the
    cost of building one; dict() of them is request.GET.items() (each name's last value)."""
    raw = environ.get("QUERY_STRING", "").encode("iso-8859-1")  # as the WSGI server decoded it
    charset = settings.DEFAULT_CHARSET
    try:
        text = raw.decode(charset)
    except UnicodeDecodeError:
        text = raw.decode("iso-8859-1")
    return parse_qsl(
        text, keep_blank_values=True, encoding=charset, max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    )


class _Body(list):
    """The answer's body; closing it ends the request as Django's response does."""

    def __init__(self, body: bytes):
        super().__init__((body,))

    def close(self):
        signals.request_finished.send(sender=TileWay)


def with_anonymous_ows_shortcut(application: WSGIHandler):
    """Wrap Django's WSGI application: anonymous GetMaps take the tile way, other anonymous OGC
    requests (and tiles the tile way leaves) the shorter handler."""
    shortcut = _AnonymousHandler()
    tiles = TileWay()

    def app(environ, start_response):
        if is_anonymous_ows(environ):
            answer = tiles.answer(environ, start_response)
            if answer is not None:
                return answer
            return shortcut(environ, start_response)
        return application(environ, start_response)

    return app
