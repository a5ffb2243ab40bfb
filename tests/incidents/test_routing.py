"""Routing, table-driven: who gets a report of a category at a place, and the reason."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point

from incidents.registers import register_object
from incidents.routing import RoutingError, decide

from .conftest import pt

# (case, x, y, category attribute, expected unit attribute, outside, words in the reason)
CASES = [
    ("gmina road", 100, 505, "pothole", "roads_dept_a", False, "Dziura w jezdni"),
    ("county road, 10 m", 100, 1_010, "pothole", "pzd", False, "10 m od drogi powiatowej 1234D"),
    ("county road, 14.9 m", 100, 985.1, "pothole", "pzd", False, "drogi powiatowej"),
    ("county road, 15.1 m beyond", 100, 1_015.1, "pothole", "roads_dept_a", False, "obsługuje"),
    ("voivodeship road", 100, 1_503, "pothole", "dsdik", False, "drogi wojewódzkiej DW297"),
    ("national road: GDDKiA outside SIP", 100, 2_005, "pothole", "gddkia", True, "71 334 73 00"),
    ("cemetery", 3_200, 3_200, "grave_cat", "cemetery_admin", False, "Cmentarz Komunalny A"),
    ("nothing matches: gmina office", 2_500, 3_500, "grave_cat", "office_a", False, "urzędu gminy"),
    ("outside competence (gas)", 100, 100, "gas_cat", "gas", True, "992"),
]


@pytest.mark.parametrize(
    ("case", "x", "y", "category", "unit", "outside", "words"), CASES, ids=[c[0] for c in CASES]
)
def test_routing_table(world, case, x, y, category, unit, outside, words):
    d = decide(point=pt(x, y), category=getattr(world, category))
    assert d.unit == getattr(world, unit), d.reason
    assert d.outside is outside
    assert words in d.reason
    assert d.gmina == world.a


def test_register_object_goes_to_the_registers_maintainer(world):
    obj = register_object("lamps", world.lamp.pk, gmina=world.a)
    d = decide(point=pt(200, 200), category=world.lamp_cat, register_object=obj)
    assert d.unit == world.tauron
    assert "L-7" in d.reason and "TAURON" in d.reason
    # Without the object, the same lamp category at the same point goes to the gmina.
    assert decide(point=pt(200, 200), category=world.lamp_cat).unit == world.office_a


def test_outside_every_gmina_is_refused(world):
    with pytest.raises(RoutingError, match="poza gminami"):
        decide(point=Point(690_000, 290_000, srid=2180), category=world.pothole)


def test_a_point_in_gmina_a_never_goes_to_gmina_b_units(world):
    from django.core.exceptions import ValidationError

    from incidents.models import RoutingRule

    # A rule of gmina A naming gmina B's office is refused when saved (sip.tenancy) ...
    with pytest.raises(ValidationError, match="innej gminy"):
        RoutingRule.objects.create(
            gmina=world.a, category=world.pothole, condition="anywhere", unit=world.office_b, priority=1
        )
    # ... and skipped by routing if one got into the table past the check.
    rule = RoutingRule.objects.create(
        gmina=world.a, category=world.pothole, condition="anywhere", unit=world.office_a, priority=1
    )
    RoutingRule.objects.filter(pk=rule.pk).update(unit=world.office_b)
    d = decide(point=pt(100, 505), category=world.pothole)
    assert d.unit == world.roads_dept_a
    # A point in gmina B goes to B's office, not to A's rules.
    d = decide(point=pt(4_500, 505), category=world.pothole)
    assert d.gmina == world.b and d.unit == world.office_b


def test_disabled_category_is_refused(world):
    from incidents.models import CategorySetting

    CategorySetting.objects.create(gmina=world.a, category=world.pothole, enabled=False)
    with pytest.raises(RoutingError, match="nie przyjmuje"):
        decide(point=pt(100, 505), category=world.pothole)


def test_admin_test_form_says_where_and_why(client, world, central):
    from .conftest import wgs

    lat, lon = wgs(100, 1_010)
    client.force_login(central)
    page = client.get(
        "/admin/incidents/routingrule/test/", {"lat": lat, "lon": lon, "category": world.pothole.pk}
    ).content.decode()
    assert "Powiatowy Zarząd Dróg" in page and "drogi powiatowej" in page
    page = client.get(
        "/admin/incidents/routingrule/test/", {"lat": 51.0, "lon": 23.9, "category": world.pothole.pk}
    )
    assert "poza gminami" in page.content.decode()


def test_a_decision_is_one_round_trip(world, django_assert_num_queries):
    """The gmina, its setting, rules, nearby roads, cemetery and office come in one statement."""
    with django_assert_num_queries(1):
        d = decide(point=pt(100, 1_010), category=world.pothole)
    assert d.unit == world.pzd
    obj = register_object("lamps", world.lamp.pk, gmina=world.a)
    with django_assert_num_queries(1):
        assert decide(point=pt(200, 200), category=world.lamp_cat, register_object=obj).unit == world.tauron


def test_edits_of_rules_settings_units_and_roads_take_effect_at_once(world):
    from incidents.models import CategorySetting, RoutingRule
    from sip.models import Street

    assert decide(point=pt(100, 1_010), category=world.pothole).unit == world.pzd
    # A wider reach of the road rule: 30 m from the county road now goes to its manager.
    assert decide(point=pt(100, 1_030), category=world.pothole).unit == world.roads_dept_a
    RoutingRule.objects.filter(gmina=world.a, condition="road").update(distance_m=40)
    d = decide(point=pt(100, 1_030), category=world.pothole)
    assert d.unit == world.pzd and "30 m od drogi powiatowej" in d.reason
    # Only voivodeship roads for the rule: the county road no longer counts.
    RoutingRule.objects.filter(gmina=world.a, condition="road").update(road_categories=" wojewodzka ")
    assert decide(point=pt(100, 1_030), category=world.pothole).unit == world.roads_dept_a
    # The road changes its category and manager.
    Street.objects.filter(name="ul. Powiatowa").update(road_category="wojewodzka", road_manager=world.dsdik)
    d = decide(point=pt(100, 1_030), category=world.pothole)
    assert d.unit == world.dsdik and d.by_email
    # The unit stops taking reports through SIP.
    world.dsdik.receives = "none"
    world.dsdik.save()
    assert decide(point=pt(100, 1_030), category=world.pothole).outside
    # The gmina hands the category to an outside body.
    CategorySetting.objects.create(
        gmina=world.a, category=world.pothole, handling="forward", outside_unit=world.pzd
    )
    d = decide(point=pt(100, 1_030), category=world.pothole)
    assert d.unit == world.pzd and d.by_email and "przekazane e-mailem" in d.reason
    assert d.setting is not None and d.setting.handling == "forward"
