"""APP GML import and export, zones from GeoPackage: every rejected feature with its reason."""

from __future__ import annotations

import io
import re
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
from tests.utils import pdf_text

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "app"
# Written by hand from the APP 2.0 schema, shaped as the Ministry's QGIS plugin writes and joins
# APP sets: wfs:FeatureCollection, identifier URIs in xlink:href, gmd:CI_Date dates.
APP1 = (SAMPLES / "mpzp_bozejowice_app2.gml").read_bytes()  # an MPZP and its amendment (EPSG:2180)
APP2 = (SAMPLES / "pog_boleslawiec_app2.gml").read_bytes()  # a plan ogólny, 4 zones, EPSG:2176
APP2_BROKEN = (SAMPLES / "pog_boleslawiec_app2_bledne_strefy.gml").read_bytes()
TITLE = "Miejscowy plan zagospodarowania przestrzennego wsi Bożejowice – teren zabudowy mieszkaniowej"
BASE_ID = "PL.ZIPPZP.9999/020102-MPZP/BOZ-2018/20180912T000000"
AMENDING_ID = "PL.ZIPPZP.9999/020102-MPZP/BOZ-2023/20230615T000000"
POG_ID = "PL.ZIPPZP.9999/020102-POG/POG-2025/20251215T000000"
BASE_GML_ID = "PL.ZIPPZP.9999_020102-MPZP_BOZ-2018_20180912T000000"


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
    # dziennikUrzedowy is a code-list reference: its title, not its URL.
    assert base.journal_entry == "Dziennik Urzędowy Woj. Dolnośląskiego"
    # The URI srsName means northing first: the stored easting starts at 254 800.
    assert base.boundary.extent == pytest.approx((254_800, 388_000, 255_400, 388_400))
    amendment = Amendment.objects.get(amended=base)
    assert amendment.amending.resolution_number == "LXI/512/2023" and amendment.kind == "change"


def test_app1_namespace_is_read_alike(rural):
    report = run(rural, APP1.replace(b"schemas/app/2.0", b"schemas/app/1.0"))
    assert report.rejected == [] and report.created == 2 and report.notes[0] == "Schemat APP 1.0."


def _file_polygons(data: bytes) -> dict[str, object]:
    """Oracle: each feature's surface as the file states it, read with plain XPath, the EPSG:2176
    northing-first pairs swapped and reprojected to EPSG:2180 by pyproj, as shapely geometries."""
    import numpy as np
    import shapely
    from lxml import etree
    from pyproj import Transformer
    from shapely.geometry import Polygon
    from shapely.ops import unary_union

    transformer = Transformer.from_crs(2176, 2180, always_xy=True)

    def to_2180(coords):
        return np.column_stack(transformer.transform(coords[:, 0], coords[:, 1]))

    ns = {"gml": app_gml.GML, "app": app_gml.APP_NS["2.0"]}
    out = {}
    for feature in etree.fromstring(data).xpath(
        "//app:AktPlanowaniaPrzestrzennego|//app:StrefaPlanistyczna", namespaces=ns
    ):
        name = feature.findtext("app:oznaczenie", namespaces=ns) or "zasięg"
        polygons = []
        for pos_list in feature.xpath(".//gml:exterior//gml:posList", namespaces=ns):
            values = [float(v) for v in pos_list.text.split()]
            polygons.append(Polygon(list(zip(values[1::2], values[0::2], strict=True))))
        out[name] = shapely.transform(unary_union(polygons), to_2180)
    return out


def test_plan_ogolny_in_pl2000_matches_the_file(rural):
    from shapely import wkb

    report = run(rural, APP2)
    assert report.rejected == [] and report.zones == 4 and report.created == 1, report
    pog = Plan.objects.get(app_id=POG_ID)
    assert (pog.kind, pog.status, pog.scale) == ("pog", "in_force", 5000)
    assert (pog.resolution_number, str(pog.resolution_date)) == ("XII/140/2025", "2025-12-15")
    expected = _file_polygons(APP2)
    stored = {z.symbol: wkb.loads(bytes(z.geom.wkb)) for z in pog.zones.all()}
    stored["zasięg"] = wkb.loads(bytes(pog.boundary.wkb))
    assert sorted(stored) == sorted(expected) == ["1SJ", "1SO", "1SR", "1SU", "zasięg"]
    for name, geom in expected.items():
        assert round(geom.symmetric_difference(stored[name]).area, 4) == 0.0, name
        assert geom.area > 10_000
    # The readable names come from the code list (RodzajStrefyPlanistycznejKod), never its URL.
    assert sorted(pog.zones.values_list("symbol", "purpose", "name")) == [
        ("1SJ", "SJ", "strefa wielofunkcyjna z zabudową mieszkaniową jednorodzinną"),
        ("1SO", "SO", "strefa otwarta"),
        ("1SR", "SR", "strefa produkcji rolniczej"),
        ("1SU", "SU", "strefa usługowa"),
    ]


