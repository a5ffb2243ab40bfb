"""SIP's own middleware: Polish first, and no NUL characters past the door."""

import base64
import binascii

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import translation


class RejectNulMiddleware:
    """Answer 400 to a request whose path or parameters carry a NUL character, and 403 to Basic
    credentials with one; drop cookies with one. PostgreSQL text cannot hold a NUL, so it would
    otherwise fail deep inside a query (a user or session lookup) as a 500. Under /api/ the
    answer is JSON like every API error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        params = (item for key, values in request.GET.lists() for item in (key, *values))
        if "\x00" in request.path or any("\x00" in item for item in params):
            message = "Nieprawidłowy znak (NUL) w adresie."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        if _nul_in_basic_credentials(request.META.get("HTTP_AUTHORIZATION", "")):
            # No account has such a name or password: refused like any wrong credentials.
            return JsonResponse({"detail": "Niepoprawna nazwa użytkownika lub hasło."}, status=403)
        # A cookie with a NUL (no session or CSRF token has one) is as good as no cookie.
        for name in [name for name, value in request.COOKIES.items() if "\x00" in name + value]:
            del request.COOKIES[name]
        return self.get_response(request)


def _nul_in_basic_credentials(header: str) -> bool:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return "\x00" in header
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False  # DRF answers malformed credentials itself
    return b"\x00" in decoded


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
