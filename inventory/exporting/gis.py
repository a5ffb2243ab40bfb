"""GIS exports through OGR: GeoPackage and zipped Shapefile, geometry in EPSG:2180."""

from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

from django.db import models as djm
from django.db.models import QuerySet

from .. import selectors
from ..registers import Register


def _ogr_type(ogr, register: Register, name: str):
    attr = register.attr(name)
    f = register.model_field(name)
    if attr.ref is not None or f.choices or isinstance(f, djm.BooleanField):
        return ogr.OFTString
    if isinstance(f, djm.DecimalField):
        return ogr.OFTReal
    if isinstance(f, djm.IntegerField):
        return ogr.OFTInteger
    if isinstance(f, djm.DateField):
        return ogr.OFTDate
    return ogr.OFTString


def write_gis(register: Register, qs: QuerySet, target: Path, *, driver: str) -> Path:
    """Write a GeoPackage (target .gpkg) or a zipped Shapefile (target .zip); return target."""
    from osgeo import ogr, osr

    ogr.UseExceptions()
    if driver != "ESRI Shapefile":
        return _write_layer(ogr, osr, register, qs, target, driver=driver)
    # The Shapefile's parts are written to a folder of their own, removed also when writing fails.
    with tempfile.TemporaryDirectory(prefix="sip-eksport-") as workdir:
        _write_layer(ogr, osr, register, qs, Path(workdir) / f"{register.slug}.shp", driver=driver)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            for part in sorted(Path(workdir).iterdir()):
                zf.write(part, part.name)
    return target


def _write_layer(ogr, osr, register: Register, qs: QuerySet, out_path: Path, *, driver: str) -> Path:
    shapefile = driver == "ESRI Shapefile"
    if out_path.exists():
        out_path.unlink()
    ds = ogr.GetDriverByName(driver).CreateDataSource(str(out_path))
    try:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(2180)
        geom_type = ogr.wkbPoint if register.geometry == "Point" else ogr.wkbLineString
        options = ["ENCODING=UTF-8"] if shapefile else []
        layer = ds.CreateLayer(register.slug.replace("-", "_"), srs, geom_type, options=options)
        names = []
        for a in register.all_attrs:
            name = a.shp if shapefile else a.name
            field = ogr.FieldDefn(name, _ogr_type(ogr, register, a.name))
            if field.GetType() == ogr.OFTString:
                field.SetWidth(254 if shapefile else 0)
            layer.CreateField(field)
            names.append((name, a.name))
        for c in register.computed:
            layer.CreateField(ogr.FieldDefn(c.shp if shapefile else c.name, ogr.OFTString))
        definition = layer.GetLayerDefn()
        layer.StartTransaction()
        for obj in qs.order_by("id").iterator(chunk_size=2000):
            feature = ogr.Feature(definition)
            for index, (_, attr_name) in enumerate(names):
                f = register.model_field(attr_name)
                value = getattr(obj, attr_name)
                if register.attr(attr_name).ref is not None or f.choices or isinstance(value, bool):
                    value = selectors.display_value(register, obj, attr_name) or None
                if value is None or value == "":
                    continue
                if isinstance(value, Decimal):
                    feature.SetField(index, float(value))
                elif isinstance(value, dt.date):
                    feature.SetField(index, value.year, value.month, value.day, 0, 0, 0, 0)
                else:
                    feature.SetField(index, value)
            for k, c in enumerate(register.computed):
                feature.SetField(len(names) + k, selectors.display_value(register, obj, c.name))
            feature.SetGeometry(ogr.CreateGeometryFromWkb(bytes(obj.geom.wkb)))
            layer.CreateFeature(feature)
        layer.CommitTransaction()
    finally:
        # Closes the file, also when writing failed (a traceback would keep these alive).
        ds = layer = feature = None
    return out_path
