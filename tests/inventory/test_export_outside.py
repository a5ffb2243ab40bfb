"""Register exports read by outside tools, not by SIP's own importer (which accepts either axis
order): OGR opens each file, pyproj takes its coordinates to WGS 84, and every exported geometry
must equal the stored one (and land where PostGIS puts the stored one), so an export with X and
Y swapped, a wrong or missing CRS, or a shifted geometry fails."""

from __future__ import annotations

import csv
import zipfile

import pytest
from django.contrib.gis.db.models.functions import Transform
from osgeo import gdal, ogr
from pyproj import CRS, Transformer

from inventory.exporting import export
from inventory.registers import get_register

from .test_export import load_samples

pytestmark = pytest.mark.django_db
ogr.UseExceptions()
gdal.UseExceptions()

TO_WGS84_FROM_PL1992 = Transformer.from_crs(2180, 4326, always_xy=True)


def stored(register, gmina) -> dict[str, tuple[list[tuple[float, float]], list[tuple[float, float]]]]:
    """{office number: (stored EPSG:2180 vertices, the same in WGS 84 as PostGIS computes it)}."""
    out = {}
    qs = register.model.objects.filter(gmina=gmina).annotate(wgs84=Transform("geom", 4326))
    for obj in qs:
        out[obj.external_id] = (_vertices(obj.geom.coords), _vertices(obj.wgs84.coords))
    assert len(out) >= 3
    return out


def _vertices(coords) -> list[tuple[float, float]]:
    if isinstance(coords[0], (int, float)):
        coords = [coords]
    return [(float(c[0]), float(c[1])) for c in coords]


def _ogr_vertices(geometry) -> list[tuple[float, float]]:
    return [geometry.GetPoint_2D(i) for i in range(geometry.GetPointCount())] or [
        (geometry.GetX(), geometry.GetY())
    ]


def check(found: dict, expected: dict, to_wgs84: Transformer, *, tolerance_m: float) -> None:
    """Same items; each exported geometry equals the stored one and, taken to WGS 84 through
    the file's own CRS, lands on the stored geometry (within 1e-7 degrees, about 1 cm)."""
    assert found.keys() == expected.keys()
    for key, vertices in found.items():
        stored_xy, stored_wgs84 = expected[key]
        assert len(vertices) == len(stored_xy), key
        for (x, y), (sx, sy) in zip(vertices, stored_xy, strict=True):
            assert abs(x - sx) <= tolerance_m and abs(y - sy) <= tolerance_m, (key, (x, y), (sx, sy))
        for (x, y), (lon, lat) in zip(vertices, stored_wgs84, strict=True):
            got = to_wgs84.transform(x, y)
            assert got == pytest.approx((lon, lat), abs=1e-7), (key, got, (lon, lat))


def _read_ogr(path) -> tuple[dict, Transformer]:
    ds = gdal.OpenEx(str(path), gdal.OF_VECTOR)
    layer = ds.GetLayer(0)
    srs = layer.GetSpatialRef()
    assert srs is not None, "the file declares no CRS"
    srs.AutoIdentifyEPSG()
    assert srs.GetAuthorityCode(None) == "2180"
    # The file's own CRS definition, as any GIS would read it, in x = easting order.
    to_wgs84 = Transformer.from_crs(CRS.from_wkt(srs.ExportToWkt()), 4326, always_xy=True)
    id_field = next(
        layer.GetLayerDefn().GetFieldDefn(i).GetName()
        for i in range(layer.GetLayerDefn().GetFieldCount())
        if layer.GetLayerDefn().GetFieldDefn(i).GetName() in ("external_id", "nr_rej", "numer")
    )
    found = {f.GetField(id_field): _ogr_vertices(f.GetGeometryRef()) for f in layer}
    return found, to_wgs84


def _id_column(register) -> str:
    return register.label("external_id")


