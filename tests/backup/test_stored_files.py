"""Every file written through SIP's storages gets its SHA-256 recorded (sip.StoredFile)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import models
from PIL import Image

from layers import services as layer_services
from layers.models import Layer
from sip.models import StoredFile
from tests.ogc.test_raster import make_geotiff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def roots(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SIP_PRIVATE_ROOT = str(tmp_path / "private")
    return Path(settings.MEDIA_ROOT), Path(settings.SIP_PRIVATE_ROOT)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _file_fields():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                yield model, field


def test_every_file_field_records_what_it_writes():
    """Each FileField of every app (photos of graves and register items, extract PDFs, plan
    drawings, rasters, orthophotos) writes through a storage that records the file."""
    fields = list(_file_fields())
    labels = {f"{m._meta.label}.{f.name}" for m, f in fields}
    assert {"inventory.Photo.image", "cemetery_routing.GravePhoto.image", "layers.Layer.raster"} <= labels
    for _model, field in fields:
        content = _png()
        name = field.storage.save(field.generate_filename(None, "plik.png"), ContentFile(content))
        row = StoredFile.objects.get(storage=field.storage.alias, name=name)
        assert row.sha256 == hashlib.sha256(content).hexdigest(), field
        assert row.size == len(content)
        assert _sha(Path(field.storage.path(name))) == row.sha256


def test_a_name_is_never_reused_while_its_file_exists():
    from django.core.files.storage import storages

    for alias in ("default", "private"):
        assert not getattr(storages[alias], "allow_overwrite", False), alias
    storage = StoredFile._meta.apps.get_model("inventory", "Photo")._meta.get_field("image").storage
    first = storage.save("inventory/photos/a.png", ContentFile(b"one"))
    second = storage.save("inventory/photos/a.png", ContentFile(b"two"))
    assert first != second
    assert Path(storage.path(first)).read_bytes() == b"one"
    digests = dict(StoredFile.objects.filter(name__in=[first, second]).values_list("name", "sha256"))
    assert digests == {first: hashlib.sha256(b"one").hexdigest(), second: hashlib.sha256(b"two").hexdigest()}


def test_uploaded_raster_is_recorded(central_admin, gmina, tmp_path, roots):
    path = tmp_path / "orto.tif"
    make_geotiff(str(path), 2180, (260616, 382873, 261016, 383273))
    with path.open("rb") as f:
        layer = layer_services.create_layer(
            actor=central_admin,
            name="orto-kopia",
            title="Ortofotomapa",
            raster=File(f, name="orto.tif"),
            gmina=gmina,
            visibility=Layer.Visibility.STAFF,
        )
    row = StoredFile.objects.get(storage="private", name=layer.raster.name)
    assert row.sha256 == _sha(Path(layer.raster.path)) == _sha(path)


def test_photo_is_recorded_after_it_is_re_encoded(gmina, central_admin):
    from django.contrib.contenttypes.models import ContentType

    from inventory.models import Photo
    from sip.models import Unit

    unit = Unit.objects.create(name="Wydział testowy", kind="gmina_office", gmina=gmina)
    photo = Photo(
        gmina=gmina,
        content_type=ContentType.objects.get_for_model(unit),
        object_id=unit.pk,
        image=ContentFile(_png(), name="zdjecie.png"),
    )
    photo.save()
    row = StoredFile.objects.get(storage="default", name=photo.image.name)
    assert row.sha256 == _sha(Path(photo.image.path))
