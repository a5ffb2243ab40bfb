"""Helpers of the consultation and draft-plan comment tests: a survey with every kind of
question in a test gmina, points inside that gmina in EPSG:4326, a draft plan laid out."""

from __future__ import annotations

import datetime as dt

from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.utils import timezone

from participation.models import Consultation, PlanInspection, Question
from planning.models import Plan

DAY = dt.timedelta(days=1)


def inner_square(gmina, margin: float = 500.0) -> MultiPolygon:
    xmin, ymin, xmax, ymax = gmina.boundary.extent
    return MultiPolygon(
        Polygon.from_bbox((xmin + margin, ymin + margin, xmax - margin, ymax - margin)), srid=2180
    )


def lonlat(gmina, dx: float = 1000.0, dy: float = 1000.0) -> tuple[float, float]:
    """A point dx, dy metres from the gmina's south-west corner, as (lon, lat)."""
    xmin, ymin, _, _ = gmina.boundary.extent
    p = Point(xmin + dx, ymin + dy, srid=2180).transform(4326, clone=True)
    return p.x, p.y


def make_consultation(gmina, *, opens=-2, closes=5, audience="anyone", title="Ławki w parku") -> Consultation:
    today = timezone.localdate()
    c = Consultation.objects.create(
        gmina=gmina,
        title=title,
        description="Gdzie brakuje ławek i co zmienić w parku?",
        area=inner_square(gmina),
        opens_on=today + opens * DAY,
        closes_on=today + closes * DAY,
        audience=audience,
    )
    specs = [
        ("single", "Jak często bywasz w parku?", "codziennie\nco tydzień\nrzadziej", True, ""),
        ("multiple", "Czego brakuje?", "ławek\nkoszy\noświetlenia\ncienia", False, ""),
        ("scale", "Jak oceniasz park?", "", False, ""),
        ("text", "Co jeszcze chcesz nam powiedzieć?", "", False, ""),
        ("ranking", "Ułóż od najważniejszego", "zieleń\nplac zabaw\nparking", False, ""),
        ("map", "Zaznacz, gdzie brakuje ławek", "", False, "point"),
        ("map", "Narysuj brakującą ścieżkę", "", False, "line"),
    ]
    for position, (kind, text, options, required, geometry) in enumerate(specs, start=1):
        Question.objects.create(
            consultation=c,
            position=position,
            kind=kind,
            text=text,
            options=options,
            required=required,
            max_choices=2 if kind == "multiple" else None,
            geometry=geometry or "point",
        )
    return c


def q(consultation, position: int) -> Question:
    return consultation.questions.get(position=position)


def full_answers(c, gmina, *, text="Więcej drzew przy stawie.", comment="Tu przy alejce.") -> list[dict]:
    lon, lat = lonlat(gmina)
    lon2, lat2 = lonlat(gmina, 1500, 1200)
    return [
        {"question": q(c, 1).pk, "choices": [0]},
        {"question": q(c, 2).pk, "choices": [0, 2]},
        {"question": q(c, 3).pk, "value": 4},
        {"question": q(c, 4).pk, "text": text},
        {"question": q(c, 5).pk, "choices": [2, 0, 1]},
        {"question": q(c, 6).pk, "geometry": {"type": "Point", "coordinates": [lon, lat]}, "text": comment},
        {
            "question": q(c, 7).pk,
            "geometry": {"type": "LineString", "coordinates": [[lon, lat], [lon2, lat2]]},
        },
    ]


def responses_url(c) -> str:
    return f"/api/participation/consultations/{c.pk}/responses/"


def make_draft_plan(gmina) -> Plan:
    return Plan.objects.create(
        gmina=gmina,
        title="Projekt miejscowego planu zagospodarowania przestrzennego rejonu parku",
        resolution_number="projekt",
        resolution_date=dt.date(2026, 1, 10),
        status=Plan.Status.IN_PREPARATION,
        boundary=inner_square(gmina, 1000),
    )


def make_inspection(gmina, *, starts=-3, ends=10) -> PlanInspection:
    today = timezone.localdate()
    return PlanInspection.objects.create(
        gmina=gmina,
        plan=make_draft_plan(gmina),
        starts_on=today + starts * DAY,
        ends_on=today + ends * DAY,
    )