@pytest.mark.parametrize("slug", ["trees", "small-architecture", "lighting-lines"])
def test_gis_exports_have_the_stored_geometries_in_pl1992(osiecznica, tmp_path, slug):
    load_samples()
    register = get_register(slug)
    expected = stored(register, osiecznica)
    qs = register.queryset().filter(gmina=osiecznica)
    gpkg = export(register, qs, "gpkg", tmp_path)
    found, to_wgs84 = _read_ogr(gpkg)
    check(found, expected, to_wgs84, tolerance_m=1e-6)

    shp_zip = export(register, qs, "shp", tmp_path)
    folder = tmp_path / "shp"
    zipfile.ZipFile(shp_zip).extractall(folder)
    assert (folder / f"{register.slug}.prj").exists(), "a Shapefile without .prj has no CRS"
    found, to_wgs84 = _read_ogr(next(folder.glob("*.shp")))
    check(found, expected, to_wgs84, tolerance_m=1e-6)


@pytest.mark.parametrize("slug", ["trees", "small-architecture", "lighting-lines"])
def test_spreadsheets_give_easting_and_northing_of_the_stored_geometry(osiecznica, tmp_path, slug):
    load_samples()
    register = get_register(slug)
    expected = stored(register, osiecznica)
    qs = register.queryset().filter(gmina=osiecznica)
    point = register.geometry == "Point"
    # The columns say EPSG:2180 with X first: X is the easting (as PL-1992 surveyors write it
    # the other way round, a reader must find the order in the header, and it says X, Y).
    pl1992 = Transformer.from_crs(2180, 4326, always_xy=True)

    def vertices(x, y, wkt):
        if point:
            return [(float(x), float(y))]
        return _ogr_vertices(ogr.CreateGeometryFromWkt(wkt))

    # XLSX through OGR's XLSX driver (numbers as numbers).
    xlsx = export(register, qs, "xlsx", tmp_path)
    gdal.SetConfigOption("OGR_XLSX_HEADERS", "FORCE")  # read lazily: kept until the rows are read
    try:
        ds = gdal.OpenEx(str(xlsx), gdal.OF_VECTOR)
        layer = ds.GetLayer(0)  # (the dataset must outlive its layer)
        definition = layer.GetLayerDefn()
        names = [definition.GetFieldDefn(i).GetName() for i in range(definition.GetFieldCount())]
        found = {}
        for f in layer:
            row = dict(zip(names, [f.GetField(i) for i in range(len(names))], strict=True))
            found[str(row[_id_column(register)])] = vertices(
                row.get("X [EPSG:2180]"), row.get("Y [EPSG:2180]"), row.get("Geometria WKT [EPSG:2180]")
            )
    finally:
        gdal.SetConfigOption("OGR_XLSX_HEADERS", None)
    check(found, expected, pl1992, tolerance_m=0.005 if point else 1e-6)

    # CSV as Polish Excel writes it: semicolons, decimal commas.
    path = export(register, qs, "csv", tmp_path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh, delimiter=";")
        found = {}
        for row in reader:
            x = row.get("X [EPSG:2180]", "").replace(",", ".")
            y = row.get("Y [EPSG:2180]", "").replace(",", ".")
            found[row[_id_column(register)]] = vertices(x, y, row.get("Geometria WKT [EPSG:2180]"))
    check(found, expected, pl1992, tolerance_m=0.005 if point else 1e-6)


def test_a_swapped_export_fails_the_check(osiecznica, tmp_path):
    """The check above catches X and Y swapped (the mistake SIP's own importer forgives)."""
    load_samples()
    register = get_register("trees")
    expected = stored(register, osiecznica)
    gpkg = export(register, register.queryset().filter(gmina=osiecznica), "gpkg", tmp_path)
    found, to_wgs84 = _read_ogr(gpkg)
    swapped = {k: [(y, x) for x, y in v] for k, v in found.items()}
    with pytest.raises(AssertionError):
        check(swapped, expected, to_wgs84, tolerance_m=1e-6)
