"""Language: Polish unless the visitor chose another language (cookie set by /i18n/setlang/).

Django's LocaleMiddleware would follow the browser's Accept-Language, so an office computer
with an English browser would get an English admin; SIP speaks Polish first.
"""

from django.conf import settings
from django.utils import translation


class PolishFirstLocaleMiddleware:
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
