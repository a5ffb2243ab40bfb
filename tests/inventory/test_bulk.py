"""New register items are stored by one COPY; where the database allows it the COPY runs without
row triggers and the table's foreign keys are checked once per distinct value. These tests hold
that path to what the constraints themselves guarantee."""

from __future__ import annotations

import numpy as np
import psycopg
import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db import IntegrityError, connection, transaction

from inventory import bulk
from inventory.importing import writing
from inventory.models import Tree, TreeSpecies
from inventory.registers import get_register
from sip.models import Gmina, Obreb
from sip.selectors import obreb_at

POINT = writing.points_hex_ewkb(np.array([249_443.9]), np.array([393_535.5]))[0]


def _write_trees(gmina, species_ids: list, prefix: str = "B-", point: str = POINT) -> writing.NewItems:
    register = get_register("trees")
    values = {
        "external_id": [f"{prefix}{i}" for i in range(len(species_ids))],
        "species": species_ids,
        "trunk_circumference_cm": [100] * len(species_ids),
    }
    defaults = dict(zip([a.name for a in register.all_attrs], writing.defaults(register), strict=True))
    columns = [values.get(a.name, [defaults[a.name]] * len(species_ids)) for a in register.all_attrs]
    with writing.NewItems(register, gmina) as sink:
        sink.write(columns, [point] * len(species_ids))
    return sink


def _role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('session_replication_role')")
        return cursor.fetchone()[0]


def _other_session():
    d = connection.settings_dict
    return psycopg.connect(
        host=d["HOST"],
        port=d["PORT"],
        dbname=d["NAME"],
        user=d["USER"],
        password=d["PASSWORD"],
        autocommit=True,
    )


def test_keys_are_checked_per_set_and_the_referenced_rows_locked(demo_data, db):
    # A committed gmina, so that a second session sees the row whose lock it meets.
    gmina = Gmina.objects.get(teryt="020104_3")
    oak, lime, unused = TreeSpecies.objects.order_by("pk")[:3]
    before = Tree.objects.filter(gmina=gmina).count()
    last_pk = Tree.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    obreb = Obreb.objects.filter(gmina=gmina).order_by("code").last()
    inside = obreb.geom.point_on_surface
    with transaction.atomic():
        sink = _write_trees(gmina, [oak.pk, lime.pk, oak.pk], point=inside.hexewkb.decode())
        # the trigger-free path (the obręb column is written empty and set after the COPY)
        assert {key.column for key in sink.keys} == {"gmina_id", "species_id", "obreb_id"}
        assert _role() == "origin"
        assert Tree.objects.filter(gmina=gmina).count() == before + 3
        # Each new tree stores the obręb containing its point, as Tree.save() would.
        assert obreb_at(inside, gmina) == obreb
        new = Tree.objects.filter(gmina=gmina, pk__gt=last_pk)
        assert set(new.values_list("obreb", flat=True)) == {obreb.pk}
        # As the key's triggers would, the import holds FOR KEY SHARE on what it refers to until
        # it commits: nobody may delete those species or the gmina meanwhile, others stay free.
        with _other_session() as other:
            other.execute("SET lock_timeout = '200ms'")
            for pk, locked in ((oak.pk, True), (lime.pk, True), (unused.pk, False)):
                if locked:
                    with pytest.raises(psycopg.errors.LockNotAvailable):
                        other.execute("SELECT 1 FROM inventory_treespecies WHERE id = %s FOR UPDATE", [pk])
                else:
                    other.execute("SELECT 1 FROM inventory_treespecies WHERE id = %s FOR UPDATE", [pk])
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute("SELECT 1 FROM sip_gmina WHERE id = %s FOR UPDATE", [gmina.pk])
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute("SELECT 1 FROM sip_obreb WHERE id = %s FOR UPDATE", [obreb.pk])


def test_a_reference_to_nothing_is_refused_on_the_trigger_free_path(osiecznica):
    oak = TreeSpecies.objects.order_by("pk").first()
    missing = TreeSpecies.objects.order_by("-pk").first().pk + 1000
    with transaction.atomic():
        with pytest.raises(IntegrityError, match=f"wartości {missing} kolumny species_id"):
            _write_trees(osiecznica, [oak.pk, missing])
        # Even a caller that catches the error cannot commit the rows.
        assert transaction.get_rollback()
    assert not Tree.objects.filter(gmina=osiecznica).exists()
    assert _role() == "origin"


def test_a_copy_that_fails_midway_leaves_the_triggers_on(osiecznica):
    oak = TreeSpecies.objects.order_by("pk").first()
    register = get_register("trees")
    defaults = dict(zip([a.name for a in register.all_attrs], writing.defaults(register), strict=True))
    row = [
        ["B-1"] if a.name == "external_id" else [oak.pk] if a.name == "species" else [defaults[a.name]]
        for a in register.all_attrs
    ]
    row[[a.name for a in register.all_attrs].index("trunk_circumference_cm")] = [100]
    with pytest.raises(IntegrityError, match="inventory_tree_external_id_unique"):
        with transaction.atomic(), writing.NewItems(register, osiecznica) as sink:
            assert sink.keys is not None  # the trigger-free path (no query may run during a COPY)
            sink.write(row, [POINT])
            sink.write(row, [POINT])  # the same office number again
    assert _role() == "origin"
    assert not Tree.objects.filter(gmina=osiecznica).exists()


