"""Reads of the registers: who sees which register, filtered items as GeoJSON, circuit totals,
overdue inspections, history."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.db.models.functions import AsGeoJSON, Length, Transform
from django.contrib.gis.geos import Polygon
from django.db import connection
from django.db import models as djm
from django.db.models import (
    BooleanField,
    Count,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.utils import timezone

from sip import tenancy
from sip.geometry import STORAGE_SRID, GeometryError, check_in_poland
from sip.models import AuditLog, Gmina
from sip.text import plain_int

from . import values as v
from .models import Inspection, Lamp, LightingLine
from .registers import REGISTERS, Register

MAX_FEATURES = 20_000
DEFAULT_FEATURES = 5_000


class FilterError(ValueError):
    """A filter the caller got wrong; the message is Polish."""


class RegisterIsPublic(Func):
    """Whether the register is public in the gmina (SQL inventory_register_is_public: the one
    rule, which the map views read too)."""

    function = "inventory_register_is_public"
    output_field = BooleanField()

    def __init__(self, gmina, slug: str, **extra):
        super().__init__(gmina, Value(slug), **extra)


def is_public(register: Register, gmina: Gmina | int) -> bool:
    """Return whether residents see this register of the gmina."""
    gmina_id = gmina if isinstance(gmina, int) else gmina.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT inventory_register_is_public(%s, %s)", [gmina_id, register.slug])
        return cursor.fetchone()[0]


def can_view(user, register: Register, gmina: Gmina | int) -> bool:
    """Return whether the user may see the register of this gmina."""
    return is_public(register, gmina) or tenancy.can(user, register.perm("view"), gmina)


def visible_gmina_ids(user, register: Register) -> list[int]:
    """Return the ids of the gminas whose register the user may see."""
    ids = []
    for gmina_id, public in Gmina.objects.values_list("pk", RegisterIsPublic(F("pk"), register.slug)):
        if public or tenancy.can(user, register.perm("view"), gmina_id):
            ids.append(gmina_id)
    return ids


def registers_of(user, gmina: Gmina) -> list[dict]:
    """Return the registers of a gmina the user may see, each with its item count."""
    out = []
    for register in REGISTERS.values():
        if not can_view(user, register, gmina):
            continue
        out.append(
            {
                "register": register,
                "count": register.model.objects.filter(gmina=gmina).count(),
                "public": is_public(register, gmina),
                "can_edit": tenancy.can(user, register.perm("change"), gmina),
            }
        )
    return out


def parse_bbox(text: str, srid: int) -> Polygon:
    try:
        parts = [float(p) for p in text.split(",")]
    except ValueError:
        raise FilterError("bbox: podaj cztery liczby minx,miny,maxx,maxy.") from None
    if len(parts) != 4 or not parts[0] < parts[2] or not parts[1] < parts[3]:
        raise FilterError("bbox: podaj cztery liczby minx,miny,maxx,maxy (min mniejsze od max).")
    try:
        check_in_poland(parts[0], parts[1], srid)
        check_in_poland(parts[2], parts[3], srid)
    except GeometryError as exc:
        raise FilterError(f"bbox: {exc}") from None
    box = Polygon.from_bbox(parts)
    box.srid = srid
    return box.transform(STORAGE_SRID, clone=True) if srid != STORAGE_SRID else box


def filter_items(register: Register, qs: QuerySet, params, *, user) -> QuerySet:
    """Apply attribute filters from query parameters: `field=value` for equality (choices,
    yes/no, text, references by number or name), `field__gte=` / `field__lte=` for ranges,
    `q=` for the office number prefix. Unknown parameters are an error. A reference into a
    register the user may not see matches nothing (it would tell which items share it)."""
    attrs = {a.name: a for a in register.all_attrs if a.filter}
    computed = {c.name: c for c in register.computed}
    lookups = None
    for key, raw in params.items():
        if key in ("bbox", "bbox_srid", "srid", "gmina", "limit", "offset", "format", "page", "q", "sort"):
            continue
        name, _, op = key.partition("__")
        if name in computed:
            allowed = {c for c, _ in computed[name].choices}
            if raw not in allowed:
                raise FilterError(f"{name}: dozwolone wartości: {', '.join(sorted(allowed))}.")
            qs = qs.filter(**{name: raw})
            continue
        if name not in attrs or op not in ("", "gte", "lte"):
            raise FilterError(f"Nieznany filtr „{key}”.")
        attr = attrs[name]
        f = register.model_field(name)
        if attr.ref is not None and attr.ref.register:
            qs = qs.filter(**{f"{f.attname}__in": _seen_targets(user, attr.ref).values("pk")})
        if attr.ref is not None:
            number = plain_int(str(raw))
            if number is not None:
                qs = qs.filter(**{f"{f.attname}": number})
                continue
            if lookups is None:
                lookups = {a.name: a.ref.lookup(None) if a.ref is not None else {} for a in attrs.values()}
        try:
            if op and not isinstance(f, djm.DateField | djm.IntegerField | djm.DecimalField):
                raise FilterError(f"{name}: zakres tylko dla liczb i dat.")
            value = register.convert(attr, raw, lookups)
        except (v.ValueProblem, KeyError) as exc:
            raise FilterError(f"{name}: {exc}") from None
        if isinstance(f, djm.CharField) and not f.choices and not op:
            qs = qs.filter(**{f"{name}__iexact": value})
        else:
            qs = qs.filter(**{f"{f.attname}{'__' + op if op else ''}": value})
    if params.get("q"):
        qs = qs.filter(external_id__istartswith=params["q"].strip())
    return qs


def items(user, register: Register, *, gmina: Gmina | None = None) -> QuerySet:
    """Return the register's items the user may see (of one gmina, or of all visible ones),
    with references into registers the user may not see left empty."""
    qs = _with_visible_references(user, register, register.queryset())
    if gmina is not None:
        return qs.filter(gmina=gmina) if can_view(user, register, gmina) else qs.none()
    return qs.filter(gmina_id__in=visible_gmina_ids(user, register))


def _with_visible_references(user, register: Register, qs: QuerySet) -> QuerySet:
    """The items with each reference into another register (a lamp's lighting line) read only
    from the gminas whose register the user may see; any other reference reads as None, so an
    internal register's numbers never show through a public one (API, exports, pages)."""
    hidden = [a for a in register.attrs if a.ref is not None and a.ref.register]
    if not hidden:
        return qs
    names = {a.name for a in hidden}
    # A reference already joined would not be prefetched again: join only the others.
    qs = qs.select_related(None)
    joined = [r for r in register.related if r not in names]
    if joined:
        qs = qs.select_related(*joined)
    for attr in hidden:
        qs = qs.prefetch_related(Prefetch(attr.name, queryset=_seen_targets(user, attr.ref)))
    return qs


def _seen_targets(user, ref) -> QuerySet:
    """The items of the register a reference points into that the user may see."""
    target = REGISTERS[ref.register]
    return target.model.objects.filter(gmina_id__in=visible_gmina_ids(user, target))


def _precision(srid: int) -> int:
    return 7 if srid == 4326 else 2


def plain_value(register: Register, obj, name: str):
    """The value of an attribute as JSON: choices as stored codes, references as text."""
    attr = register.attr(name)
    if attr.ref is not None:
        related = getattr(obj, name)
        return attr.ref.display(related) if related is not None else None
    value = getattr(obj, name)
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "as_tuple"):
        return float(value)
    return value


