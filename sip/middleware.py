"""SIP's own middleware: Polish first, no NUL characters past the door, a Content-Security-Policy."""

import secrets

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils import translation

from . import csp


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


class ContentSecurityPolicyMiddleware:
    """Content-Security-Policy on every response (sip.csp), with a fresh nonce per request in
    request.csp_nonce for the few inline scripts that carry it (django-leaflet's widgets)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = csp.policy(nonce)
        return response
