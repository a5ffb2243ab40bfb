"""Writes of the registers. Every write checks tenancy and leaves an audit entry."""

from __future__ import annotations

import datetime as dt
from functools import partial

import shapely
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import GEOSGeometry, LineString, Point
from django.core.exceptions import ValidationError
from django.db import transaction

from sip import audit, tenancy
from sip.geometry import ACCEPTED_SRIDS, POLAND_EXTENT_2180, STORAGE_SRID, GeometryError
from sip.models import Gmina
from sip.services import delete_scoped, save_scoped

from . import values as v
from .models import Inspection, Lamp, LightingLine, Photo, RegisterVisibility
from .registers import Register

# How far outside its gmina's boundary an item may lie (digitising and GPS error), metres.
GMINA_TOLERANCE_M = 100.0
# A lamp this close to a lighting line of its circuit is attached to it, metres.
LAMP_TO_LINE_M = 30.0


def storage_geometry(register: Register, geom: GEOSGeometry | None, gmina: Gmina) -> GEOSGeometry:
    """Return the geometry in EPSG:2180 if it has the register's type and lies in the gmina;
    raise GeometryError (Polish) otherwise. The caller's geometry is never changed."""
    if geom is None or geom.empty:
        raise GeometryError("Brak geometrii.")
    if not geom.srid:
        raise GeometryError("Geometria bez układu współrzędnych (SRID) – nie wiadomo, gdzie leży.")
    if geom.srid not in ACCEPTED_SRIDS:
        raise GeometryError(f"Nieobsługiwany układ współrzędnych EPSG:{geom.srid}.")
    if geom.geom_type == "MultiLineString" and register.geometry == "LineString" and len(geom) == 1:
        geom = LineString(geom[0].coords, srid=geom.srid)
    if geom.geom_type == "MultiPoint" and register.geometry == "Point" and len(geom) == 1:
        geom = Point(geom[0].coords, srid=geom.srid)
    if geom.geom_type != register.geometry:
        expected = {"Point": "punkt", "LineString": "linię"}[register.geometry]
        raise GeometryError(f"Oczekiwano geometrii typu {expected}, otrzymano {geom.geom_type}.")
    if geom.hasz:
        flat = shapely.force_2d(shapely.from_wkb(bytes(geom.wkb)))
        geom = GEOSGeometry(memoryview(shapely.to_wkb(flat)), srid=geom.srid)
    if not geom.valid:
        raise GeometryError(f"Nieprawidłowa geometria: {geom.valid_reason}.")
    stored = geom.transform(STORAGE_SRID, clone=True) if geom.srid != STORAGE_SRID else geom.clone()
    if not POLAND_EXTENT_2180.contains(stored):
        raise GeometryError("Geometria leży poza obszarem Polski (sprawdź układ współrzędnych).")
    if stored.distance(gmina.boundary) > GMINA_TOLERANCE_M:
        raise GeometryError(f"Obiekt leży poza gminą {gmina.name}.")
    return stored


def clean_values(register: Register, gmina: Gmina, raw: dict, *, partial: bool = False) -> dict:
    """Return stored values for the attributes in `raw`; raise ValidationError naming each field."""
    names = {a.name for a in register.all_attrs}
    errors: dict[str, str] = {}
    unknown = [k for k in raw if k not in names]
    for k in unknown:
        errors[k] = "Nieznane pole rejestru."
    lookups = register.lookups(gmina)
    out: dict = {}
    for attr in register.all_attrs:
        if attr.name not in raw:
            if attr.required and not partial:
                errors[attr.name] = "Wartość wymagana."
            continue
        try:
            value = register.convert(attr, raw[attr.name], lookups)
        except v.ValueProblem as exc:
            errors[attr.name] = str(exc)
            continue
        out[_attname(register, attr.name)] = value
    if errors:
        raise ValidationError(errors)
    return out


def _attname(register: Register, name: str) -> str:
    return register.model_field(name).attname


def _state(register: Register, obj) -> dict:
    state = {_attname(register, a.name): getattr(obj, _attname(register, a.name)) for a in register.all_attrs}
    state["geom"] = obj.geom.ewkt if obj.geom is not None else None
    return state


def _fill_lamp_circuit(obj) -> None:
    """A lamp on a line takes the line's circuit and cabinet when they are not given."""
    if isinstance(obj, Lamp) and obj.line_id:
        line = LightingLine.objects.filter(pk=obj.line_id).first()
        if line is not None:
            obj.circuit = obj.circuit or line.circuit
            obj.switch_cabinet = obj.switch_cabinet or line.switch_cabinet


