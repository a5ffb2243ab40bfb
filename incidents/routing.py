"""Routing: which body handles a report of a category at a point, and why (in Polish).

One function, `decide`, used by the resident form (preview and submit), Open311, staff
re-categorising or re-routing, the admin's test form and the benchmark. Rules are per gmina;
a point outside every partner gmina is refused, and a unit of another gmina is never chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.db.models import Q

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


def _roads_near(rules: list[RoutingRule], gmina: Gmina, point: Point) -> list[Street]:
    """The streets that any of the road rules could name, nearest first: one query for all of
    them (a gmina may have many road rules; a query per rule took most of a decision)."""
    road_rules = [r for r in rules if r.condition == RoutingRule.Condition.ROAD]
    if not road_rules:
        return []
    categories = {c for r in road_rules for c in _road_categories(r)}
    return list(
        Street.objects.filter(
            gmina=gmina,
            road_category__in=categories,
            geom__dwithin=(point, max(float(r.distance_m) for r in road_rules)),
        )
        .annotate(d=Distance("geom", point))
        .select_related("road_manager")
        .only("name", "road_category", "road_number", "road_manager")
        .order_by("d", "pk")
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


def _cemetery_match(rule: RoutingRule, gmina: Gmina, point: Point):
    cemetery = (
        cemetery_selectors.cemeteries(gmina.pk)
        .filter(boundary__intersects=point)
        .values("name", "manager")
        .first()
    )
    if cemetery is None or not _allowed(rule.unit, gmina):
        return None
    return (
        rule.unit,
        f"Miejsce leży na terenie cmentarza „{cemetery['name']}”; administrator: {rule.unit.name}.",
    )


def _register_match(rule: RoutingRule, gmina: Gmina, obj: RegisterObject | None):
    if obj is None or (rule.register and rule.register != obj.register):
        return None
    unit = rule.unit
    if unit is None and obj.owner_unit_id:
        unit = Unit.objects.filter(pk=obj.owner_unit_id).first()
    if not _allowed(unit, gmina):
        return None
    return unit, f"Zgłoszenie dotyczy obiektu rejestru: {obj.label}; utrzymuje go: {unit.name}."


def _gmina_office(gmina: Gmina) -> Unit:
    unit = Unit.objects.filter(gmina=gmina, kind=Unit.Kind.GMINA_OFFICE).order_by("pk").first()
    if unit is None:
        raise RoutingError(f"Gmina {gmina.name} nie ma jeszcze jednostki przyjmującej zgłoszenia.")
    return unit


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
    gmina = gmina or gmina_at(point)
    if gmina is None:
        raise RoutingError(OUTSIDE_GMINAS)
    if not category.active:
        raise RoutingError(f"Kategoria „{category.name}” nie jest już przyjmowana.")
    setting = setting_of(gmina, category)
    if setting is not None and not setting.enabled:
        raise RoutingError(f"Gmina {gmina.name} nie przyjmuje zgłoszeń w kategorii „{category.name}”.")
    if setting is not None and setting.handling != CategorySetting.Handling.ROUTE:
        unit = setting.outside_unit
        if setting.handling == CategorySetting.Handling.OUTSIDE:
            message = setting.outside_message or (
                f"Sprawy z kategorii „{category.name}” nie należą do gminy {gmina.name}. "
                f"Zgłoś je bezpośrednio: {_contact_line(unit)}."
            )
            return Decision(gmina, category, unit, message, outside=True, message=message)
        reason = (
            f"Sprawy z kategorii „{category.name}” nie należą do gminy {gmina.name}; "
            f"zgłoszenie zostanie przekazane e-mailem do: {unit.name}."
        )
        return Decision(gmina, category, unit, reason, by_email=True, message=setting.outside_message)

    found = None
    rules = list(
        RoutingRule.objects.filter(Q(category__isnull=True) | Q(category=category), gmina=gmina)
        .select_related("unit")
        .order_by("priority", "id")
    )
    roads = _roads_near(rules, gmina, point)
    rule = None
    for rule in rules:
        if rule.condition == RoutingRule.Condition.ROAD:
            found = _road_match(rule, gmina, roads)
        elif rule.condition == RoutingRule.Condition.CEMETERY:
            found = _cemetery_match(rule, gmina, point)
        elif rule.condition == RoutingRule.Condition.REGISTER:
            found = _register_match(rule, gmina, register_object)
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
        unit = _gmina_office(gmina)
        found = unit, f"Zgłoszenie trafia do urzędu gminy: {unit.name}."
    unit, reason = found
    if unit.receives == Unit.Receives.NONE:
        message = (
            f"{reason} Ten podmiot nie przyjmuje zgłoszeń przez SIP – "
            f"zgłoś problem bezpośrednio: {_contact_line(unit)}."
        )
        return Decision(gmina, category, unit, message, outside=True, rule=rule, message=message)
    by_email = unit.receives in (Unit.Receives.EMAIL, Unit.Receives.BOTH) and bool(unit.email)
    return Decision(gmina, category, unit, reason, by_email=by_email, rule=rule)