def display_value(register: Register, obj, name: str) -> str:
    """The value of an attribute as a person reads it (choice labels, tak/nie, dd.mm.rrrr)."""
    for c in register.computed:
        if c.name == name:
            return dict(c.choices).get(getattr(obj, name), "")
    attr = register.attr(name)
    f = register.model_field(name)
    value = getattr(obj, name)
    if value is None or value == "":
        return ""
    if attr.ref is not None:
        return attr.ref.display(value)
    if f.choices and not isinstance(f, djm.BooleanField):
        return str(dict(f.choices).get(value, value))
    if isinstance(value, bool):
        return "tak" if value else "nie"
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value).replace(".", ",") if hasattr(value, "as_tuple") else str(value)


def feature(register: Register, obj) -> dict:
    """Return a GeoJSON Feature of an item annotated with `geojson`."""
    props = {"register": register.slug, "gmina": obj.gmina_id}
    for a in register.all_attrs:
        props[a.name] = plain_value(register, obj, a.name)
    for c in register.computed:
        props[c.name] = getattr(obj, c.name)
    props["label"] = str(obj)
    return {"type": "Feature", "id": obj.pk, "geometry": json.loads(obj.geojson), "properties": props}


def feature_collection(register: Register, qs: QuerySet, srid: int, *, limit: int, offset: int = 0) -> dict:
    """Return a FeatureCollection of the items (geometry in `srid`), with paging counts."""
    total = qs.count()
    page = qs.annotate(geojson=AsGeoJSON(Transform("geom", srid), precision=_precision(srid)))
    page = page.order_by("id")[offset : offset + limit]
    out = {
        "type": "FeatureCollection",
        "numberMatched": total,
        "numberReturned": 0,
        "features": [feature(register, obj) for obj in page],
    }
    out["numberReturned"] = len(out["features"])
    if srid != 4326:
        out["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{srid}"}}
    return out


