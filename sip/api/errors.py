"""Errors of the API: every one answered as JSON {"detail": ...} with a 4xx status and a
Polish message, and documented in the schema."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse, QueryDict
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.exceptions import ValidationError as InputError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from sip.geometry import GeometryError


class BadRequest(APIException):
    status_code = 400
    default_detail = "Nieprawidłowe żądanie."


def _flatten(errors, prefix: str = "") -> list[str]:
    """Serializer errors as readable lines, each naming its field: 'limit: ...'."""
    if isinstance(errors, dict):
        out = []
        for key, value in errors.items():
            name = "" if key in ("non_field_errors", "detail") else f"{prefix}{key}"
            out += _flatten(value, f"{name}." if name else prefix)
        return out
    if isinstance(errors, list):
        return [line for item in errors for line in _flatten(item, prefix)]
    field = prefix.rstrip(".")
    return [f"{field}: {errors}" if field else str(errors)]


def validated(serializer_class, data, **kwargs) -> dict:
    """The validated data of `serializer_class` over `data`, or a 400 {"detail": "field: reason"}."""
    if isinstance(data, QueryDict):
        # As given: DRF would take an empty "?gmina=" of a query string for an absent parameter.
        data = data.dict()
    serializer = serializer_class(data=data, **kwargs)
    if not serializer.is_valid():
        raise BadRequest(" ".join(_flatten(serializer.errors)))
    return serializer.validated_data


def exception_handler(exc, context):
    """Answer every error as JSON {"detail": ...} with a 4xx status and a Polish message."""
    if isinstance(exc, ValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else " ".join(exc.messages)
        return Response({"detail": detail}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, InputError):
        # A serializer's or a view's own refusal, {field: [reason]}: one shape for every error,
        # "field: reason" as `validated` writes it.
        return Response({"detail": " ".join(_flatten(exc.detail))}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, GeometryError):
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        return Response({"detail": str(exc) or "Nie znaleziono."}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied) and exc.args:
        return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    return drf_exception_handler(exc, context)


def not_found(request, exception=None):
    """404: JSON {"detail": ...} under /api/ (like every API error), Django's page elsewhere."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "Nie znaleziono."}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def server_error(request):
    """500: JSON {"detail": ...} under /api/, Django's page elsewhere."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "Błąd serwera; spróbuj ponownie później."}, status=500)
    from django.views.defaults import server_error as page_server_error

    return page_server_error(request)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.JSONField(
        help_text="powód po polsku: tekst, albo obiekt {pole: [powody]} przy błędach pól obiektu"
    )


_ERROR_TEXT = {
    400: "nieprawidłowe żądanie (powód w detail)",
    401: "wymaga zalogowania",
    403: "brak zalogowania albo uprawnień",
    404: "nie znaleziono",
    405: "metoda niedozwolona",
    406: "nieobsługiwany format odpowiedzi",
    409: "konflikt z aktualnym stanem",
    415: "nieobsługiwany typ treści (tylko application/json)",
    429: "za wiele żądań",
}


def errors(*codes: int) -> dict:
    """drf-spectacular responses for the error statuses of an operation ({"detail": ...})."""
    return {code: OpenApiResponse(ErrorSerializer, description=_ERROR_TEXT[code]) for code in codes}


def documented(success: dict, *codes: int) -> dict:
    """Responses of an operation: its successes, the errors named and those of every request
    (400 for a bad parameter or body, 403 for wrong credentials, 406 for an Accept header asking
    for other than JSON)."""
    return {**success, **errors(*sorted({400, 403, 406, *codes}))}
