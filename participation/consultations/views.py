"""Pages of consultations: the public list, the survey (answered through the API), the results
after the close, and the staff's exports."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from sip import tenancy
from sip.models import Gmina

from ..comments import selectors as comment_selectors
from ..models import Consultation, Question
from . import exports, selectors


def _gmina_filter(request) -> Gmina | None:
    slug = request.GET.get("gmina", "").strip()
    if not slug:
        return None
    gmina = Gmina.objects.filter(slug=slug).first() or Gmina.objects.filter(teryt=slug).first()
    if gmina is None:
        raise Http404("Nie ma takiej gminy.")
    return gmina


def index(request):
    gmina = _gmina_filter(request)
    return render(
        request,
        "participation/consultations.html",
        {
            "gmina": gmina,
            "gminas": Gmina.objects.order_by("name"),
            "open": selectors.consultations(gmina=gmina, state="open"),
            "closed": selectors.consultations(gmina=gmina, state="closed")[:50],
            "inspections": comment_selectors.inspections(gmina=gmina, state="open"),
        },
    )


def _consultation(pk: int) -> Consultation:
    consultation = selectors.consultation_with_area(pk)
    if consultation is None:
        raise Http404("Nie ma takiej konsultacji.")
    return consultation


def survey(request, pk: int):
    c = _consultation(pk)
    questions = list(c.questions.all())
    for q in questions:
        q.indexed_options = list(enumerate(q.option_list))
    config = {
        "id": c.pk,
        "api": f"/api/participation/consultations/{c.pk}/",
        "area": json.loads(c.area_geojson),
        "verified": c.audience == Consultation.Audience.VERIFIED,
        "wms": "/ows/wms",
    }
    return render(
        request,
        "participation/survey.html",
        {
            "c": c,
            "state": c.state(),
            "questions": questions,
            "config": config,
            "kinds": Question.Kind,
            "scale": range(1, 6),
        },
    )


def results(request, pk: int):
    c = _consultation(pk)
    if c.state() != "closed":
        return render(request, "participation/results.html", {"c": c, "closed": False}, status=403)
    data = selectors.results(c)
    features = {"type": "FeatureCollection", "features": selectors.map_answer_features(c)}
    return render(
        request,
        "participation/results.html",
        {
            "c": c,
            "closed": True,
            "results": data,
            "map": {"area": json.loads(c.area_geojson), "answers": features},
        },
    )


def _staff_consultation(request, pk: int) -> Consultation:
    c = _consultation(pk)
    if not tenancy.can(request.user, "participation.view_response", c.gmina_id):
        raise PermissionDenied("Eksport odpowiedzi jest dostępny dla pracowników gminy tej konsultacji.")
    return c


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def export(request, pk: int, fmt: str):
    c = _staff_consultation(request, pk)
    stem = f"konsultacja-{c.pk}-{slugify(c.title)[:40]}"
    if fmt == "xlsx":
        return _download(
            exports.answers_xlsx(c),
            f"{stem}-odpowiedzi.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    if fmt == "gpkg":
        return _download(exports.map_answers_gpkg(c), f"{stem}-mapa.gpkg", "application/geopackage+sqlite3")
    if fmt == "geojson":
        return _download(exports.map_answers_geojson(c), f"{stem}-mapa.geojson", "application/geo+json")
    raise Http404("Nieznany format eksportu.")