def item_feature(register: Register, pk: int, srid: int, *, user) -> dict | None:
    """Return one item as a GeoJSON Feature, as `items` shows it to the user, or None."""
    obj = (
        _with_visible_references(user, register, register.queryset())
        .filter(pk=pk)
        .annotate(geojson=AsGeoJSON(Transform("geom", srid), precision=_precision(srid)))
        .first()
    )
    return feature(register, obj) if obj is not None else None


def circuit_totals(gmina: Gmina, *, user) -> list[dict]:
    """Return per lighting circuit (cabinet, circuit): lamps, installed power in W, LED lamps,
    and the length of its lines in metres, ordered by cabinet and circuit.

    Each figure comes from one register and is given only to a user who may see that register
    (can_view): an aggregate of an internal register is as internal as its rows. The lighting
    lines are internal by default, so for the public `lines` and `line_length_m` are None and
    circuits known only from lines are left out; with the lamps not visible nothing is given."""
    from .registers import REGISTERS

    lamps = {}
    if can_view(user, REGISTERS["lamps"], gmina):
        lamps = {
            (row["switch_cabinet"], row["circuit"]): row
            for row in Lamp.objects.filter(gmina=gmina)
            .values("switch_cabinet", "circuit")
            .annotate(lamps=Count("id"), power_w=Sum("power_w"), led=Count("id", filter=Q(is_led=True)))
        }
    lines = None
    if can_view(user, REGISTERS["lighting-lines"], gmina):
        lines = {
            (row["switch_cabinet"], row["circuit"]): row
            for row in LightingLine.objects.filter(gmina=gmina)
            .values("switch_cabinet", "circuit")
            .annotate(length=Sum(Length("geom")), lines=Count("id"))
        }
    out = []
    for key in sorted(set(lamps) | set(lines or ())):
        lamp = lamps.get(key, {})
        line = (lines or {}).get(key, {})
        out.append(
            {
                "switch_cabinet": key[0],
                "circuit": key[1],
                "lamps": lamp.get("lamps", 0),
                "power_w": lamp.get("power_w") or 0,
                "led_lamps": lamp.get("led", 0),
                "lines": None if lines is None else line.get("lines", 0),
                "line_length_m": (
                    None
                    if lines is None
                    else round(line["length"].m, 1)
                    if line.get("length") is not None
                    else 0.0
                ),
            }
        )
    return out


def overdue_inspections(gmina: Gmina, today: dt.date | None = None) -> list[dict]:
    """Return the items of the gmina whose latest inspection set a next due date before today,
    most overdue first: register, item, last inspection, days overdue."""
    today = today or timezone.localdate()
    latest = (
        Inspection.objects.filter(content_type=OuterRef("content_type"), object_id=OuterRef("object_id"))
        .order_by("-inspected_on", "-id")
        .values("pk")[:1]
    )
    overdue = (
        Inspection.objects.filter(gmina=gmina, next_due__lt=today)
        .filter(pk=Subquery(latest))
        .select_related("content_type")
        .order_by("next_due", "id")
    )
    by_model = {ContentType.objects.get_for_model(r.model).pk: r for r in REGISTERS.values()}
    rows = list(overdue)
    objects: dict[int, dict[int, object]] = {}
    for ct_id in {i.content_type_id for i in rows}:
        register = by_model.get(ct_id)
        if register is None:
            continue
        ids = [i.object_id for i in rows if i.content_type_id == ct_id]
        objects[ct_id] = register.model.objects.in_bulk(ids)
    out = []
    for inspection in rows:
        register = by_model.get(inspection.content_type_id)
        item = objects.get(inspection.content_type_id, {}).get(inspection.object_id)
        if register is None or item is None:
            continue
        out.append(
            {
                "register": register,
                "item": item,
                "inspection": inspection,
                "days_overdue": (today - inspection.next_due).days,
            }
        )
    return out


def inspections_of(register: Register, item) -> QuerySet[Inspection]:
    """Return the inspections of an item, newest first."""
    ct = ContentType.objects.get_for_model(register.model)
    return Inspection.objects.filter(content_type=ct, object_id=item.pk)


def history(register: Register, item) -> QuerySet[AuditLog]:
    """Return the audit entries of an item, newest first."""
    return AuditLog.objects.filter(
        model=register.model._meta.label_lower, object_id=str(item.pk)
    ).select_related("user")
