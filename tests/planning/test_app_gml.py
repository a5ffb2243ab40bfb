"""APP GML import and export, zones from GeoPackage: every rejected feature with its reason."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from osgeo import ogr, osr

from planning import app_gml
from planning.imports import ImportFileError, import_app_gml, import_zones
from planning.models import Amendment, Plan
from sip.models import Gmina
from sip.services import system_actor

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "app"
APP1 = (SAMPLES / "mpzp_bozejowice_app1.gml").read_bytes()
APP2 = (SAMPLES / "pog_boleslawiec_app2.gml").read_bytes()
TITLE = "Miejscowy plan zagospodarowania przestrzennego wsi Bożejowice – teren zabudowy mieszkaniowej"
BASE_ID = "PL.ZIPPZP.9999/020102-MPZP/BOZ-2018/20180912T000000"


@pytest.fixture
def rural(demo_data):
    return Gmina.objects.get(teryt="020102_2")


def run(gmina, data: bytes, dry_run=False):
    return import_app_gml(actor=system_actor(), gmina=gmina, data=data, dry_run=dry_run)


def test_app1_plan_and_amendment(rural):
    report = run(rural, APP1)
    assert report.rejected == [] and report.created == 2
    base = Plan.objects.get(app_id=BASE_ID)
    assert base.kind == "mpzp" and base.status == "in_force" and base.scale == 1000
    assert (base.resolution_number, str(base.resolution_date)) == ("XLV/388/2018", "2018-09-12")
    assert base.journal_entry == "Dz. Urz. Woj. Dolnośląskiego z 2018 r. poz. 4512"
    # The URI srsName means northing first: the stored easting starts at 254 800.
    assert base.boundary.extent == pytest.approx((254_800, 388_000, 255_400, 388_400))
    amendment = Amendment.objects.get(amended=base)
    assert amendment.amending.resolution_number == "LXI/512/2023" and amendment.kind == "change"


def test_app2_plan_ogolny_with_planning_zones(rural):
    report = run(rural, APP2)
    assert report.rejected == [] and report.zones == 3
    pog = Plan.objects.get(app_id="PL.ZIPPZP.9999/020102-POG/POG-2025/20251215T000000")
    assert pog.kind == "pog" and pog.scale == 5000
    # The short srsName EPSG:2180 is read easting first.
    assert pog.boundary.extent == pytest.approx((255_600, 390_000, 256_600, 390_800))
    assert sorted(pog.zones.values_list("symbol", "purpose")) == [("1SJ", "SJ"), ("1SL", "SL"), ("1SR", "SR")]


def test_dry_run_keeps_nothing_and_reimport_updates(rural):
    assert run(rural, APP1, dry_run=True).created == 2
    assert not Plan.objects.filter(app_id=BASE_ID).exists()
    run(rural, APP1)
    again = run(rural, APP1)
    assert (again.created, again.updated) == (0, 2)


def test_zones_from_geopackage_then_a_wypis(rural, client, tmp_path):
    from django.contrib.auth.models import User

    run(rural, APP1)
    base = Plan.objects.get(app_id=BASE_ID)
    report = import_zones(
        actor=system_actor(),
        plan=base,
        path=SAMPLES / "tereny_bozejowice.gpkg",
        symbol_field="symbol",
        provisions_field="USTALENIA",
        name_field="PRZEZN",
    )
    assert report.rejected == [] and report.zones == 4
    assert "Maksymalna wysokość zabudowy: 9 m" in base.zones.get(symbol="1MN").provisions
    # A parcel of the demo data inside the plan: its zoning names the imported zones.
    from sip.models import Parcel

    amended_area = Plan.objects.get(resolution_number="LXI/512/2023").boundary
    parcel = (
        Parcel.objects.filter(geom__intersects=base.boundary.buffer(-50))
        .exclude(geom__intersects=amended_area)
        .order_by("identifier")
        .first()
    )
    assert parcel is not None
    body = client.get(f"/api/planning/parcels/{parcel.identifier}/zoning/").json()
    symbols = {z["symbol"] for p in body["plans"] for z in p["zones"]}
    assert symbols & {"1MN", "2MN", "1KDD", "1R"}
    # APP carries no provisions text: the editor adds the general provisions before extracts.
    base.general_provisions = "§ 1. Ustalenia ogólne planu wsi Bożejowice."
    base.save()
    client.force_login(User.objects.get(username="planista-gmina-boleslawiec"))
    resp = client.post(
        "/api/planning/extracts/",
        {"parcels": [parcel.identifier], "kind": "wypis"},
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content


def _gpkg(path: Path, rows) -> Path:
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(2180)
    layer = ds.CreateLayer("tereny", srs, ogr.wkbPolygon)
    layer.CreateField(ogr.FieldDefn("SYMBOL", ogr.OFTString))
    for symbol, wkt in rows:
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetField("SYMBOL", symbol)
        feature.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        layer.CreateFeature(feature)
    ds = None
    return path


def test_zone_rejections(rural, tmp_path):
    run(rural, APP1)
    base = Plan.objects.get(app_id=BASE_ID)
    x, y = 254_800, 388_000

    def sq(x0, y0, s):
        return f"POLYGON(({x0} {y0},{x0 + s} {y0},{x0 + s} {y0 + s},{x0} {y0 + s},{x0} {y0}))"

    path = _gpkg(
        tmp_path / "z.gpkg",
        [
            ("1MN", sq(x, y, 100)),
            ("2MN", sq(x + 50, y + 50, 100)),  # overlaps 1MN
            ("1MN", sq(x + 300, y, 50)),  # repeated symbol
            ("MN?", sq(x + 400, y, 50)),  # invalid symbol
            ("1U", sq(x + 550, y + 350, 100)),  # outside the plan
            (
                "2U",
                f"POLYGON(({x} {y + 300},{x + 50} {y + 350},{x + 50} {y + 300},{x} {y + 350},{x} {y + 300}))",
            ),
        ],
    )
    report = import_zones(actor=system_actor(), plan=base, path=path, symbol_field="SYMBOL")
    reasons = {r.feature.split(" (")[0]: r.reason for r in report.rejected}
    assert report.zones == 1
    assert "nakłada się na teren 1MN" in reasons["obiekt 2"]
    assert "powtarza się" in reasons["obiekt 3"]
    assert "Nieprawidłowy symbol terenu" in reasons["obiekt 4"]
    assert "wykracza poza granicę planu" in reasons["obiekt 5"]
    assert "Nieprawidłowa geometria" in reasons["obiekt 6"]
    with pytest.raises(ImportFileError, match="Pola w pliku: SYMBOL"):
        import_zones(actor=system_actor(), plan=base, path=path, symbol_field="OZNACZENIE")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (("254800.00 388000.00", "254800.00 388000.00", 1), None),  # unchanged: accepted
        (('srsName="http://www.opengis.net/def/crs/EPSG/0/2180"', 'srsName="EPSG:31467"', 1), "EPSG:31467"),
        (('srsName="http://www.opengis.net/def/crs/EPSG/0/2180"', "", 1), "bez układu współrzędnych"),
        ((f"<app:tytul>{TITLE}</app:tytul>", "<app:tytul></app:tytul>", 1), "brak tytułu"),
        (("prawnieWiazacy", "cosInnego", 1), "nieznany status"),
        (
            ("388000.00 255400.00 388400.00 255400.00", "388400.00 255400.00 388000.00 255400.00", 1),
            "Nieprawidłowa",
        ),
        (("388000.00 254800.00", "488000.00 354800.00", 2), "poza gminę"),
    ],
)
def test_act_rejections(rural, change, reason):
    old, new, count = change
    text = APP1.decode()
    assert old in text, old
    data = text.replace(old, new, count).encode()
    report = run(rural, data)
    first = [
        r for r in report.rejected if "MPZP-BOZ-2018" in r.feature and "DokumentFormalny" not in r.feature
    ]
    if reason is None:
        assert report.rejected == []
    else:
        assert first and reason in first[0].reason, report.rejected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<gml:FeatureCollection", "poprawny dokument XML"),
        (b"<root xmlns='urn:x'><a/></root>", "przestrzeni nazw APP"),
    ],
)
def test_unreadable_files(rural, data, message):
    with pytest.raises(ImportFileError, match=message):
        run(rural, data)


def test_entities_are_not_resolved(rural):
    evil = (
        APP1.decode()
        .replace(
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>',
        )
        .replace("teren zabudowy mieszkaniowej</app:tytul>", "&secret;</app:tytul>")
    )
    run(rural, evil.encode())
    plan = Plan.objects.get(app_id=BASE_ID)
    assert "root:" not in plan.title


def test_export_round_trip(rural, tmp_path):
    run(rural, APP1)
    run(rural, APP2)
    ids = [BASE_ID, "PL.ZIPPZP.9999/020102-MPZP/BOZ-2023/20230615T000000"]
    ids.append("PL.ZIPPZP.9999/020102-POG/POG-2025/20251215T000000")
    plans = list(Plan.objects.filter(app_id__in=ids).order_by("resolution_date"))
    assert len(plans) == 3
    out = tmp_path / "plan.gml"
    call_command("export_app_gml", *sum((["--plan", p.app_id] for p in plans), []), "-o", str(out))
    parsed = app_gml.parse(out.read_bytes())
    assert parsed.rejections == []
    by_id = {a.app_id: a for a in parsed.acts}
    for plan in plans:
        act = by_id[plan.app_id]
        assert act.boundary.equals_exact(plan.boundary, 0.01)
        assert (act.resolution_number, act.resolution_date, act.scale) == (
            plan.resolution_number,
            plan.resolution_date,
            plan.scale,
        )
    amending = by_id["PL.ZIPPZP.9999/020102-MPZP/BOZ-2023/20230615T000000"]
    assert amending.amends == [(BASE_ID, "change")]
    assert sorted(z.symbol for z in parsed.zones) == ["1SJ", "1SL", "1SR"]


def test_command_reports_each_rejection(rural, tmp_path):
    path = tmp_path / "x.gml"
    path.write_bytes(APP1.replace(b"prawnieWiazacy", b"cosInnego"))
    out = io.StringIO()
    call_command("import_app_gml", str(path), "--gmina", "020102_2", stdout=out)
    text = out.getvalue()
    assert "odrzucono AktPlanowaniaPrzestrzennego MPZP-BOZ-2018: nieznany status" in text
    with pytest.raises(CommandError, match="Nie ma w systemie gminy"):
        call_command("import_app_gml", str(path), "--gmina", "029999_2")


def test_wypis_from_a_plan_ogolny(rural, client, tmp_path):
    import subprocess

    from django.contrib.auth.models import User

    from sip.models import Parcel

    run(rural, APP2)
    pog = Plan.objects.get(kind="pog", gmina=rural)
    pog.general_provisions = "§ 1. Plan ogólny określa strefy planistyczne i gminne standardy urbanistyczne."
    pog.save()
    pog.zones.update(provisions="Gminne standardy urbanistyczne: maksymalna wysokość zabudowy 12 m.")
    parcel = Parcel.objects.filter(geom__within=pog.boundary).order_by("identifier").first()
    assert parcel is not None
    client.force_login(User.objects.get(username="planista-gmina-boleslawiec"))
    body = client.post(
        "/api/planning/extracts/",
        {"parcels": [parcel.identifier], "kind": "both"},
        content_type="application/json",
    ).json()
    pdf = tmp_path / "pog.pdf"
    pdf.write_bytes(b"".join(client.get(body["pdf_url"]).streaming_content))
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True).stdout.decode().split())
    assert "WYPIS I WYRYS Z PLANU OGÓLNEGO GMINY" in text and "WYRYS Z PLANU OGÓLNEGO GMINY" in text
    assert "Plan ogólny gminy Bolesławiec" in text and "skala 1:5000" in text
    assert "strefa" in text and "Gminne standardy urbanistyczne" in text
