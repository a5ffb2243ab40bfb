"""The language of an OGC answer: the titles in capabilities, the keys of a legend image and the
headings of GetFeatureInfo.

Polish by default, as the data are. A client asks for another language with a parameter, never
with a header, so that an answer is a function of its URL (a tile cache or QGIS's cache keys on
the URL): LANGUAGE with an ISO 639-2/B code (LANGUAGE=eng), as INSPIRE view and download
services and MapServer do, or the OWS/WFS 2.0 AcceptLanguages list (AcceptLanguages=en,pl), as
GeoServer does. A language SIP does not speak gets the default language, as INSPIRE asks. The
browser's Accept-Language is not read (QGIS and GDAL do not send one that means anything; see
sip.middleware.PolishFirstLocaleMiddleware for the pages). Without a parameter the answer is in
the language the visitor chose on the portal (its cookie), so a browser that follows a link
from an English page stays in English.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.utils import translation

# INSPIRE's three-letter codes (ISO 639-2/B) and the two-letter ones (BCP 47) of our languages.
CODES = {"pol": "pl", "pl": "pl", "eng": "en", "en": "en"}
# The LANGUAGE value of each of our languages, for URLs we hand out (a capabilities' LegendURL).
INSPIRE_CODES = {"pl": "pol", "en": "eng"}


def requested_language(params: dict[str, str]) -> str | None:
    """The language the request's LANGUAGE or AcceptLanguages parameter asks for ("pl", "en"),
    the default language for one SIP does not speak, None without either parameter."""
    raw = params.get("language") or params.get("acceptlanguages")
    if raw is None or not raw.strip():
        return None
    for tag in raw.replace(" ", ",").split(","):
        # "en-GB" and "eng" alike: the primary subtag decides.
        primary = tag.strip().split("-")[0].split(";")[0].lower()
        if primary in CODES:
            return CODES[primary]
    return settings.LANGUAGE_CODE


def inspire_code(language: str | None = None) -> str:
    """The LANGUAGE parameter's value ("pol", "eng") of a language, by default the active one."""
    return INSPIRE_CODES.get((language or translation.get_language() or "")[:2], "pol")


def in_requested_language(view):
    """Run an OGC view in the language its parameters ask for (see requested_language), and
    say which one the answer is in (Content-Language)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        # As params.request_params (not imported: layers.selectors imports this module, and
        # params imports layers.selectors).
        params = {k.lower(): v for k, v in request.GET.items()}
        language = requested_language(params)
        if language is None:
            response = view(request, *args, **kwargs)
            language = translation.get_language() or settings.LANGUAGE_CODE
        else:
            with translation.override(language):
                response = view(request, *args, **kwargs)
        response["Content-Language"] = language
        return response

    return wrapper