def test_zone_name_from_the_local_code_list_without_xlink_title(rural):
    data = re.sub(rb'(<app:nazwa xlink:href="[^"]+") xlink:title="[^"]*"', rb"\1", APP2)
    assert b'xlink:title="strefa us' not in data
    run(rural, data)
    assert Plan.objects.get(app_id=POG_ID).zones.get(symbol="1SU").name == "strefa usługowa"


def test_broken_zones_are_named_and_refused(rural):
    report = run(rural, APP2_BROKEN)
    reasons = {r.feature.split("_")[-2].rsplit("-", 1)[-1]: r.reason for r in report.rejected}
    assert "Self-intersection" in reasons["1SU"] and "Nieprawidłowa geometria" in reasons["1SU"]
    assert "nakłada się na teren 1SJ" in reasons["1SR"]
    assert len(report.rejected) == 2 and report.zones == 2
    assert sorted(Plan.objects.get(app_id=POG_ID).zones.values_list("symbol", flat=True)) == ["1SJ", "1SO"]


def test_reimport_does_not_duplicate(rural):
    run(rural, APP2)
    again = run(rural, APP2)
    assert (again.created, again.updated, again.zones, again.rejected) == (0, 1, 4, [])
    assert Plan.objects.filter(gmina=rural, kind="pog").count() == 1
    assert Plan.objects.get(app_id=POG_ID).zones.count() == 4


def test_reimport_with_broken_zones_keeps_the_previous_version(rural, tmp_path):
    run(rural, APP2)
    pog = Plan.objects.get(app_id=POG_ID)
    before = {z.symbol: z.geom.wkt for z in pog.zones.all()}
    path = tmp_path / "bledne.gml"
    path.write_bytes(
        APP2_BROKEN.replace("gminy Bolesławiec</app:tytul>".encode(), "– nowa wersja</app:tytul>".encode())
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="Plik odrzucono w całości") as exc:
        call_command("import_app_gml", str(path), "--gmina", "020102_2", stdout=out)
    assert "Poprzednia wersja planu" in str(exc.value)
    assert "1SU" in out.getvalue() and "nakłada się na teren 1SJ" in out.getvalue()
    pog.refresh_from_db()
    assert pog.title == "Plan ogólny gminy Bolesławiec"
    assert {z.symbol: z.geom.wkt for z in pog.zones.all()} == before


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
        (("ProcessStepGeneralValue/legalForce", "ProcessStepGeneralValue/cosInnego", 1), "nieznany status"),
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
    first = [r for r in report.rejected if BASE_GML_ID in r.feature and "DokumentFormalny" not in r.feature]
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
    plans = list(Plan.objects.filter(app_id__in=[BASE_ID, AMENDING_ID, POG_ID]).order_by("resolution_date"))
    assert len(plans) == 3
    out = tmp_path / "plan.gml"
    call_command("export_app_gml", *sum((["--plan", p.app_id] for p in plans), []), "-o", str(out))
    parsed = app_gml.parse(out.read_bytes())
    assert parsed.rejections == []
    by_id = {a.app_id: a for a in parsed.acts}
    for plan in plans:
        act = by_id[plan.app_id]
        assert act.boundary.equals_exact(plan.boundary, 0.01)
        assert (act.resolution_number, act.resolution_date, act.resolution_date_kind, act.scale) == (
            plan.resolution_number,
            plan.resolution_date,
            "creation",
            plan.scale,
        )
    assert by_id[AMENDING_ID].amends == [(BASE_ID, "change")]
    assert sorted(z.symbol for z in parsed.zones) == ["1SJ", "1SO", "1SR", "1SU"]
    assert {z.name for z in parsed.zones} >= {"strefa usługowa", "strefa otwarta"}


