"""The drill's comparison (sip.backup.compare) on two scratch databases and two folders: an
identical copy passes; a changed row, a missing row, a changed file and a missing file each fail,
named."""

from __future__ import annotations

import hashlib
import shutil

import psycopg
import pytest
from django.db import connection

from sip.backup.compare import FileColumn, compare

pytestmark = pytest.mark.django_db

FILES = [FileColumn("photo", "image", "default"), FileColumn("extract", "pdf", "private")]


def _dsn(name: str) -> str:
    s = connection.settings_dict
    return f"host={s['HOST']} port={s['PORT']} user={s['USER']} password={s['PASSWORD']} dbname={name}"


@pytest.fixture
def live_and_copy(tmp_path):
    """A small 'live' database (PostGIS, a geometry, a composite key, a table without a key,
    rows naming files, their recorded checksums) and files; then a copy of both."""
    base = connection.settings_dict["NAME"]
    live, copy = f"{base}_drill_live", f"{base}_drill_copy"
    admin = psycopg.connect(_dsn("postgres"), autocommit=True)
    for name in (copy, live):
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{live}"')
    files = {
        ("default", "photos/a.png"): b"zdjecie A",
        ("default", "photos/b.png"): b"zdjecie B",
        ("private", "extracts/1.pdf"): b"%PDF wypis 1",
    }
    roots = {"default": tmp_path / "live" / "media", "private": tmp_path / "live" / "private"}
    for (storage, name), content in files.items():
        path = roots[storage] / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    with psycopg.connect(_dsn(live), autocommit=True) as c:
        c.execute("CREATE EXTENSION postgis")
        c.execute("CREATE TABLE parcel (id bigint PRIMARY KEY, ident text, geom geometry(Polygon, 2180))")
        c.execute(
            "INSERT INTO parcel SELECT i, 'dz-' || i, ST_MakeEnvelope(i*40, 0, i*40+30, 30, 2180) "
            "FROM generate_series(1, 500) i"
        )
        c.execute("CREATE TABLE zoning (plan int, zone int, share float8, PRIMARY KEY (plan, zone))")
        c.execute("INSERT INTO zoning VALUES (1, 1, 0.25), (1, 2, 0.75), (2, 1, 1.0)")
        c.execute("CREATE TABLE loose (a text)")
        c.execute("INSERT INTO loose VALUES ('x'), ('y')")
        c.execute("CREATE TABLE photo (id serial PRIMARY KEY, image text)")
        c.execute("INSERT INTO photo (image) VALUES ('photos/a.png'), ('photos/b.png'), ('')")
        c.execute("CREATE TABLE extract (id serial PRIMARY KEY, pdf text)")
        c.execute("INSERT INTO extract (pdf) VALUES ('extracts/1.pdf')")
        c.execute("CREATE TABLE sip_storedfile (id serial PRIMARY KEY, storage text, name text, sha256 text)")
        for (storage, name), content in files.items():
            c.execute(
                "INSERT INTO sip_storedfile (storage, name, sha256) VALUES (%s, %s, %s)",
                [storage, name, hashlib.sha256(content).hexdigest()],
            )
    admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{live}"')
    shutil.copytree(tmp_path / "live", tmp_path / "copy")
    restored = {"default": tmp_path / "copy" / "media", "private": tmp_path / "copy" / "private"}
    yield _dsn(live), _dsn(copy), roots, restored
    for name in (copy, live):
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def test_identical_copy_passes(live_and_copy):
    live, copy, roots, restored = live_and_copy
    result = compare(live, copy, roots, restored, FILES)
    assert result.ok, result.mismatches
    assert result.tables >= 6  # parcel, zoning, loose, photo, extract, sip_storedfile, spatial_ref_sys
    assert result.rows >= 500 + 3 + 2 + 3 + 1 + 3
    assert result.files == 3


def test_changed_row_missing_row_changed_and_missing_file_are_named(live_and_copy):
    live, copy, roots, restored = live_and_copy
    with psycopg.connect(copy, autocommit=True) as c:
        # Only the geometry moves, by a millimetre: the EWKB differs, the text columns do not.
        c.execute("UPDATE parcel SET geom = ST_Translate(geom, 0.001, 0) WHERE id = 7")
        c.execute("DELETE FROM zoning WHERE plan = 2")
    (restored["default"] / "photos/a.png").write_bytes(b"zdjecie A, podmienione")
    (restored["private"] / "extracts/1.pdf").unlink()
    result = compare(live, copy, roots, restored, FILES)
    assert not result.ok
    text = "\n".join(result.mismatches)
    assert "tabela public.parcel: inna suma kontrolna" in text
    assert "tabela public.zoning: 3 wierszy w systemie, 2 w kopii" in text
    assert "plik default:photos/a.png: inna suma SHA-256" in text
    assert "plik private:extracts/1.pdf: brak w kopii odtworzonej" in text
    assert len(result.mismatches) == 4, result.mismatches


def test_file_missing_from_live_media_is_judged_by_its_recorded_checksum(live_and_copy):
    """A file lost from the live media before the backup: the copy lacks it too, and the
    recorded checksum still says which file it was."""
    live, copy, roots, restored = live_and_copy
    (roots["default"] / "photos/b.png").unlink()
    (restored["default"] / "photos/b.png").unlink()
    result = compare(live, copy, roots, restored, FILES)
    assert result.mismatches == ["plik default:photos/b.png: brak w kopii odtworzonej"]
