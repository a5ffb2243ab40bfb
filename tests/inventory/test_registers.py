"""The register mechanism: declarations, the felling-permit flag by the statutory thresholds,
totals per lighting circuit (oracle: the source sheet read with openpyxl), inspections."""

import datetime as dt
from collections import defaultdict

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from inventory import selectors, services
from inventory.models import Lamp, Tree, TreeSpecies
from inventory.registers import REGISTERS, get_register

from .conftest import OSIECZNICA_2180, SAMPLES, run_import

pytestmark = pytest.mark.django_db


def test_every_declaration_is_complete():
    for register in REGISTERS.values():
        fields = {f.name for f in register.model._meta.get_fields()}
        names = [a.name for a in register.all_attrs]
        assert set(names) <= fields and "geom" in fields
        shp = [a.shp for a in register.all_attrs] + [c.shp for c in register.computed]
        assert all(0 < len(s) <= 10 for s in shp) and len(set(shp)) == len(shp), register.slug


@pytest.mark.parametrize(
    ("latin", "c130", "c5", "monument", "expected"),
    [
        ("Populus nigra", 75, 80, False, "not_required"),  # poplar: 80 cm
        ("Populus nigra", 75, 81, False, "required"),
        ("Acer negundo", 60, 79, False, "not_required"),
        ("Salix alba", 85, None, False, "required"),  # over 80 at 130 cm is over 80 at 5 cm too
        ("Aesculus hippocastanum", 50, 65, False, "not_required"),  # horse chestnut: 65 cm
        ("Aesculus hippocastanum", 50, 66, False, "required"),
        ("Platanus × hispanica", 60, None, False, "measure"),
        ("Tilia cordata", 40, 50, False, "not_required"),  # other species: 50 cm
        ("Tilia cordata", 40, 51, False, "required"),
        ("Tilia cordata", 45, None, False, "measure"),
        ("Quercus robur", 30, 35, True, "monument"),
    ],
)
def test_felling_permit_by_species_threshold(osiecznica, latin, c130, c5, monument, expected):
    species = TreeSpecies.objects.get(latin_name=latin)
    tree = Tree.objects.create(
        gmina=osiecznica,
        species=species,
        trunk_circumference_cm=c130,
        circumference_at_5cm_cm=c5,
        natural_monument=monument,
        geom=Point(*OSIECZNICA_2180, srid=2180),
    )
    assert get_register("trees").queryset().get(pk=tree.pk).felling_permit == expected


def test_totals_per_circuit_agree_with_the_source_sheet(osiecznica):
    run_import("lighting-lines", str(SAMPLES / "linie_oswietlenia_osiecznica.geojson"), "--gmina", "020105_2")
    run_import(
        "lamps", str(SAMPLES / "latarnie_osiecznica.xlsx"), "--gmina", "020105_2", "--errors", "/dev/null"
    )
    expected = defaultdict(lambda: {"lamps": 0, "power_w": 0, "led_lamps": 0})
    sheet = load_workbook(SAMPLES / "latarnie_osiecznica.xlsx").active
    for row in sheet.iter_rows(min_row=4, values_only=True):
        number, cabinet, circuit, _pole, _height, _luminaire, power, led, *_ = row
        if number is None or not circuit or not isinstance(power, int):
            continue  # the empty row and the two broken rows
        totals = expected[(cabinet, circuit)]
        totals["lamps"] += 1
        totals["power_w"] += power
        totals["led_lamps"] += led == "tak"
    got = {
        (c["switch_cabinet"], c["circuit"]): {k: c[k] for k in ("lamps", "power_w", "led_lamps")}
        for c in selectors.circuit_totals(osiecznica, user=AnonymousUser())  # lamps are public
    }
    assert got == dict(expected)
    assert sum(t["lamps"] for t in got.values()) == Lamp.objects.filter(gmina=osiecznica).count() == 15


def test_overdue_inspections_use_the_latest_inspection(osiecznica, osiecznica_editor, other_editor):
    register = get_register("small-architecture")
    x, y = OSIECZNICA_2180
    bench = services.create_item(
        actor=osiecznica_editor,
        register=register,
        gmina=osiecznica,
        geom=Point(x, y, srid=2180),
        values={"kind": "ławka", "external_id": "MA-1"},
    )
    swing = services.create_item(
        actor=osiecznica_editor,
        register=register,
        gmina=osiecznica,
        geom=Point(x + 5, y, srid=2180),
        values={"kind": "huśtawka", "external_id": "MA-2"},
    )
    today = dt.date(2026, 11, 23)
    services.record_inspection(
        actor=osiecznica_editor,
        register=register,
        item=bench,
        inspected_on=dt.date(2025, 1, 10),
        inspector="J. Kowalski",
        result="minor",
        next_due=dt.date(2025, 7, 10),
    )
    services.record_inspection(
        actor=osiecznica_editor,
        register=register,
        item=swing,
        inspected_on=dt.date(2025, 1, 10),
        inspector="J. Kowalski",
        result="ok",
        next_due=dt.date(2025, 4, 10),
    )
    services.record_inspection(
        actor=osiecznica_editor,
        register=register,
        item=swing,
        inspected_on=dt.date(2026, 5, 1),
        inspector="J. Kowalski",
        result="ok",
        next_due=dt.date(2027, 5, 1),
    )
    overdue = selectors.overdue_inspections(osiecznica, today)
    assert [(r["item"].external_id, r["days_overdue"]) for r in overdue] == [
        ("MA-1", (today - dt.date(2025, 7, 10)).days)
    ]
    with pytest.raises(ValidationError, match="później"):
        services.record_inspection(
            actor=osiecznica_editor,
            register=register,
            item=bench,
            inspected_on=dt.date(2026, 1, 1),
            inspector="X",
            result="ok",
            next_due=dt.date(2025, 1, 1),
        )
    with pytest.raises(PermissionDenied, match="tej gminy"):
        services.record_inspection(
            actor=other_editor,
            register=register,
            item=bench,
            inspected_on=dt.date(2026, 1, 1),
            inspector="X",
            result="ok",
        )
    assert [e.action for e in selectors.history(register, bench)] == ["create"]