def test_exported_zone_geometries_are_the_stored_ones(rural, tmp_path):
    """OGR (GDAL's GML reader, not SIP's parser) reads the export; every zone and plan boundary
    matches the stored geometry to 0.0001 m² of symmetric difference."""
    from shapely import wkb

    run(rural, APP2)
    pog = Plan.objects.get(app_id=POG_ID)
    out = tmp_path / "pog.gml"
    call_command("export_app_gml", "--plan", POG_ID, "-o", str(out))
    ogr.UseExceptions()
    ds = ogr.Open(str(out))
    found = {}
    for layer in ds:
        for feature in layer:
            geom = feature.GetGeometryRef()
            if geom is None:
                continue
            srs = geom.GetSpatialReference()
            assert srs is not None and srs.GetAuthorityCode(None) == "2180"
            geom = geom.Clone()
            # OGR reads urn/URI srsName in EPSG axis order (northing first); ask for easting first.
            srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
            target = osr.SpatialReference()
            target.ImportFromEPSG(2180)
            target.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
            geom.TransformTo(target)
            name = feature.GetField("oznaczenie") if layer.GetName() == "StrefaPlanistyczna" else "zasięg"
            found[(layer.GetName(), name)] = wkb.loads(bytes(geom.ExportToWkb()))
    stored = {("StrefaPlanistyczna", z.symbol): wkb.loads(bytes(z.geom.wkb)) for z in pog.zones.all()}
    stored[("AktPlanowaniaPrzestrzennego", "zasięg")] = wkb.loads(bytes(pog.boundary.wkb))
    assert set(stored) <= set(found), (sorted(found), sorted(stored))
    for key, geom in stored.items():
        assert round(geom.symmetric_difference(found[key]).area, 4) == 0.0, key
        assert found[key].area == pytest.approx(geom.area, abs=1e-3)


def test_command_reports_each_rejection(rural, tmp_path):
    path = tmp_path / "x.gml"
    path.write_bytes(
        APP1.replace(b"ProcessStepGeneralValue/legalForce", b"ProcessStepGeneralValue/cosInnego")
    )
    out = io.StringIO()
    # Nothing stored: the command fails (non-zero exit), after listing every rejection.
    with pytest.raises(CommandError, match="nie zapisano żadnego aktu"):
        call_command("import_app_gml", str(path), "--gmina", "020102_2", stdout=out)
    text = out.getvalue()
    assert f"odrzucono AktPlanowaniaPrzestrzennego {BASE_GML_ID}: nieznany status" in text
    with pytest.raises(CommandError, match="Nie ma w systemie gminy"):
        call_command("import_app_gml", str(path), "--gmina", "029999_2")


def test_wypis_from_a_plan_ogolny(rural, client, tmp_path):
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
    text = " ".join(pdf_text(pdf).split())
    assert "WYPIS I WYRYS Z PLANU OGÓLNEGO GMINY" in text and "WYRYS Z PLANU OGÓLNEGO GMINY" in text
    assert "Plan ogólny gminy Bolesławiec" in text and "skala 1:5000" in text
    assert "strefa" in text and "Gminne standardy urbanistyczne" in text


def _schema():
    from planning import app_schema

    try:
        return app_schema.app2_schema() and app_schema
    except app_schema.SchemaUnavailable as exc:
        pytest.skip(f"no local copy of the APP 2.0 schemas: {exc}")


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.gml")))
def test_fixtures_are_valid_against_the_app_schema(name):
    app_schema = _schema()
    assert app_schema.validate_app2((SAMPLES / name).read_bytes()) == []


def test_the_schema_refuses_a_plain_date_and_text_code_lists():
    app_schema = _schema()
    plain = re.sub(
        rb"<app:data>.*?</app:data>", b"<app:data>2025-12-15</app:data>", APP2, count=1, flags=re.DOTALL
    )
    errors = app_schema.validate_app2(plain)
    assert errors and "data" in errors[0]


def test_export_is_valid_against_the_app_schema(rural, tmp_path):
    app_schema = _schema()
    run(rural, APP1)
    run(rural, APP2)
    out = tmp_path / "plans.gml"
    call_command("export_app_gml", "--plan", BASE_ID, "--plan", AMENDING_ID, "--plan", POG_ID, "-o", str(out))
    assert app_schema.validate_app2(out.read_bytes()) == []


def test_amendment_of_a_plan_already_in_sip_by_uri_without_version(rural):
    """The amending act alone, naming the amended plan by its URI without wersjaId."""
    from lxml import etree

    run(rural, APP1)
    Amendment.objects.all().delete()
    root = etree.fromstring(APP1)
    wfs = "{http://www.opengis.net/wfs/2.0}member"
    for member in root.findall(wfs):
        if b"BOZ-2018" in etree.tostring(member) and b"zmienia" not in etree.tostring(member):
            root.remove(member)
    data = etree.tostring(root).replace(
        b"AktPlanowaniaPrzestrzennego/PL.ZIPPZP.9999/020102-MPZP/BOZ-2018/20180912T000000",
        b"AktPlanowaniaPrzestrzennego/PL.ZIPPZP.9999/020102-MPZP/BOZ-2018",
    )
    report = run(rural, data)
    assert report.rejected == [] and report.updated == 1
    assert Amendment.objects.get().amended.app_id == BASE_ID


