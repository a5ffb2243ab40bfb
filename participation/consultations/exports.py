"""Exports of a consultation for its report (staff): XLSX of every answer, GeoPackage and
GeoJSON of the map answers. No personal data is held, so none is exported."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from ..models import Answer, Consultation, Question

_OGR_TYPES = {"Point": "wkbPoint", "LineString": "wkbLineString", "Polygon": "wkbPolygon"}


def _answer_cell(question: Question, answer: Answer | None) -> str | int | None:
    if answer is None:
        return None
    options = question.option_list
    if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        return "; ".join(options[i] for i in answer.choices)
    if question.kind == Question.Kind.RANKING:
        return " > ".join(options[i] for i in answer.choices)
    if question.kind == Question.Kind.SCALE:
        return answer.value
    if question.kind == Question.Kind.MAP:
        return f"{answer.geom.geom_type}: {answer.text}" if answer.text else answer.geom.geom_type
    return answer.text


def answers_xlsx(consultation: Consultation) -> bytes:
    """A workbook: sheet "Odpowiedzi" (one row a response, one column a question) and sheet
    "Pytania"."""
    questions = list(consultation.questions.order_by("position", "pk"))
    wb = Workbook()
    ws = wb.active
    ws.title = "Odpowiedzi"
    ws.append(["nr odpowiedzi", "wysłano", *[f"{q.position}. {q.text}" for q in questions]])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    answers: dict[tuple[int, int], Answer] = {
        (a.response_id, a.question_id): a for a in Answer.objects.filter(response__consultation=consultation)
    }
    for response in consultation.responses.order_by("submitted_at", "pk"):
        submitted = timezone.localtime(response.submitted_at).replace(tzinfo=None)
        ws.append(
            [response.pk, submitted, *[_answer_cell(q, answers.get((response.pk, q.pk))) for q in questions]]
        )
    sheet = wb.create_sheet("Pytania")
    sheet.append(["nr", "pytanie", "rodzaj", "odpowiedzi do wyboru"])
    for q in questions:
        sheet.append([q.position, q.text, q.get_kind_display(), "; ".join(q.option_list)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _map_answers(consultation: Consultation):
    return (
        Answer.objects.filter(response__consultation=consultation, question__kind=Question.Kind.MAP)
        .exclude(geom__isnull=True)
        .select_related("question", "response")
        .order_by("question__position", "pk")
    )


def map_answers_geojson(consultation: Consultation) -> bytes:
    """A GeoJSON FeatureCollection (EPSG:4326) of the map answers with question and comment."""
    features = []
    for a in _map_answers(consultation).annotate(gj=AsGeoJSON(Transform("geom", 4326), precision=7)):
        features.append(
            {
                "type": "Feature",
                "id": a.pk,
                "geometry": json.loads(a.gj),
                "properties": {
                    "response": a.response_id,
                    "question": a.question.position,
                    "question_text": a.question.text,
                    "comment": a.text,
                    "comment_approved": a.text_approved,
                },
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()


def map_answers_gpkg(consultation: Consultation) -> bytes:
    """A GeoPackage (EPSG:2180) with one layer a geometry kind: odpowiedzi_punkty, _linie,
    _wielokaty; fields response, question, question_text, comment, comment_approved."""
    from osgeo import ogr, osr

    ogr.UseExceptions()
    with tempfile.TemporaryDirectory(prefix="sip-geoankieta-") as tmp:
        path = Path(tmp) / "odpowiedzi.gpkg"
        ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(2180)
        layers = {}
        names = {
            "Point": "odpowiedzi_punkty",
            "LineString": "odpowiedzi_linie",
            "Polygon": "odpowiedzi_wielokaty",
        }
        for answer in _map_answers(consultation):
            kind = answer.geom.geom_type
            if kind not in layers:
                layer = ds.CreateLayer(names[kind], srs, getattr(ogr, _OGR_TYPES[kind]))
                layer.CreateField(ogr.FieldDefn("response", ogr.OFTInteger))
                layer.CreateField(ogr.FieldDefn("question", ogr.OFTInteger))
                layer.CreateField(ogr.FieldDefn("question_text", ogr.OFTString))
                layer.CreateField(ogr.FieldDefn("comment", ogr.OFTString))
                layer.CreateField(ogr.FieldDefn("comment_approved", ogr.OFTInteger))
                layers[kind] = layer
            layer = layers[kind]
            feature = ogr.Feature(layer.GetLayerDefn())
            feature.SetField("response", answer.response_id)
            feature.SetField("question", answer.question.position)
            feature.SetField("question_text", answer.question.text)
            feature.SetField("comment", answer.text)
            feature.SetField("comment_approved", int(answer.text_approved))
            feature.SetGeometry(ogr.CreateGeometryFromWkb(bytes(answer.geom.wkb)))
            layer.CreateFeature(feature)
        if not layers:
            layer = ds.CreateLayer("odpowiedzi_punkty", srs, ogr.wkbPoint)
            layer.CreateField(ogr.FieldDefn("response", ogr.OFTInteger))
        ds = None
        return path.read_bytes()