def test_a_trigger_of_its_own_keeps_the_row_checks(osiecznica):
    """A table with any trigger besides its key checks gets the keys' own row triggers."""
    oak = TreeSpecies.objects.order_by("pk").first()
    missing = TreeSpecies.objects.order_by("-pk").first().pk + 1000
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE FUNCTION pg_temp.keep() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'"
            )
            cursor.execute(
                "CREATE TRIGGER test_keep BEFORE INSERT ON inventory_tree "
                "FOR EACH ROW EXECUTE FUNCTION pg_temp.keep()"
            )
            assert (
                bulk.set_checkable_keys(
                    cursor.cursor, "inventory_tree", ["species_id", "gmina_id", "obreb_id"]
                )
                is None
            )
        sink = _write_trees(osiecznica, [oak.pk])
        assert sink.keys is None and _role() == "origin"
        with pytest.raises(IntegrityError, match="inventory_treespecies"):
            with transaction.atomic():
                _write_trees(osiecznica, [missing], prefix="C-")
        transaction.set_rollback(True)


def test_a_role_that_may_not_switch_triggers_off_keeps_the_row_checks(osiecznica):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE ROLE sip_test_plain NOLOGIN")
        cursor.execute("SET LOCAL ROLE sip_test_plain")
        assert (
            bulk.set_checkable_keys(cursor.cursor, "inventory_tree", ["species_id", "gmina_id", "obreb_id"])
            is None
        )
        cursor.execute("RESET ROLE")
        assert bulk.set_checkable_keys(
            cursor.cursor, "inventory_tree", ["species_id", "gmina_id", "obreb_id"]
        )
        transaction.set_rollback(True)


@pytest.mark.parametrize(
    "values",
    [
        ["D-1", "C:\\dane\\d2.jpg", "a\tb", "wiersz\npierwszy", "r\r", "\\N", ""],
        ["D-1", "D-2", ""],  # nothing to escape: sent as they are
        ["D-1", 7, None, True, 2.5, "x\\y"],
    ],
)
def test_whole_text_columns_are_escaped_as_cell_by_cell(values):
    assert writing._text_column(values) == [writing._text(v) for v in values]


def test_whole_text_columns_convert_as_cell_by_cell():
    register = get_register("trees")
    text = register.converter(next(a for a in register.all_attrs if a.name == "external_id"))
    cells = ["  D-1 ", "D\t2", "", " \u00a0", "D  3\n"]
    assert text.column(cells) == [text(c) for c in cells]
    assert text.column(["D-1", 5]) is None  # not all text: cell by cell
    assert text.column(["D" * 61]) is None  # too long: cell by cell, with the reason


def test_a_table_other_keys_point_at_is_copied_with_its_keys_checked_per_set(osiecznica):
    """Graves: other tables' keys point at them (their action triggers fire on updates and
    deletes only), so the COPY may still run without row triggers; a missing section fails."""
    from cemetery_routing.models import Cemetery, Grave, Section

    x0, y0 = osiecznica.boundary.extent[0] + 500, osiecznica.boundary.extent[1] + 500
    cemetery = Cemetery.objects.create(
        gmina=osiecznica,
        name="Cmentarz próbny",
        slug="cmentarz-probny",
        boundary=MultiPolygon(Polygon.from_bbox((x0, y0, x0 + 60, y0 + 40)), srid=2180),
    )
    section = Section.objects.create(
        cemetery=cemetery, name="A", geom=Polygon.from_bbox((x0, y0, x0 + 60, y0 + 40))
    )
    columns = ["row", "number", "kind", "status", "cemetery_id", "section_id", "geom"]
    with connection.cursor() as cursor:
        keys = bulk.set_checkable_keys(cursor.cursor, "cemetery_routing_grave", columns)
    assert sorted(key.column for key in keys) == ["cemetery_id", "section_id"]
    point = f"SRID=2180;POINT({x0 + 5} {y0 + 5})"
    row = ["1", "1", Grave.Kind.SINGLE, Grave.Status.OCCUPIED, cemetery.pk, section.pk, point]
    with transaction.atomic():
        assert bulk.copy_rows(Grave, columns, [row], keys_per_set=True) == 1
        assert _role() == "origin"
    assert Grave.objects.filter(section=section, number="1").exists()
    missing = Section.objects.order_by("-pk").first().pk + 1000
    with pytest.raises(IntegrityError, match=f"wartości {missing} kolumny section_id"):
        with transaction.atomic():
            bulk.copy_rows(Grave, columns, [[*row[:1], "2", *row[2:5], missing, point]], keys_per_set=True)
    assert not Grave.objects.filter(cemetery=cemetery, number="2").exists()
    assert _role() == "origin"


def test_parcels_keep_their_triggers_in_a_copy(osiecznica):
    """Parcels carry the triggers that keep each address's parcel (sip 0013): a COPY of parcels
    must fire them, so it never runs with row triggers off."""
    columns = ["identifier", "gmina_id", "obreb_id", "number", "registered_area_m2", "updated_at", "geom"]
    with connection.cursor() as cursor:
        assert bulk.set_checkable_keys(cursor.cursor, "sip_parcel", columns) is None
