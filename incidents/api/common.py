"""What the incident API views share: position input, throttling, output of units and reports."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.geos import Point
from django.http import Http404
from rest_framework import exceptions, permissions, serializers
from rest_framework.throttling import SimpleRateThrottle

from sip.geometry import GeometryError, check_in_poland
from sip.models import Gmina
from sip.urls_public import absolute

from ..models import Category, Report


def gmina_or_404(value: str) -> Gmina:
    gmina = Gmina.objects.filter(teryt=value).first() or Gmina.objects.filter(slug=value).first()
    if gmina is None:
        raise Http404(f"Nie ma w systemie gminy „{value}”.")
    return gmina


def category_or_400(code: str) -> Category:
    category = Category.objects.select_related("group").filter(code=code, active=True).first()
    if category is None:
        raise exceptions.ValidationError({"category": "Wybierz kategorię z listy."})
    return category


def point_of(lat: float, lon: float) -> Point:
    """The point (EPSG:2180) of WGS84 coordinates; 400 outside Poland."""
    try:
        check_in_poland(lon, lat, 4326)
    except GeometryError as exc:
        raise exceptions.ValidationError({"position": str(exc)}) from None
    return Point(lon, lat, srid=4326).transform(2180, clone=True)


def lat_lon(point: Point) -> tuple[float, float]:
    p = point.transform(4326, clone=True)
    return round(p.y, 7), round(p.x, 7)


class PositionSerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90, help_text="szerokość geograficzna (WGS84)")
    lon = serializers.FloatField(min_value=-180, max_value=180, help_text="długość geograficzna (WGS84)")
    category = serializers.SlugField(max_length=40, help_text="kod kategorii (service_code)")


class IncidentPostThrottle(SimpleRateThrottle):
    """Reports (and "me too") posted without an account, per client address; the rate is
    settings.SIP_INCIDENT_POST_RATE, read on every request."""

    scope = "incident_post"

    def get_rate(self):
        return settings.SIP_INCIDENT_POST_RATE

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if request.method != "POST" or (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PolishThrottleMixin:
    def throttled(self, request, wait):
        seconds = int(wait or 60)
        raise exceptions.Throttled(
            wait=wait,
            detail=f"Za dużo zgłoszeń wysłanych z tego adresu; spróbuj ponownie za {seconds} s.",
        )


class StaffOnly(permissions.BasePermission):
    """Staff of a unit or gmina with the right to read reports; runs before any parsing."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            raise exceptions.NotAuthenticated("Ta czynność wymaga zalogowania.")
        perm = (
            "incidents.view_report"
            if request.method in permissions.SAFE_METHODS
            else "incidents.change_report"
        )
        if not user.has_perm(perm):
            raise exceptions.PermissionDenied("Twoja rola nie pozwala na tę czynność.")
        return True


class UnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    phone = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    website = serializers.CharField(allow_blank=True)
    address = serializers.CharField(allow_blank=True)

    class Meta:
        ref_name = "IncidentUnit"


def unit_data(unit) -> dict | None:
    if unit is None:
        return None
    return {
        "id": unit.pk,
        "name": unit.name,
        "kind": unit.kind,
        "phone": unit.phone,
        "email": unit.email,
        "website": unit.website,
        "address": unit.address,
    }


def photo_urls(request, report: Report) -> list[str]:
    return [absolute(p.image.url, request) for p in report.photos.all()]
