"""The base of every SIP API view: JSON bodies only, parsed safely (depth, NUL, lone
surrogates), writes authenticated and authorised before the body is read."""

from __future__ import annotations

import math

from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions, permissions
from rest_framework.parsers import JSONParser
from rest_framework.views import APIView

# Longer search texts are no one's query, and each word costs the database a filter.
MAX_QUERY_LENGTH = 100
# Deeper JSON is no one's request body; Python's parser would fail with a RecursionError.
MAX_JSON_DEPTH = 64
# Ids in paths are database keys (bigint): longer numbers name nothing.
MAX_ID_DIGITS = 18
# The schema of such an id in a path.
ID_SCHEMA = {"type": "integer", "minimum": 0, "maximum": 10**MAX_ID_DIGITS - 1}


def _check_json_value(value) -> None:
    """Raise ParseError for JSON nested deeper than MAX_JSON_DEPTH or holding a string with a NUL
    character or a lone surrogate (neither can be stored nor printed)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise exceptions.ParseError(f"Treść JSON jest zagnieżdżona głębiej niż {MAX_JSON_DEPTH} poziomy.")
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, float) and not math.isfinite(item):
            raise exceptions.ParseError("Liczby w treści JSON muszą być skończone.")
        elif isinstance(item, dict):
            for key, sub in item.items():
                _check_text(key)
                stack.append((sub, depth + 1))
        elif isinstance(item, list):
            stack.extend((sub, depth + 1) for sub in item)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise exceptions.ParseError("Treść zawiera znak NUL (\\u0000), którego nie można zapisać.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise exceptions.ParseError("Treść zawiera niesparowany surogat UTF-16 (np. \\ud800).") from None


class SafeJSONParser(JSONParser):
    """DRF's JSON parser that also refuses, with a 400, bodies Python cannot nest (RecursionError)
    and strings the database cannot store."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(
                f"Treść JSON jest zagnieżdżona głębiej niż {MAX_JSON_DEPTH} poziomy."
            ) from None
        _check_json_value(data)
        return data


# ---------------------------------------------------------------------------------------------
# Permissions


class SignedInForWrites(permissions.BasePermission):
    """Reads are open (selectors decide what each caller sees). A write needs a signed-in, active
    account holding the view's permission for that method (`write_permission`) in some gmina; the
    gmina itself is checked by the service once the body names it. Runs before the body is read."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            raise exceptions.NotAuthenticated("Ta czynność wymaga zalogowania.")
        perm = view.write_permission(request)
        if perm and not user.has_perm(perm):
            raise exceptions.PermissionDenied("Twoja rola nie pozwala na tę czynność.")
        return True


class SipAutoSchema(AutoSchema):
    """drf-spectacular's schema, telling that reads need no credentials (they only widen what a
    staff member sees) while writes do."""

    def get_auth(self):
        auths = super().get_auth()
        if self.method in permissions.SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths


class SipAPIView(APIView):
    """The base of every SIP API view: JSON in and out, writes refused before parsing to anyone
    who may not make them."""

    parser_classes = [SafeJSONParser]
    permission_classes = [SignedInForWrites]
    schema = SipAutoSchema()

    def write_permission(self, request) -> str | None:
        """The permission ('app.codename') a write with this request's method needs."""
        return None