@pytest.mark.parametrize(
    ("date_xml", "outcome"),
    [
        ('codeListValue="publication">publikacja', "note"),
        ('codeListValue="revision">przegląd', "note"),
        ("<gco:Date>2025-12-15</gco:Date>", "<gco:Date></gco:Date>"),
    ],
)
def test_document_date_kinds(rural, date_xml, outcome):
    text = APP2.decode()
    if outcome == "note":
        data = text.replace('codeListValue="creation">utworzenie', date_xml).encode()
        report = run(rural, data)
        assert report.rejected == [] and report.zones == 4
        assert any("data dokumentu formalnego ma typ" in n for n in report.notes), report.notes
        assert str(Plan.objects.get(app_id=POG_ID).resolution_date) == "2025-12-15"
    else:
        report = run(rural, text.replace(date_xml, outcome).encode())
        reasons = " ".join(r.reason for r in report.rejected)
        assert "nieprawidłowa data" in reasons or "bez wartości gco:Date" in reasons
        assert "brak dokumentu formalnego: data uchwały" in reasons


def test_zones_replace_with_broken_rows_keeps_the_earlier_zones(rural, tmp_path):
    run(rural, APP1)
    base = Plan.objects.get(app_id=BASE_ID)
    report = import_zones(
        actor=system_actor(), plan=base, path=SAMPLES / "tereny_bozejowice.gpkg", symbol_field="symbol"
    )
    assert report.zones == 4
    x, y = 254_800, 388_000
    path = _gpkg(
        tmp_path / "z.gpkg",
        [
            ("1MN", f"POLYGON(({x} {y},{x + 100} {y},{x + 100} {y + 100},{x} {y + 100},{x} {y}))"),
            (
                "2MN",
                f"POLYGON(({x} {y + 300},{x + 50} {y + 350},{x + 50} {y + 300},{x} {y + 350},{x} {y + 300}))",
            ),
        ],
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="Plik odrzucono w całości"):
        call_command(
            "import_zones", str(path), "--plan", BASE_ID, "--symbol-field", "SYMBOL", "--replace", stdout=out
        )
    assert base.zones.count() == 4


def test_reimport_with_a_zone_without_its_symbol_keeps_the_previous_version(rural):
    """A zone refused before its geometry is read still counts against its plan."""
    run(rural, APP2)
    data = APP2.replace(b"<app:oznaczenie>1SO</app:oznaczenie>", b"<app:oznaczenie></app:oznaczenie>")
    data = data.replace(b"<app:symbol>SO</app:symbol>", b"<app:symbol></app:symbol>")
    report = run(rural, data)
    assert report.refused and "liczba błędnych stref w pliku: 1" in report.refused
    assert any("brak oznaczenia strefy" in r.reason for r in report.rejected)
    assert Plan.objects.get(app_id=POG_ID).zones.count() == 4


@pytest.mark.parametrize("scale", ["²", "9" * 5000])
def test_a_scale_that_is_not_a_plain_number_is_left_out(rural, scale):
    # "²".isdigit() is True but int("²") fails, as does int() of 5,000 digits.
    data = re.sub(
        rb"<app:rozdzielczoscPrzestrzenna>\d+</app:rozdzielczoscPrzestrzenna>",
        f"<app:rozdzielczoscPrzestrzenna>{scale}</app:rozdzielczoscPrzestrzenna>".encode(),
        APP1,
    )
    parsed = app_gml.parse(data)
    assert parsed.rejections == [] and [act.scale for act in parsed.acts] == [None, None]
    report = run(rural, data)
    assert report.rejected == [] and report.created == 2


@pytest.mark.parametrize("command", ["export_app_gml", "import_zones"])
@pytest.mark.parametrize("ref", ["²", "9" * 5000])
def test_commands_name_a_plan_that_is_not_a_plain_number_unknown(rural, tmp_path, command, ref):
    args = ["--plan", ref, "-o", str(tmp_path / "out.gml")] if command == "export_app_gml" else []
    if command == "import_zones":
        args = [str(tmp_path / "zones.gpkg"), "--plan", ref, "--symbol-field", "SYMBOL"]
    with pytest.raises(CommandError, match="Nie ma planu"):
        call_command(command, *args)
