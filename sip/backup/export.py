"""Everything of one gmina, for a gmina that leaves or asks for its data: a GeoPackage per app
(GDAL/OGR), the files its rows name, and a manifest with SHA-256 checksums.

Generic: every model that belongs to a gmina by sip.tenancy's rule (its own `gmina` foreign key,
or a chain of required foreign keys to a model that has one) is exported, so apps added later are included
without changes here. Rows of other gminas are never included: each model is filtered by its
path to the gmina.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import shutil
from pathlib import Path

from django.apps import apps
from django.contrib.gis.db import models as gis_models
from django.db import models
from osgeo import ogr, osr

from sip.models import Gmina
from sip.tenancy import gmina_path

ogr.UseExceptions()


def gmina_models() -> list[tuple[type, str]]:
    """(model, lookup) of every model that belongs to a gmina."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue  # views over other tables (e.g. register layers) hold no rows of their own
        path = "pk" if model is Gmina else gmina_path(model)
        if path:
            found.append((model, path))
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _ogr_type(field) -> int:
    if isinstance(field, (models.AutoField, models.IntegerField, models.ForeignKey, models.BigIntegerField)):
        return ogr.OFTInteger64
    if isinstance(field, (models.FloatField, models.DecimalField)):
        return ogr.OFTReal
    if isinstance(field, models.BooleanField):
        return ogr.OFTInteger
    return ogr.OFTString


def _value(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float)):
        return value
    return str(value)


def _write_layer(ds, model, queryset) -> int:
    fields = list(model._meta.concrete_fields)
    geoms = [f for f in fields if isinstance(f, gis_models.GeometryField)]
    geom = geoms[0] if geoms else None
    if geom is not None:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(geom.srid)
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        layer = ds.CreateLayer(
            model._meta.db_table, srs, ogr.wkbUnknown, ["GEOMETRY_NAME=" + geom.column, "FID=fid"]
        )
    else:
        layer = ds.CreateLayer(model._meta.db_table, None, ogr.wkbNone, ["FID=fid"])
    attrs = [f for f in fields if f is not geom]
    for f in attrs:
        layer.CreateField(ogr.FieldDefn(f.column, _ogr_type(f)))
    defn = layer.GetLayerDefn()
    count = 0
    layer.StartTransaction()
    for row in queryset.values_list(*[f.attname for f in fields]).iterator(chunk_size=2000):
        feature = ogr.Feature(defn)
        for f, value in zip(fields, row, strict=True):
            if f is geom:
                if value is not None:
                    feature.SetGeometry(ogr.CreateGeometryFromWkb(bytes(value.wkb)))
            elif isinstance(f, gis_models.GeometryField):
                feature.SetField(f.column, value.wkt if value is not None else None)
            else:
                v = _value(value)
                if v is None:
                    feature.SetFieldNull(f.column)
                else:
                    feature.SetField(f.column, v)
        layer.CreateFeature(feature)
        count += 1
    layer.CommitTransaction()
    return count


def export_gmina(teryt: str, out_dir: Path) -> dict:
    """Write the gmina's GeoPackages, files and manifest.json to out_dir; returns the manifest."""
    gmina = Gmina.objects.get(teryt=teryt)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest: dict = {
        "gmina": {"teryt": gmina.teryt, "name": gmina.name},
        "exported_at": dt.datetime.now(dt.UTC).isoformat(),
        "tables": {},
        "files": {},
    }
    by_app: dict[str, list] = {}
    for model, path in gmina_models():
        by_app.setdefault(model._meta.app_label, []).append((model, path))
    files: set[tuple] = set()
    for app_label, entries in sorted(by_app.items()):
        target = out_dir / f"{app_label}.gpkg"
        target.unlink(missing_ok=True)
        ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(target))
        for model, path in sorted(entries, key=lambda e: e[0]._meta.db_table):
            queryset = model._default_manager.filter(**{path: gmina.pk}).order_by("pk")
            count = _write_layer(ds, model, queryset)
            manifest["tables"][model._meta.db_table] = {"app": app_label, "rows": count, "via": path}
            for f in model._meta.concrete_fields:
                if isinstance(f, models.FileField):
                    for name in queryset.exclude(**{f.attname: ""}).values_list(f.attname, flat=True):
                        if name:
                            files.add((f.storage, getattr(f.storage, "alias", "default"), name))
        ds = None  # closes the GeoPackage
    for storage, alias, name in sorted(files, key=lambda x: (x[1], x[2])):
        src = Path(storage.path(name))
        dest = out_dir / "files" / alias / name
        if not src.exists():
            manifest["files"][f"files/{alias}/{name}"] = {"missing": True}
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)
    for path in sorted(out_dir.rglob("*")):
        if path.is_file() and path.name != "manifest.json":
            rel = str(path.relative_to(out_dir))
            manifest["files"][rel] = {"sha256": _sha256(path), "size": path.stat().st_size}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    return manifest
