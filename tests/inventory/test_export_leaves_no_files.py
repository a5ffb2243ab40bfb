"""An export of a register holds its data: after the response (or a failed export) nothing of it
is left in the temporary folder; an expired import upload is removed too."""

from __future__ import annotations

import io
import os
import tempfile
import time
import zipfile

import pytest
from openpyxl import load_workbook

from inventory import selectors
from inventory.exporting import FORMATS
from inventory.models import Tree

from .conftest import SAMPLES, run_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def temp_root(tmp_path, monkeypatch):
    """A temporary folder of this test only, where tempfile (and GDAL, through TMPDIR) write."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setenv("TMPDIR", str(root))
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


@pytest.fixture
def staff(client, osiecznica_editor, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SIP_PRIVATE_ROOT = str(tmp_path / "private")
    client.force_login(osiecznica_editor)
    run_import("trees", str(SAMPLES / "drzewa_osiecznica.xlsx"), "--gmina", "020105_2")
    return client


def _check_body(fmt: str, body: bytes, count: int, tmp_path) -> None:
    if fmt == "xlsx":
        assert load_workbook(io.BytesIO(body)).active.max_row == count + 1
    elif fmt == "csv":
        assert body.decode("utf-8-sig").count("\n") == count + 1
    elif fmt == "shp":
        names = zipfile.ZipFile(io.BytesIO(body)).namelist()
        assert {"trees.shp", "trees.dbf", "trees.shx", "trees.prj"} <= set(names)
    elif fmt == "gpkg":
        from osgeo import ogr

        path = tmp_path / "check.gpkg"
        path.write_bytes(body)
        assert ogr.Open(str(path)).GetLayer(0).GetFeatureCount() == count
    elif fmt == "pdf":
        assert body.startswith(b"%PDF")


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_an_export_leaves_nothing_on_disk(staff, temp_root, tmp_path, fmt):
    count = Tree.objects.filter(gmina__slug="osiecznica").count()
    assert count > 3
    before = sorted(os.listdir(temp_root))
    resp = staff.get(f"/rejestry/osiecznica/trees/eksport/{fmt}/")
    assert resp.status_code == 200
    suffix = ".zip" if fmt == "shp" else f".{fmt}"
    assert resp["Content-Disposition"] == f'attachment; filename="trees-osiecznica{suffix}"'
    assert resp["Content-Type"] == FORMATS[fmt][1]
    body = b"".join(resp.streaming_content)
    resp.close()
    assert int(resp["Content-Length"]) == len(body)
    _check_body(fmt, body, count, tmp_path)
    assert sorted(os.listdir(temp_root)) == before == []


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_an_export_failing_midway_leaves_nothing_on_disk(staff, temp_root, monkeypatch, fmt):
    real = selectors.display_value
    calls = []

    def fails_after_some_rows(*args, **kwargs):
        calls.append(1)
        if len(calls) > 5:
            raise RuntimeError("dysk pełny")
        return real(*args, **kwargs)

    monkeypatch.setattr(selectors, "display_value", fails_after_some_rows)
    with pytest.raises(RuntimeError, match="dysk pełny"):
        staff.get(f"/rejestry/osiecznica/trees/eksport/{fmt}/")
    assert len(calls) > 5  # the export had begun writing
    assert os.listdir(temp_root) == []


def test_an_expired_upload_is_removed_by_the_next_one(staff, settings):
    from pathlib import Path

    def upload() -> set[Path]:
        with (SAMPLES / "drzewa_osiecznica.xlsx").open("rb") as fh:
            assert staff.post("/rejestry/osiecznica/trees/import/", {"file": fh}).status_code == 302
        return set((Path(settings.SIP_PRIVATE_ROOT) / "inventory" / "imports").iterdir())

    (first,) = upload()
    second = upload() - {first}
    assert len(second) == 1  # a fresh upload stays
    day_ago = time.time() - 24 * 3600 - 60
    os.utime(first, (day_ago, day_ago))
    third = upload() - {first} - second
    remaining = set((Path(settings.SIP_PRIVATE_ROOT) / "inventory" / "imports").iterdir())
    assert first not in remaining and second <= remaining and third <= remaining