def _validate(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "__all__" in exc.error_dict:
            messages = " ".join(str(m) for e in exc.error_dict["__all__"] for m in e.messages)
            if "external_id" in messages or "Numer w rejestrze" in messages or "już istnieje" in messages:
                raise ValidationError({"external_id": "Ten numer jest już w rejestrze tej gminy."}) from exc
        raise


def _save(actor, register: Register, obj):
    # The shared save (tenancy of the old and new gmina, audit entry) with the register's checks.
    return save_scoped(
        actor=actor, obj=obj, state=partial(_state, register), validate=partial(_validate, obj)
    )


@transaction.atomic
def create_item(*, actor, register: Register, gmina: Gmina, geom: GEOSGeometry, values: dict):
    """Create a register item in the gmina; return it."""
    tenancy.require(actor, register.perm("add"), gmina)
    cleaned = clean_values(register, gmina, values)
    try:
        stored = storage_geometry(register, geom, gmina)
    except GeometryError as exc:
        raise ValidationError({"geom": str(exc)}) from exc
    obj = register.model(gmina=gmina, geom=stored, **cleaned)
    _fill_lamp_circuit(obj)
    return _save(actor, register, obj)


@transaction.atomic
def update_item(
    *, actor, register: Register, item, values: dict | None = None, geom: GEOSGeometry | None = None
):
    """Change attributes and/or the geometry of a register item; return it."""
    tenancy.require(actor, register.perm("change"), item.gmina_id)
    obj = register.model.objects.select_for_update().select_related("gmina").get(pk=item.pk)
    for attname, value in clean_values(register, obj.gmina, values or {}, partial=True).items():
        setattr(obj, attname, value)
    if geom is not None:
        try:
            obj.geom = storage_geometry(register, geom, obj.gmina)
        except GeometryError as exc:
            raise ValidationError({"geom": str(exc)}) from exc
    _fill_lamp_circuit(obj)
    return _save(actor, register, obj)


@transaction.atomic
def delete_item(*, actor, register: Register, item) -> None:
    """Delete a register item with its inspections and photos."""
    tenancy.require(actor, register.perm("delete"), item.gmina_id)
    ct = ContentType.objects.get_for_model(register.model)
    Inspection.objects.filter(content_type=ct, object_id=item.pk).delete()
    Photo.objects.filter(content_type=ct, object_id=item.pk).delete()
    delete_scoped(actor=actor, obj=item, state=partial(_state, register))


@transaction.atomic
def record_inspection(
    *,
    actor,
    register: Register,
    item,
    inspected_on: dt.date,
    inspector: str,
    result: str,
    next_due: dt.date | None = None,
    notes: str = "",
) -> Inspection:
    """Record an inspection of a register item; return it."""
    tenancy.require(actor, "inventory.add_inspection", item.gmina_id)
    inspection = Inspection(
        gmina_id=item.gmina_id,
        content_type=ContentType.objects.get_for_model(register.model),
        object_id=item.pk,
        inspected_on=inspected_on,
        inspector=inspector,
        result=result,
        next_due=next_due,
        notes=notes,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    if next_due is not None and inspected_on is not None and next_due <= inspected_on:
        raise ValidationError({"next_due": "Następny przegląd musi być później niż ten."})
    inspection.full_clean()
    inspection.save()
    audit.record(
        actor=actor,
        action="create",
        obj=inspection,
        gmina=item.gmina,
        changes={"item": [None, f"{register.slug}:{item.pk}"], "result": [None, result]},
    )
    return inspection


@transaction.atomic
def add_photo(*, actor, register: Register, item, image, caption: str = "") -> Photo:
    """Attach a photo to a register item; return it."""
    tenancy.require(actor, "inventory.add_photo", item.gmina_id)
    photo = Photo(
        gmina_id=item.gmina_id,
        content_type=ContentType.objects.get_for_model(register.model),
        object_id=item.pk,
        image=image,
        caption=caption,
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    photo.save()
    audit.record(actor=actor, action="create", obj=photo, gmina=item.gmina, changes={"item": [None, item.pk]})
    return photo


@transaction.atomic
def set_register_public(*, actor, register: Register, gmina: Gmina, is_public: bool) -> RegisterVisibility:
    """Show a register of the gmina to residents, or keep it internal; return the setting."""
    tenancy.require(actor, "inventory.change_registervisibility", gmina)
    setting, _ = RegisterVisibility.objects.update_or_create(
        gmina=gmina, register=register.slug, defaults={"is_public": is_public}
    )
    audit.record(
        actor=actor, action="update", obj=setting, gmina=gmina, changes={"is_public": [None, is_public]}
    )
    return setting


def attach_lamps_to_lines(*, gmina: Gmina) -> int:
    """Attach every lamp of the gmina without a line to the nearest line of the same circuit and
    cabinet within LAMP_TO_LINE_M; return how many were attached. Callers hold the transaction."""
    by_circuit: dict[tuple[str, str], tuple[list[int], list]] = {}
    for pk, circuit, cabinet, geom in LightingLine.objects.filter(gmina=gmina).values_list(
        "pk", "circuit", "switch_cabinet", "geom"
    ):
        ids, shapes = by_circuit.setdefault((circuit, cabinet), ([], []))
        ids.append(pk)
        shapes.append(shapely.from_wkb(bytes(geom.wkb)))
    trees = {key: (ids, shapely.STRtree(shapes)) for key, (ids, shapes) in by_circuit.items()}
    changed = []
    lamps = Lamp.objects.filter(gmina=gmina, line__isnull=True).only(
        "pk", "circuit", "switch_cabinet", "geom"
    )
    for lamp in lamps.iterator(chunk_size=5000):
        found = trees.get((lamp.circuit, lamp.switch_cabinet))
        if found is None:
            continue
        ids, tree = found
        nearest = tree.query_nearest(shapely.Point(lamp.geom.x, lamp.geom.y), max_distance=LAMP_TO_LINE_M)
        if len(nearest):
            lamp.line_id = ids[int(nearest[0])]
            changed.append(lamp)
    Lamp.objects.bulk_update(changed, ["line"], batch_size=2000)
    return len(changed)
