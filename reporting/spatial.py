"""Spatial units of a table as a GeoDataFrame (geopandas): the choropleth map, GeoJSON and
GeoPackage exports. Values come from the table only, so a published map shows exactly what the
published table shows."""

from __future__ import annotations

import io
import json
import os
import tempfile

import geopandas as gpd
from shapely import wkb
from shapely.geometry import box

from sip.models import Gmina, Obreb

from .tables import Table

SPATIAL = ("obreb", "gmina", "grid_1km")


def spatial_dimension(table: Table) -> str | None:
    return next((d for d in table.dimensions if d in SPATIAL), None)


def _shapes(unit: str, ids: list[str], simplify: float) -> dict[str, tuple[str, object]]:
    """{unit id: (name, shapely geometry in EPSG:2180)}."""
    out = {}
    if unit == "obreb":
        wanted: dict[str, set[str]] = {}
        for value in ids:
            teryt, _, code = value.partition(".")
            wanted.setdefault(teryt, set()).add(code)
        qs = Obreb.objects.filter(gmina__teryt__in=list(wanted)).values_list(
            "gmina__teryt", "code", "name", "geom"
        )
        for teryt, code, name, geom in qs:
            if code in wanted[teryt]:
                out[f"{teryt}.{code}"] = (name, wkb.loads(bytes(geom.wkb)).simplify(simplify))
    elif unit == "gmina":
        for teryt, name, geom in Gmina.objects.filter(teryt__in=ids).values_list("teryt", "name", "boundary"):
            out[teryt] = (name, wkb.loads(bytes(geom.wkb)).simplify(simplify))
    else:
        for value in ids:
            e, _, n = value[1:].partition("N")
            x, y = int(e) * 1000, int(n) * 1000
            out[value] = (value, box(x, y, x + 1000, y + 1000))
    return out


def frame(table: Table, *, simplify: float = 2.0) -> gpd.GeoDataFrame:
    """One feature per spatial unit of the table (with a single spatial dimension, or the spatial
    one of two summed over the other — taken from the table's totals) in EPSG:2180."""
    unit = spatial_dimension(table)
    if unit is None:
        raise ValueError("the table has no spatial dimension")
    pos = table.dimensions.index(unit)
    if len(table.dimensions) == 1:
        entries = table.rows
    else:
        entries = [
            e
            for e in table.totals
            if e.key[pos] != "*" and all(v == "*" for i, v in enumerate(e.key) if i != pos)
        ]
    entries = [e for e in entries if e.key[pos] is not None]
    shapes = _shapes(unit, [e.key[pos] for e in entries], simplify)
    records, geoms = [], []
    for e in entries:
        if e.key[pos] not in shapes:
            continue
        name, geom = shapes[e.key[pos]]
        records.append(
            {
                "id": e.key[pos],
                "name": name,
                "value": None if e.suppressed else e.value,
                "suppressed": e.suppressed,
                "label": table.display(e),
            }
        )
        geoms.append(geom)
    return gpd.GeoDataFrame(records, geometry=geoms, crs=2180)


def geojson(table: Table, *, srid: int = 4326) -> dict:
    """The table's spatial units with their values as a GeoJSON FeatureCollection."""
    gdf = frame(table).to_crs(srid)
    data = json.loads(gdf.to_json(drop_id=True))
    data["k"] = table.k
    data["data_date"] = table.data_date
    data["title"] = table.title
    return data


def geopackage(table: Table) -> bytes:
    """The table's spatial units with their values as a GeoPackage (EPSG:2180)."""
    gdf = frame(table, simplify=0)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "raport.gpkg")
        gdf.to_file(path, driver="GPKG", layer="raport")
        with open(path, "rb") as f:
            return io.BytesIO(f.read()).getvalue()
