"""Exports of a consultation (staff of its gmina only) read back with openpyxl and GDAL, counts
equal to the database; no personal data in any public output, the layer or the WFS."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from participation.models import Answer, Consultation, Response

from .consult_fixtures import full_answers, make_consultation, responses_url

pytestmark = pytest.mark.django_db


def _answered(client, c, gmina, n=3):
    for i in range(n):
        resp = client.post(
            responses_url(c),
            {"answers": full_answers(c, gmina, text=f"Uwaga {i}", comment=f"Komentarz {i}")},
            content_type="application/json",
        )
        assert resp.status_code == 201
    client.logout()


def test_xlsx_has_one_row_per_response(client, gmina, editor):
    c = make_consultation(gmina)
    _answered(client, c, gmina)
    client.force_login(editor)
    resp = client.get(f"/konsultacje/{c.pk}/eksport.xlsx")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.content))
    rows = list(wb["Odpowiedzi"].iter_rows(values_only=True))
    assert len(rows) - 1 == Response.objects.filter(consultation=c).count() == 3
    header = rows[0]
    assert header[2].startswith("1. Jak często") and len(header) == 2 + c.questions.count()
    first = rows[1]
    assert first[2] == "codziennie" and first[3] == "ławek; oświetlenia" and first[4] == 4
    assert first[6] == "parking > zieleń > plac zabaw"
    assert len(list(wb["Pytania"].iter_rows())) == 1 + c.questions.count()


def test_geopackage_and_geojson_read_back_with_gdal(client, gmina, editor, tmp_path):
    from osgeo import ogr

    c = make_consultation(gmina)
    _answered(client, c, gmina, n=4)
    client.force_login(editor)
    resp = client.get(f"/konsultacje/{c.pk}/eksport.gpkg")
    assert resp.status_code == 200
    path = tmp_path / "mapa.gpkg"
    path.write_bytes(resp.content)
    ds = ogr.Open(str(path))
    counts = {ds.GetLayer(i).GetName(): ds.GetLayer(i).GetFeatureCount() for i in range(ds.GetLayerCount())}
    in_db = Answer.objects.filter(response__consultation=c, geom__isnull=False)
    assert counts == {
        "odpowiedzi_punkty": in_db.filter(question__geometry="point").count(),
        "odpowiedzi_linie": in_db.filter(question__geometry="line").count(),
    }
    assert counts["odpowiedzi_punkty"] == 4
    layer = ds.GetLayerByName("odpowiedzi_punkty")
    assert layer.GetSpatialRef().GetAuthorityCode(None) == "2180"
    feature = layer.GetNextFeature()
    stored = in_db.get(pk=in_db.filter(question__geometry="point").order_by("pk").first().pk).geom
    geom = feature.GetGeometryRef()
    assert abs(geom.GetX() - stored.x) < 0.01 and abs(geom.GetY() - stored.y) < 0.01
    assert feature.GetField("comment") == "Komentarz 0"
    ds = None

    resp = client.get(f"/konsultacje/{c.pk}/eksport.geojson")
    body = json.loads(resp.content)
    assert len(body["features"]) == in_db.count() == 8
    assert client.get(f"/konsultacje/{c.pk}/eksport.exe").status_code == 404


def test_exports_are_for_staff_of_the_consultations_gmina_only(client, gmina, other_editor, viewer):
    c = make_consultation(gmina)
    _answered(client, c, gmina, n=1)
    for fmt in ("xlsx", "gpkg", "geojson"):
        assert client.get(f"/konsultacje/{c.pk}/eksport.{fmt}").status_code == 302  # to the login
    client.force_login(other_editor)
    for fmt in ("xlsx", "gpkg", "geojson"):
        assert client.get(f"/konsultacje/{c.pk}/eksport.{fmt}").status_code == 403
    client.force_login(viewer)
    assert client.get(f"/konsultacje/{c.pk}/eksport.xlsx").status_code == 200


def test_admin_lists_only_the_staffs_gmina(client, gmina, other_gmina, editor, other_editor):
    mine = make_consultation(gmina, title="Konsultacja gminy A")
    theirs = make_consultation(other_gmina, title="Konsultacja gminy B")
    client.force_login(other_editor)
    listing = client.get("/admin/participation/consultation/").content.decode()
    assert "Konsultacja gminy B" in listing and "Konsultacja gminy A" not in listing
    assert client.get(f"/admin/participation/consultation/{mine.pk}/change/").status_code == 403
    client.force_login(editor)
    assert client.get(f"/admin/participation/consultation/{mine.pk}/change/").status_code == 200
    assert client.get(f"/admin/participation/consultation/{theirs.pk}/change/").status_code == 403


def test_attachments_must_be_pdfs(gmina):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from participation.models import Attachment

    c = make_consultation(gmina)
    fake = Attachment(consultation=c, title="Koncepcja", file=SimpleUploadedFile("koncepcja.pdf", b"<html>"))
    with pytest.raises(ValidationError, match="nie jest dokumentem PDF"):
        fake.full_clean()
    named = Attachment(consultation=c, title="Koncepcja", file=SimpleUploadedFile("k.html", b"%PDF-1.4"))
    with pytest.raises(ValidationError, match="rozszerzenie"):
        named.full_clean()
    good = Attachment(consultation=c, title="Koncepcja", file=SimpleUploadedFile("k.pdf", b"%PDF-1.4\n%%EOF"))
    good.full_clean()


def test_no_personal_data_or_unapproved_text_in_public_outputs(client, gmina):
    c = make_consultation(gmina, audience="verified")
    from django.core import mail

    email = "anna.sekretna@example.org"
    client.post(
        f"/api/participation/consultations/{c.pk}/codes/", {"email": email}, content_type="application/json"
    )
    code = mail.outbox[-1].body.split(": ")[1][:6]
    secret_text = "Mieszkam przy Sekretnej 7"
    resp = client.post(
        responses_url(c),
        {
            "answers": full_answers(c, gmina, text=secret_text, comment=secret_text),
            "email": email,
            "code": code,
        },
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    Consultation.objects.filter(pk=c.pk).update(opens_on="2020-01-01", closes_on="2020-01-31")
    outputs = [
        client.get("/api/participation/consultations/", {"state": "all"}).content,
        client.get(f"/api/participation/consultations/{c.pk}/").content,
        client.get(f"/api/participation/consultations/{c.pk}/results/").content,
        client.get(f"/konsultacje/{c.pk}/wyniki/").content,
        client.get(f"/konsultacje/{c.pk}/").content,
        client.get("/konsultacje/").content,
    ]
    wfs = client.get(
        "/ows/wfs",
        {
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": "konsultacje",
            "OUTPUTFORMAT": "application/json",
        },
    )
    assert wfs.status_code == 200, wfs.content[:300]
    body = b"".join(wfs.streaming_content) if wfs.streaming else wfs.content
    assert "Ławki w parku" in body.decode()
    outputs.append(body)
    for output in outputs:
        text = output.decode()
        assert email not in text and secret_text not in text and "respondent_key" not in text
        assert Response.objects.get(consultation=c).respondent_key not in text
