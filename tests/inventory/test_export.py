"""Round trip: import -> export (XLSX, CSV, GPKG, SHP) -> import gives the same data; PDF."""

import pytest

from inventory.exporting import export
from inventory.models import Lamp, LightingLine, SmallArchitecture, Tree
from inventory.registers import get_register
from tests.utils import pdf_text

from .conftest import SAMPLES, rejected_rows, run_import

pytestmark = pytest.mark.django_db


def snapshot(register, gmina) -> dict:
    """{office number: (attribute values, rounded coordinates)} of a gmina's register."""
    out = {}
    names = [register.model_field(a.name).attname for a in register.all_attrs]
    for obj in register.model.objects.filter(gmina=gmina):
        coords = obj.geom.coords
        coords = (
            tuple(round(c, 2) for c in coords)
            if register.geometry == "Point"
            else tuple(tuple(round(c, 2) for c in p) for p in coords)
        )
        out[obj.external_id] = (tuple(getattr(obj, n) for n in names if n != "line_id"), coords)
    return out


def load_samples():
    run_import(
        "trees", str(SAMPLES / "drzewa_osiecznica.xlsx"), "--gmina", "020105_2", "--errors", "/dev/null"
    )
    run_import(
        "small-architecture",
        str(SAMPLES / "mala_architektura_osiecznica.xlsx"),
        "--gmina",
        "020105_2",
        "--errors",
        "/dev/null",
    )
    run_import("lighting-lines", str(SAMPLES / "linie_oswietlenia_osiecznica.geojson"), "--gmina", "020105_2")
    run_import(
        "lamps", str(SAMPLES / "latarnie_osiecznica.xlsx"), "--gmina", "020105_2", "--errors", "/dev/null"
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "gpkg", "shp"])
@pytest.mark.parametrize("slug", ["trees", "small-architecture", "lighting-lines"])
def test_import_export_import_gives_equal_data(osiecznica, tmp_path, fmt, slug):
    load_samples()
    register = get_register(slug)
    before = snapshot(register, osiecznica)
    assert len(before) >= 3
    path = export(register, register.queryset().filter(gmina=osiecznica), fmt, tmp_path)
    register.model.objects.filter(gmina=osiecznica).delete()
    out = run_import(slug, str(path), "--gmina", "020105_2")
    assert rejected_rows(out) == {}, out
    assert snapshot(register, osiecznica) == before


def test_lamps_round_trip_keeps_them_on_their_lines(osiecznica, tmp_path):
    load_samples()
    register = get_register("lamps")
    before = snapshot(register, osiecznica)
    lines = dict(Lamp.objects.filter(gmina=osiecznica).values_list("external_id", "line__external_id"))
    path = export(register, register.queryset().filter(gmina=osiecznica), "xlsx", tmp_path)
    Lamp.objects.filter(gmina=osiecznica).delete()
    out = run_import("lamps", str(path), "--gmina", "020105_2")
    assert "zaimportowano: 15" in out
    assert snapshot(register, osiecznica) == before
    assert (
        dict(Lamp.objects.filter(gmina=osiecznica).values_list("external_id", "line__external_id")) == lines
    )
    assert LightingLine.objects.filter(gmina=osiecznica).count() == 3


def test_printable_register(osiecznica, tmp_path):
    load_samples()
    register = get_register("trees")
    path = export(
        register, register.queryset().filter(gmina=osiecznica), "pdf", tmp_path, title="Drzewa – Osiecznica"
    )
    assert path.read_bytes()[:5] == b"%PDF-"
    text = pdf_text(path, layout=True)
    assert "Drzewa – Osiecznica" in text and "Liczba pozycji: 6" in text
    assert "lipa drobnolistna" in text and "P-01" in text and "pomnik przyrody" in text
    assert Tree.objects.filter(gmina=osiecznica).count() == 6
    assert SmallArchitecture.objects.filter(gmina=osiecznica).count() == 4
