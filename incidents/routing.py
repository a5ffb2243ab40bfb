"""Routing: which body handles a report of a category at a point, and why (in Polish).

One function, `decide`, used by the resident form (preview and submit), Open311, staff
re-categorising or re-routing, the admin's test form and the benchmark. Rules are per gmina;
a point outside every partner gmina is refused, and a unit of another gmina is never chosen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.db import connections, router

from cemetery_routing import selectors as cemetery_selectors
from sip.models import Gmina, Street, Unit

from .models import Category, CategorySetting, RoutingRule

OUTSIDE_GMINAS = (
    "To miejsce leży poza gminami obsługiwanymi przez SIP; zgłoś problem w urzędzie właściwej gminy."
)
ROAD_NAMES = {
    "gminna": "gminnej",
    "powiatowa": "powiatowej",
    "wojewodzka": "wojewódzkiej",
    "krajowa": "krajowej",
    "wewnetrzna": "wewnętrznej",
}


class RoutingError(ValueError):
    """The report cannot be routed; the message (Polish) says why."""


@dataclass(frozen=True)
class RegisterObject:
    """A register item a report is about (found through inventory's public selectors)."""

    register: str
    item_id: int
    label: str
    owner_unit_id: int | None = None


@dataclass(frozen=True)
class Decision:
    gmina: Gmina
    category: Category
    unit: Unit
    reason: str
    # The body is outside SIP: the resident is told whom to contact, no report is stored.
    outside: bool = False
    # The report is stored and sent to the unit by e-mail.
    by_email: bool = False
    rule: RoutingRule | None = None
    message: str = ""
    # The gmina's setting of the category, read with the decision (None: the defaults).
    setting: CategorySetting | None = field(default=None, compare=False)

    @property
    def contact(self) -> dict:
        u = self.unit
        return {
            "name": u.name,
            "phone": u.phone,
            "email": u.email,
            "website": u.website,
            "address": u.address,
        }


def gmina_at(point: Point) -> Gmina | None:
    """Return the partner gmina whose boundary holds the point (EPSG:2180), or None."""
    # The boundary itself is not read back: parsing a gmina's outline costs more than the query.
    return Gmina.objects.filter(boundary__intersects=point).defer("boundary").order_by("pk").first()


def setting_of(gmina: Gmina, category: Category) -> CategorySetting | None:
    """Return the gmina's setting of the category (None: defaults, handled in SIP)."""
    return (
        CategorySetting.objects.filter(gmina=gmina, category=category).select_related("outside_unit").first()
    )


def _contact_line(unit: Unit) -> str:
    parts = [unit.name]
    if unit.phone:
        parts.append(f"tel. {unit.phone}")
    if unit.website:
        parts.append(unit.website)
    return ", ".join(parts)


def _allowed(unit: Unit | None, gmina: Gmina) -> bool:
    return unit is not None and unit.gmina_id in (None, gmina.pk)


DEFAULT_ROAD_CATEGORIES = ("powiatowa", "wojewodzka", "krajowa")


def _road_categories(rule: RoutingRule) -> tuple[str, ...]:
    return tuple(rule.road_category_list or DEFAULT_ROAD_CATEGORIES)


@dataclass
class _Facts:
    """Everything a decision may need about a point, read in one statement."""

    gmina: Gmina | None
    setting: CategorySetting | None
    rules: list[RoutingRule]
    roads: list[Street]  # streets any road rule could name, nearest first, with `d`
    cemetery: str | None  # the name of the cemetery holding the point (when a rule asks)
    office: Unit | None  # the gmina office, the fallback
    owner: Unit | None  # the maintainer of the register object, if one was named


# One round trip instead of one per question: a decision used to ask for the gmina, its
# setting, its rules, the roads near the point, the cemetery and the office one by one, which
# cost more than the answers. The SQL only gathers candidates; the rules are applied in Python
# below (the road categories of a rule are read from its field by `_road_categories`, so the
# streets fetched here are a superset: any category any road rule names, plus the defaults).
_FACTS_SQL = """
WITH g AS (
    SELECT g.id, g.teryt, g.name, g.kind, g.slug FROM sip_gmina g
    WHERE {gmina_condition}
    ORDER BY g.id LIMIT 1
),
rules AS (
    SELECT r.*, to_jsonb(u) AS unit_row
    FROM incidents_routingrule r LEFT JOIN sip_unit u ON u.id = r.unit_id
    WHERE r.gmina_id = (SELECT id FROM g) AND (r.category_id IS NULL OR r.category_id = %s)
),
reach AS (
    SELECT max(r.distance_m) AS metres,
           array_agg(DISTINCT regexp_replace(c, '^\\s+|\\s+$', '', 'g')) || %s::text[] AS categories
    FROM rules r LEFT JOIN LATERAL unnest(string_to_array(r.road_categories, ',')) c ON true
    WHERE r.condition = 'road'
)
SELECT
    (SELECT to_jsonb(g) FROM g),
    (SELECT jsonb_build_object('setting', to_jsonb(s), 'unit', to_jsonb(u))
       FROM incidents_categorysetting s LEFT JOIN sip_unit u ON u.id = s.outside_unit_id
      WHERE s.gmina_id = (SELECT id FROM g) AND s.category_id = %s),
    (SELECT jsonb_agg(to_jsonb(r) ORDER BY r.priority, r.id) FROM rules r),
    (SELECT jsonb_agg(
                jsonb_build_object(
                    'id', n.id, 'name', n.name, 'road_category', n.road_category,
                    'road_number', n.road_number, 'd', n.d, 'manager', n.manager)
                ORDER BY n.d, n.id)
       FROM (SELECT s.id, s.name, s.road_category, s.road_number,
                    ST_Distance(s.geom, ST_SetSRID(ST_MakePoint(%s, %s), 2180)) AS d,
                    to_jsonb(u) AS manager
               FROM sip_street s CROSS JOIN reach
               LEFT JOIN sip_unit u ON u.id = s.road_manager_id
              WHERE s.gmina_id = (SELECT id FROM g)
                AND s.road_category = ANY (reach.categories)
                AND ST_DWithin(s.geom, ST_SetSRID(ST_MakePoint(%s, %s), 2180), reach.metres)) n),
    (SELECT c.name FROM ({cemeteries}) c
      WHERE c.gmina_id = (SELECT id FROM g)
        AND EXISTS (SELECT 1 FROM rules WHERE condition = 'cemetery')
      LIMIT 1),
    (SELECT to_jsonb(u) FROM sip_unit u
      WHERE u.gmina_id = (SELECT id FROM g) AND u.kind = 'gmina_office' ORDER BY u.id LIMIT 1),
    (SELECT to_jsonb(u) FROM sip_unit u WHERE u.id = %s)
"""


def _row(model, db: str, data: dict | None):
    """A model instance from a row given as JSON (geometry columns are left deferred)."""
    if data is None:
        return None
    fields = [
        f for f in model._meta.concrete_fields if f.attname in data and not isinstance(f, GeometryField)
    ]
    return model.from_db(db, [f.attname for f in fields], [f.to_python(data[f.attname]) for f in fields])


def _facts(point: Point, category: Category, gmina: Gmina | None, owner_unit_id: int | None) -> _Facts:
    db = router.db_for_read(RoutingRule)
    if gmina is None:
        gmina_condition, gmina_params = (
            "ST_Intersects(g.boundary, ST_SetSRID(ST_MakePoint(%s, %s), 2180))",
            [
                point.x,
                point.y,
            ],
        )
    else:
        gmina_condition, gmina_params = "g.id = %s", [gmina.pk]
    cemeteries, cemetery_params = (
        cemetery_selectors.cemeteries_at(point).values("gmina_id", "name").query.sql_with_params()
    )
    sql = _FACTS_SQL.format(gmina_condition=gmina_condition, cemeteries=cemeteries)
    params = [
        *gmina_params,
        category.pk,
        list(DEFAULT_ROAD_CATEGORIES),
        category.pk,
        point.x,
        point.y,
        point.x,
        point.y,
        *cemetery_params,
        owner_unit_id,
    ]
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        gmina_row, setting_row, rule_rows, road_rows, cemetery, office_row, owner_row = cursor.fetchone()
    gmina_row, setting_row, rule_rows, road_rows, office_row, owner_row = (
        json.loads(v) if isinstance(v, str) else v  # jsonb arrives parsed or as text, by driver
        for v in (gmina_row, setting_row, rule_rows, road_rows, office_row, owner_row)
    )
    if gmina_row is None:
        return _Facts(None, None, [], [], None, None, None)
    if gmina is None:
        gmina = _row(Gmina, db, gmina_row)
    setting = None
    if setting_row is not None:
        setting = _row(CategorySetting, db, setting_row["setting"])
        if setting_row["unit"] is not None:
            setting.outside_unit = _row(Unit, db, setting_row["unit"])
    rules = []
    for data in rule_rows or ():
        rule = _row(RoutingRule, db, data)
        if data["unit_row"] is not None:
            rule.unit = _row(Unit, db, data["unit_row"])
        rules.append(rule)
    roads = []
    for data in road_rows or ():
        manager = _row(Unit, db, data["manager"])
        street = Street(
            id=data["id"],
            name=data["name"],
            road_category=data["road_category"],
            road_number=data["road_number"],
            road_manager=manager,
        )
        street.d = D(m=data["d"])
        roads.append(street)
    return _Facts(
        gmina, setting, rules, roads, cemetery, _row(Unit, db, office_row), _row(Unit, db, owner_row)
    )


def _road_match(rule: RoutingRule, gmina: Gmina, roads: list[Street]):
    categories = _road_categories(rule)
    street = next(
        (s for s in roads if s.road_category in categories and s.d.m <= float(rule.distance_m)), None
    )
    if street is None:
        return None
    unit = rule.unit or street.road_manager
    if not _allowed(unit, gmina):
        return None
    road = ROAD_NAMES.get(street.road_category, street.road_category)
    number = f" {street.road_number}" if street.road_number else ""
    reason = (
        f"Miejsce leży {street.d.m:.0f} m od drogi {road}{number} ({street.name}); "
        f"zgłoszenie trafia do zarządcy: {unit.name}."
    )
    return unit, reason


def _cemetery_match(rule: RoutingRule, gmina: Gmina, cemetery: str | None):
    if cemetery is None or not _allowed(rule.unit, gmina):
        return None
    return (
        rule.unit,
        f"Miejsce leży na terenie cmentarza „{cemetery}”; administrator: {rule.unit.name}.",
    )


def _register_match(rule: RoutingRule, gmina: Gmina, obj: RegisterObject | None, owner: Unit | None):
    if obj is None or (rule.register and rule.register != obj.register):
        return None
    unit = rule.unit or owner
    if not _allowed(unit, gmina):
        return None
    return unit, f"Zgłoszenie dotyczy obiektu rejestru: {obj.label}; utrzymuje go: {unit.name}."


def decide(
    *,
    point: Point,
    category: Category,
    register_object: RegisterObject | None = None,
    gmina: Gmina | None = None,
) -> Decision:
    """Return the routing decision (unit and Polish reason) for a report of `category` at
    `point` (EPSG:2180); RoutingError (Polish) when the point or category cannot be handled."""
    if point.srid != 2180:
        point = point.transform(2180, clone=True)
    facts = _facts(point, category, gmina, register_object.owner_unit_id if register_object else None)
    gmina = facts.gmina
    if gmina is None:
        raise RoutingError(OUTSIDE_GMINAS)
    if not category.active:
        raise RoutingError(f"Kategoria „{category.name}” nie jest już przyjmowana.")
    setting = facts.setting
    if setting is not None and not setting.enabled:
        raise RoutingError(f"Gmina {gmina.name} nie przyjmuje zgłoszeń w kategorii „{category.name}”.")
    if setting is not None and setting.handling != CategorySetting.Handling.ROUTE:
        unit = setting.outside_unit
        if setting.handling == CategorySetting.Handling.OUTSIDE:
            message = setting.outside_message or (
                f"Sprawy z kategorii „{category.name}” nie należą do gminy {gmina.name}. "
                f"Zgłoś je bezpośrednio: {_contact_line(unit)}."
            )
            return Decision(gmina, category, unit, message, outside=True, message=message, setting=setting)
        reason = (
            f"Sprawy z kategorii „{category.name}” nie należą do gminy {gmina.name}; "
            f"zgłoszenie zostanie przekazane e-mailem do: {unit.name}."
        )
        return Decision(
            gmina, category, unit, reason, by_email=True, message=setting.outside_message, setting=setting
        )

    found = None
    rule = None
    for rule in facts.rules:
        if rule.condition == RoutingRule.Condition.ROAD:
            found = _road_match(rule, gmina, facts.roads)
        elif rule.condition == RoutingRule.Condition.CEMETERY:
            found = _cemetery_match(rule, gmina, facts.cemetery)
        elif rule.condition == RoutingRule.Condition.REGISTER:
            found = _register_match(rule, gmina, register_object, facts.owner)
        elif _allowed(rule.unit, gmina):
            found = (
                rule.unit,
                f"Zgłoszenia z kategorii „{category.name}” w gminie {gmina.name} "
                f"obsługuje: {rule.unit.name}.",
            )
        if found:
            break
    else:
        rule = None
    if not found:
        unit = facts.office
        if unit is None:
            raise RoutingError(f"Gmina {gmina.name} nie ma jeszcze jednostki przyjmującej zgłoszenia.")
        found = unit, f"Zgłoszenie trafia do urzędu gminy: {unit.name}."
    unit, reason = found
    if unit.receives == Unit.Receives.NONE:
        message = (
            f"{reason} Ten podmiot nie przyjmuje zgłoszeń przez SIP – "
            f"zgłoś problem bezpośrednio: {_contact_line(unit)}."
        )
        return Decision(
            gmina, category, unit, message, outside=True, rule=rule, message=message, setting=setting
        )
    by_email = unit.receives in (Unit.Receives.EMAIL, Unit.Receives.BOTH) and bool(unit.email)
    return Decision(gmina, category, unit, reason, by_email=by_email, rule=rule, setting=setting)
