"""SIP's own middleware: Polish first, no NUL characters past the door, and no cache that
hands one caller's answer to another."""

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils import translation
from django.utils.cache import patch_vary_headers


class RejectNulMiddleware:
    """Answer 400 to a request whose path or parameters carry a NUL character: PostgreSQL text
    cannot hold it, so it would otherwise fail deep inside a query as a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        params = (item for key, values in request.GET.lists() for item in (key, *values))
        if "\x00" in request.path or any("\x00" in item for item in params):
            return HttpResponseBadRequest(
                "Nieprawidłowy znak (NUL) w adresie.", content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)


class PolishFirstLocaleMiddleware:
    """Polish unless the visitor chose another language (cookie set by /i18n/setlang/).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an office computer
    with an English browser would get an English admin; SIP speaks Polish first.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


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
        if request.path.startswith(self.PATHS):
            patch_vary_headers(response, ("Authorization", "Cookie"))
            if not response.has_header("Cache-Control"):
                response["Cache-Control"] = "private, no-cache"
        return response
