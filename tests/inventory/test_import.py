"""import_register on the messy office spreadsheets in fixtures/inventory/: the exact rows
rejected and why, the values of the rows imported, re-import, dry run, column mapping."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.management import CommandError
from django.db import connection
from openpyxl import load_workbook

from inventory.models import Lamp, LightingLine, SmallArchitecture, Tree
from sip.models import AuditLog
from tests.conftest import ObrebFactory

from .conftest import OSIECZNICA_2180, SAMPLES, rejected_rows, run_import

pytestmark = pytest.mark.django_db
TREES = SAMPLES / "drzewa_osiecznica.xlsx"


def test_messy_tree_sheet_imports_good_rows_and_names_each_rejected_row(osiecznica, tmp_path):
    errors = tmp_path / "bledy.xlsx"
    out = run_import("trees", str(TREES), "--gmina", "020105_2", "--errors", str(errors))
    rejected = rejected_rows(out)
    assert set(rejected) == {10, 12, 13, 15, 17, 19, 20}, out
    assert "nieznany gatunek „Palma kokosowa”" in rejected[10]
    assert "„abc” nie jest liczbą" in rejected[12] and rejected[12].startswith("Obwód pnia")
    assert "leżą poza gminą Osiecznica" in rejected[13]
    assert "numer „D-001” powtórzony w pliku (pierwszy raz w wierszu 6)" in rejected[15]
    assert rejected[17] == "brak współrzędnych"
    assert rejected[19].startswith("Stan zdrowotny: „7” nie jest jedną z wartości")
    assert "Gatunek: wartość wymagana" in rejected[20]
    assert "Odczytano wierszy: 13, zaimportowano: 6 (nowe: 6, zaktualizowane: 0), odrzucono: 7" in out
    assert "pominięto pustych: 2" in out
    assert sorted(Tree.objects.filter(gmina=osiecznica).values_list("external_id", flat=True)) == [
        "D-001",
        "D-002",
        "D-003",
        "D-005",
        "D-011",
        "P-01",
    ]
    # The error sheet: row number, reason, then the original cells.
    sheet = load_workbook(errors).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Wiersz w pliku", "Błąd", "Lp.")
    assert [r[0] for r in rows[1:]] == [10, 12, 13, 15, 17, 19, 20]
    assert rows[1][4] == "Palma kokosowa" and "nieznany gatunek" in rows[1][1]
    # One entry, of the shape every import writes (sip.audit.record_import).
    (entry,) = AuditLog.objects.filter(gmina=osiecznica, action="import", model="inventory.tree")
    assert entry.object_id == "import"
    assert set(entry.changes) == {"register", "file", "read", "created", "updated", "rejected"}
    assert entry.changes["rejected"] == 7 and entry.changes["register"] == "trees"


def test_values_are_read_as_offices_write_them(osiecznica):
    run_import("trees", str(TREES), "--gmina", "020105_2")
    t1 = Tree.objects.select_related("species").get(gmina=osiecznica, external_id="D-001")
    assert t1.species.latin_name == "Tilia cordata"
    assert (t1.trunk_circumference_cm, t1.circumference_at_5cm_cm) == (145, 170)
    assert t1.height_m == Decimal("18.5") and t1.crown_diameter_m == Decimal("12.0")
    assert (t1.condition, t1.recommended_treatment, t1.natural_monument) == (4, "sanitary", False)
    assert t1.surveyed_on == date(2024, 5, 12)
    t5 = Tree.objects.get(gmina=osiecznica, external_id="D-005")
    assert t5.trunk_circumference_cm == 78 and t5.species.latin_name == "Populus nigra"
    assert (t5.condition, t5.recommended_treatment) == (2, "felling")
    monument = Tree.objects.get(gmina=osiecznica, external_id="P-01")
    assert monument.natural_monument and monument.species.latin_name == "Quercus robur"
    assert Tree.objects.get(gmina=osiecznica, external_id="D-011").surveyed_on == date(2024, 5, 16)


def _obreb_mismatches(gmina) -> int:
    """Trees whose stored obręb is not the one ST_Within finds (an independent SQL count)."""
    with connection.cursor() as c:
        c.execute(
            """SELECT count(*) FROM inventory_tree t WHERE t.gmina_id = %s AND t.obreb_id IS DISTINCT FROM
            (SELECT o.id FROM sip_obreb o WHERE o.gmina_id = t.gmina_id AND ST_Within(t.geom, o.geom))""",
            [gmina.pk],
        )
        return c.fetchone()[0]


def test_reimport_by_office_number_updates_instead_of_duplicating(osiecznica):
    x0, y0, x1, y1 = osiecznica.boundary.extent
    for code, box in (("0001", (x0, y0, (x0 + x1) / 2, y1)), ("0002", ((x0 + x1) / 2, y0, x1, y1))):
        ObrebFactory(gmina=osiecznica, code=code, geom=MultiPolygon(Polygon.from_bbox(box), srid=2180))
    run_import("trees", str(TREES), "--gmina", "020105_2")
    assert Tree.objects.filter(gmina=osiecznica, obreb__isnull=False).count() == 6  # the COPY path
    assert _obreb_mismatches(osiecznica) == 0
    tree = Tree.objects.filter(gmina__teryt="020105_2", external_id="D-001")
    # Moved by a writer that bypasses save(): its stored obręb is stale until the re-import.
    tree.update(trunk_circumference_cm=1, geom=Point(x1 - 1, y1 - 1, srid=2180), obreb=None)
    out = run_import("trees", str(TREES), "--gmina", "020105_2")
    assert "(nowe: 0, zaktualizowane: 6)" in out
    assert Tree.objects.filter(gmina=osiecznica).count() == 6
    assert Tree.objects.get(gmina__teryt="020105_2", external_id="D-001").trunk_circumference_cm == 145
    assert tree.get().obreb is not None and _obreb_mismatches(osiecznica) == 0  # the UPDATE path


def test_dry_run_saves_nothing(osiecznica):
    out = run_import("trees", str(TREES), "--gmina", "020105_2", "--dry-run", "--errors", "/dev/null")
    assert "zaimportowano: 6" in out and "niczego nie zapisano" in out
    assert not Tree.objects.filter(gmina=osiecznica).exists()
    assert not AuditLog.objects.filter(action="import", model="inventory.tree").exists()


def test_mapping_can_be_changed(osiecznica):
    run_import(
        "trees", str(TREES), "--gmina", "020105_2", "--map", "Obwód na 5 cm [cm]=", "--errors", "/dev/null"
    )
    assert not Tree.objects.filter(gmina=osiecznica, circumference_at_5cm_cm__isnull=False).exists()
    assert Tree.objects.filter(gmina=osiecznica).count() == 6
    with pytest.raises(CommandError, match="nie ma kolumny „Obwód”"):
        run_import("trees", str(TREES), "--gmina", "020105_2", "--map", "Obwód=height_m")


def test_messy_small_architecture_sheet(osiecznica):
    out = run_import(
        "small-architecture",
        str(SAMPLES / "mala_architektura_osiecznica.xlsx"),
        "--gmina",
        "020105_2",
        "--errors",
        "/dev/null",
    )
    rejected = rejected_rows(out)
    assert set(rejected) == {7, 8, 9, 11}, out
    assert "„rakieta kosmiczna” nie jest jedną z wartości" in rejected[7]
    assert "„31.02.2020” nie jest datą" in rejected[8]
    assert rejected[9] == "podano tylko jedną współrzędną geograficzną"
    assert "„0” nie jest jedną z wartości" in rejected[11]
    objects = {o.external_id: o for o in SmallArchitecture.objects.filter(gmina=osiecznica)}
    assert set(objects) == {"MA-1", "MA-2", "MA-3", "MA-7"}
    assert (objects["MA-1"].kind, objects["MA-1"].material, objects["MA-1"].condition) == ("bench", "wood", 4)
    assert objects["MA-1"].installed_on == date(2019, 6, 1)
    assert objects["MA-1"].owner_unit.name == "Urząd Gminy Osiecznica"
    assert (objects["MA-2"].kind, objects["MA-2"].notes) == ("bin", "przy przystanku")
    assert objects["MA-3"].kind == "playground" and objects["MA-3"].condition == 4


def test_lighting_lines_from_geojson_and_lamps_from_a_sheet(osiecznica):
    out = run_import(
        "lighting-lines", str(SAMPLES / "linie_oswietlenia_osiecznica.geojson"), "--gmina", "020105_2"
    )
    assert "zaimportowano: 3" in out
    out = run_import(
        "lamps", str(SAMPLES / "latarnie_osiecznica.xlsx"), "--gmina", "020105_2", "--errors", "/dev/null"
    )
    rejected = rejected_rows(out)
    assert set(rejected) == {12, 21}, out
    assert rejected[12] == "Moc [W]: „brak” nie jest liczbą"
    assert rejected[21] == "Obwód: wartość wymagana"
    assert Lamp.objects.filter(gmina=osiecznica).count() == 15
    # Every lamp stands a few metres from a line of its own circuit and is attached to it.
    for lamp in Lamp.objects.filter(gmina=osiecznica).select_related("line"):
        assert lamp.line is not None and lamp.line.circuit == lamp.circuit
        assert lamp.line.switch_cabinet == lamp.switch_cabinet
        assert lamp.geom.distance(lamp.line.geom) < 15
    assert LightingLine.objects.get(gmina__teryt="020105_2", external_id="L-1").cable == "YAKY 4x35"


def test_text_is_stored_as_written_and_too_long_a_number_is_refused(osiecznica, tmp_path):
    """Backslashes reach the database intact (COPY escapes them), breaks inside a cell become
    spaces, and whole text columns read at once still name a cell that does not fit."""
    x, y = OSIECZNICA_2180
    long_number = "D" * 61
    path = tmp_path / "drzewa.csv"
    path.write_text(
        "Nr inw.;Gatunek;Obwód pnia [cm];X;Y;Uwagi\n"
        f'D\\1;lipa drobnolistna;120;{x};{y};"pień\tpochylony\nw stronę drogi"\n'
        f"D\\2;lipa drobnolistna;130;{x + 5};{y};C:\\zdjęcia\\d2.jpg\n"
        f"{long_number};lipa drobnolistna;140;{x + 10};{y};\n",
        encoding="utf-8",
    )
    out = run_import("trees", str(path), "--gmina", "020105_2")
    assert rejected_rows(out) == {4: "Nr inw.: tekst dłuższy niż 60 znaków"}
    stored = dict(Tree.objects.filter(gmina=osiecznica).values_list("external_id", "notes"))
    assert stored == {"D\\1": "pień pochylony w stronę drogi", "D\\2": "C:\\zdjęcia\\d2.jpg"}


def test_control_characters_reject_their_row_not_the_file(osiecznica, tmp_path):
    """A NUL (which PostgreSQL cannot store) or a bell character in a cell rejects that row
    with its reason; the other rows are imported and the error sheet shows where it was."""
    x, y = OSIECZNICA_2180
    path = tmp_path / "drzewa.csv"
    path.write_text(
        "Nr inw.;Gatunek;Obwód pnia [cm];X;Y;Uwagi\n"
        f"K-1;lipa drobnolistna;120;{x};{y};ab\x00c\n"
        f"K-2;lipa drobnolistna;1\x0020;{x};{y};\n"
        f"K-3;lipa drobnolistna;120;{x};{y};\x07dzwonek\n"
        f"K-4;lipa drobnolistna;130;{x};{y};zdrowe\n",
        encoding="utf-8",
    )
    errors = tmp_path / "bledy.xlsx"
    out = run_import("trees", str(path), "--gmina", "020105_2", "--errors", str(errors))
    assert rejected_rows(out) == {
        2: "Uwagi: niedozwolony znak sterujący (kod 0) w tekście",
        3: "Obwód pnia [cm]: „1\x0020” nie jest liczbą",
        4: "Uwagi: niedozwolony znak sterujący (kod 7) w tekście",
    }
    assert list(Tree.objects.filter(gmina=osiecznica).values_list("external_id", "notes")) == [
        ("K-4", "zdrowe")
    ]
    sheet = list(load_workbook(errors).active.iter_rows(values_only=True))
    assert [(r[0], r[-1]) for r in sheet[1:]] == [(2, "ab\ufffdc"), (3, None), (4, "\ufffddzwonek")]
    assert sheet[2][1] == "Obwód pnia [cm]: „1\ufffd20” nie jest liczbą"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("zle.xlsx", b"to nie jest arkusz", "Nie można odczytać arkusza"),
        ("drzewa.txt", b"Lp;Cokolwiek;Inne\n1;2;3\n", "Nie znaleziono wiersza nagłówka"),
        (
            "drzewa.csv",
            "Gatunek;Wysokość;X;Y\nlipa;10;1;2\n".encode(),
            "Brak kolumny dla wymaganych pól: Obwód",
        ),
        (
            "drzewa.csv",
            "Gatunek;Obwód pnia;Wysokość\nlipa;10;1\n".encode(),
            "Nie wiadomo, gdzie leżą obiekty",
        ),
        ("drzewa.doc", b"x", "Nieobsługiwany rodzaj pliku"),
    ],
)
def test_files_that_cannot_be_imported_say_why(osiecznica, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run_import("trees", str(path), "--gmina", "020105_2")
    assert not Tree.objects.filter(gmina=osiecznica).exists()


def test_unknown_register_gmina_and_role(osiecznica, osiecznica_viewer):
    with pytest.raises(CommandError, match="Nie ma rejestru „lawki”"):
        run_import("lawki", str(TREES), "--gmina", "020105_2")
    with pytest.raises(CommandError, match="Nie ma w systemie gminy"):
        run_import("trees", str(TREES), "--gmina", "029999_2")
    with pytest.raises(CommandError, match="rola nie pozwala"):
        run_import("trees", str(TREES), "--gmina", "020105_2", "--user", osiecznica_viewer.username)
