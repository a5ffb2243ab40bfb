"""manage.py export_gmina: all and only one gmina's rows, a GeoPackage per app, its files, and a
manifest whose checksums match the files."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command
from osgeo import ogr
from PIL import Image

from sip.backup.export import gmina_models
from sip.models import Unit
from tests.conftest import ParcelFactory

pytestmark = pytest.mark.django_db


def _png(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, "PNG")
    return out.getvalue()


def _photo(gmina, colour):
    from inventory.models import Photo

    unit = Unit.objects.create(name=f"Wydział {gmina.teryt}", kind="gmina_office", gmina=gmina)
    photo = Photo(
        gmina=gmina,
        content_type=ContentType.objects.get_for_model(unit),
        object_id=unit.pk,
        image=ContentFile(_png(colour), name="zdjecie.png"),
    )
    photo.save()
    return photo


def test_export_holds_all_and_only_one_gminas_rows(gmina, other_gmina, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    for g, n in ((gmina, 3), (other_gmina, 5)):
        for _ in range(n):
            ParcelFactory(obreb__gmina=g)
    mine, theirs = _photo(gmina, (10, 200, 10)), _photo(other_gmina, (200, 10, 10))
    out = tmp_path / "eksport"
    call_command("export_gmina", gmina.teryt, str(out), stdout=io.StringIO())

    manifest = json.loads((out / "manifest.json").read_text())
    exported = {}
    for gpkg in out.glob("*.gpkg"):
        ds = ogr.Open(str(gpkg))
        for i in range(ds.GetLayerCount()):
            layer = ds.GetLayer(i)
            exported[layer.GetName()] = layer
            exported[layer.GetName() + "#ds"] = ds  # keep the data source open
    checked = 0
    for model, path in gmina_models():
        table = model._meta.db_table
        expected = model._default_manager.filter(**{path: gmina.pk}).count()
        layer = exported[table]
        assert layer.GetFeatureCount() == expected == manifest["tables"][table]["rows"], table
        if "gmina_id" in [
            layer.GetLayerDefn().GetFieldDefn(i).GetName()
            for i in range(layer.GetLayerDefn().GetFieldCount())
        ]:
            assert {f.GetField("gmina_id") for f in layer} <= {gmina.pk}, table
        checked += 1
    assert checked >= 20
    parcels = exported["sip_parcel"]
    parcels.ResetReading()
    identifiers = {f.GetField("identifier") for f in parcels}
    assert len(identifiers) == 3 and all(i.startswith(gmina.teryt) for i in identifiers)
    assert exported["sip_gmina"].GetFeatureCount() == 1

    mine_file = out / "files" / "default" / mine.image.name
    assert mine_file.read_bytes() == Path(mine.image.path).read_bytes()
    assert not (out / "files" / "default" / theirs.image.name).exists()
    for rel, entry in manifest["files"].items():
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == entry["sha256"], rel


def test_unknown_teryt_is_refused(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Nie ma gminy"):
        call_command("export_gmina", "999999_9", str(tmp_path / "x"))
