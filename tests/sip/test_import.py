"""import_parcels on real EGiB-like files: good GML (PL-2000), GPKG, SHP; a broken file."""

import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from shapely import wkb

from sip.models import AuditLog, Gmina, Obreb, Parcel
from tests.conftest import square

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "egib"


@pytest.fixture
def egib_osiecznica(db):
    """Osiecznica of the EGiB samples (fixtures/egib): no obręby and no parcels yet, no office.
    Not tests/inventory's `osiecznica`, which has another boundary and an office."""
    return Gmina.objects.create(
        teryt="020105_2",
        name="Osiecznica",
        kind="rural",
        slug="osiecznica",
        boundary=square(250_000, 390_000, 10_000),
    )


def run(*args):
    out = StringIO()
    call_command("import_parcels", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.parametrize("name", ["dzialki_osiecznica.gml", "dzialki_osiecznica.gpkg"])
def test_good_file_imports_every_parcel_in_place(egib_osiecznica, name):
    out = run(str(SAMPLES / name), "--gmina", "020105_2")
    assert "Odczytano: 6, zaimportowano: 6 (nowe: 6, zaktualizowane: 0), odrzucono: 0." in out
    parcels = Parcel.objects.filter(gmina=egib_osiecznica).order_by("identifier")
    assert [p.number for p in parcels] == ["101", "102", "103/1", "103/2", "104", "105"]
    first = parcels[0]
    # 40 m x 60 m at x=255000, y=395000 in PL-1992, whatever the file's CRS was.
    assert first.geom.area == pytest.approx(2400, rel=1e-4)
    assert first.geom.extent == pytest.approx((255_000, 395_000, 255_040, 395_060), abs=0.05)
    assert Obreb.objects.get(gmina=egib_osiecznica, code="0003").geom.area == pytest.approx(
        6 * 2400, rel=1e-4
    )
    # One entry, of the shape every import writes (sip.audit.record_import).
    (entry,) = AuditLog.objects.filter(gmina=egib_osiecznica, action="import")
    assert (entry.model, entry.object_id) == ("sip.parcel", "import")
    assert entry.changes == {"file": name, "read": 6, "created": 6, "updated": 0, "rejected": 0}


def test_reimport_updates_instead_of_duplicating(egib_osiecznica):
    run(str(SAMPLES / "dzialki_osiecznica.gpkg"), "--gmina", "020105_2")
    out = run(str(SAMPLES / "dzialki_osiecznica.gml"), "--gmina", "020105_2")
    assert "(nowe: 0, zaktualizowane: 6)" in out
    assert Parcel.objects.filter(gmina=egib_osiecznica).count() == 6


def test_shapefile_made_by_ogr2ogr(egib_osiecznica, tmp_path):
    target = tmp_path / "dzialki.shp"
    subprocess.run(
        ["ogr2ogr", "-f", "ESRI Shapefile", str(target), str(SAMPLES / "dzialki_osiecznica.gpkg")],
        check=True,
    )
    out = run(str(target), "--gmina", "020105_2", "--srid", "2180")
    assert "zaimportowano: 6" in out


def test_broken_file_reports_a_reason_for_every_rejected_feature(egib_osiecznica):
    out = run(str(SAMPLES / "dzialki_bledne.gpkg"), "--gmina", "020105_2")
    assert "Odczytano: 9, zaimportowano: 1 (nowe: 1, zaktualizowane: 0), odrzucono: 8." in out
    expected = {
        2: "Nieprawidłowy identyfikator działki „020105_2.3.202”",
        3: "nieprawidłowa geometria: self-intersection",
        4: "brak geometrii",
        5: "działka leży poza granicą gminy Osiecznica",
        6: "identyfikator powtórzony w pliku",
        7: "działka należy do gminy 020101_1, nie 020105_2",
        8: "nieprawidłowa powierzchnia ewidencyjna „dużo”",
        9: "Nieprawidłowy identyfikator działki „”",
    }
    for feature, reason in expected.items():
        line = next(row for row in out.splitlines() if row.strip().startswith(f"odrzucono obiekt {feature} "))
        assert reason.lower() in line.lower(), line
    assert list(Parcel.objects.filter(gmina=egib_osiecznica).values_list("number", flat=True)) == ["201"]


def test_dry_run_writes_nothing(egib_osiecznica):
    out = run(str(SAMPLES / "dzialki_osiecznica.gpkg"), "--gmina", "020105_2", "--dry-run")
    assert "zaimportowano: 6" in out and "niczego nie zapisano" in out
    assert not Parcel.objects.filter(gmina=egib_osiecznica).exists()
    assert not Obreb.objects.filter(gmina=egib_osiecznica).exists()


def test_wrong_srid_puts_parcels_outside_the_gmina(egib_osiecznica):
    out = run(str(SAMPLES / "dzialki_osiecznica.gpkg"), "--gmina", "020105_2", "--srid", "2176")
    assert "zaimportowano: 0" in out and "odrzucono: 6" in out


def test_unknown_gmina_and_unreadable_file(egib_osiecznica, tmp_path):
    with pytest.raises(CommandError, match="Nie ma w systemie gminy"):
        run(str(SAMPLES / "dzialki_osiecznica.gpkg"), "--gmina", "029999_2")
    bad = tmp_path / "zle.gpkg"
    bad.write_bytes(b"to nie jest geopaczka")
    with pytest.raises(CommandError, match="Nie można odczytać pliku"):
        run(str(bad), "--gmina", "020105_2")
    with pytest.raises(CommandError, match="PL-2000"):
        run(str(SAMPLES / "dzialki_osiecznica.gpkg"), "--gmina", "020105_2", "--srid", "4326")


def test_gml_coordinates_are_read_in_the_right_axis_order():
    # The GML is in EPSG:2176 with northing first (urn srsName); GDAL must swap it.
    from django.contrib.gis.gdal import DataSource

    feature = DataSource(str(SAMPLES / "dzialki_osiecznica.gml"))[0][0]
    x, y = wkb.loads(bytes(feature.geom.wkb)).exterior.coords[0]
    assert 5_500_000 < x < 5_600_000 and 5_600_000 < y < 5_800_000


def test_obreby_made_by_the_import_give_standing_trees_their_key(egib_osiecznica):
    """A tree registered before the gmina had obręby has no obręb key; the import that makes the
    obręby (from the parcels) gives it the one ST_Within finds (sip.obreb_keys)."""
    from django.contrib.gis.geos import Point

    from inventory.models import Tree, TreeSpecies

    species, _ = TreeSpecies.objects.get_or_create(
        latin_name="Tilia cordata", defaults={"polish_name": "lipa drobnolistna", "felling_threshold_cm": 50}
    )
    tree = Tree.objects.create(
        gmina=egib_osiecznica,
        species=species,
        trunk_circumference_cm=80,
        geom=Point(255_020, 395_030, srid=2180),
    )
    assert tree.obreb is None
    run(str(SAMPLES / "dzialki_osiecznica.gml"), "--gmina", "020105_2")
    tree.refresh_from_db()
    assert tree.obreb == Obreb.objects.get(gmina=egib_osiecznica, geom__contains=tree.geom)
