"""Writes of the core domain. Every write checks tenancy and leaves an audit entry."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import partial

from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.fields.files import FieldFile

from . import audit, obreb_keys, tenancy
from .geometry import STORAGE_SRID, GeometryError, to_storage_multipolygon
from .identifiers import parse_parcel_identifier
from .models import Gmina, Obreb, Parcel

_PARCEL_FIELDS = ("registered_area_m2", "geom")


def _parcel_state(parcel: Parcel) -> dict:
    return {f: getattr(parcel, f) for f in _PARCEL_FIELDS}


def _clean_geom(geom: GEOSGeometry):
    try:
        return to_storage_multipolygon(geom)
    except GeometryError as exc:
        raise ValidationError({"geom": str(exc)}) from exc


@transaction.atomic
def create_parcel(
    *,
    actor,
    identifier: str,
    geom: GEOSGeometry,
    registered_area_m2: Decimal | None = None,
) -> Parcel:
    """Create a parcel in the gmina and obręb its identifier names; return it."""
    ident = parse_parcel_identifier(identifier)
    gmina = Gmina.objects.filter(teryt=ident.teryt).first()
    if gmina is None:
        raise ValidationError({"identifier": f"Gmina {ident.teryt} nie należy do systemu."})
    tenancy.require(actor, "sip.add_parcel", gmina)
    obreb = Obreb.objects.filter(gmina=gmina, code=ident.obreb).first()
    if obreb is None:
        raise ValidationError({"identifier": f"Obręb {ident.obreb} nie istnieje w gminie {gmina.name}."})
    parcel = Parcel(
        identifier=str(ident),
        gmina=gmina,
        obreb=obreb,
        number=ident.number,
        registered_area_m2=registered_area_m2,
        geom=_clean_geom(geom),
    )
    return save_scoped(actor=actor, obj=parcel, state=_parcel_state)


@transaction.atomic
def update_parcel(*, actor, parcel: Parcel, **fields) -> Parcel:
    """Change a parcel's registered area and/or geometry; return it."""
    tenancy.require(actor, "sip.change_parcel", parcel.gmina_id)
    unknown = set(fields) - set(_PARCEL_FIELDS)
    if unknown:
        raise ValidationError({f: "Tego pola nie można zmieniać." for f in unknown})
    parcel = Parcel.objects.select_for_update().get(pk=parcel.pk)
    if "geom" in fields:
        fields["geom"] = _clean_geom(fields["geom"])
    for name, value in fields.items():
        setattr(parcel, name, value)
    return save_scoped(actor=actor, obj=parcel, state=_parcel_state)


@transaction.atomic
def delete_parcel(*, actor, parcel: Parcel) -> None:
    """Delete a parcel."""
    delete_scoped(actor=actor, obj=parcel, state=_parcel_state)


def _perm(obj, action: str) -> str:
    return f"{obj._meta.app_label}.{action}_{obj._meta.model_name}"


def _gmina_id(obj, gmina_field: str) -> int | None:
    # `<gmina_field>_id` where the model has it (a field or a property), else its gmina path.
    attname = f"{gmina_field}_id"
    return getattr(obj, attname) if hasattr(type(obj), attname) else tenancy.gmina_id_of(obj)


def field_state(obj) -> dict:
    """Return {attname: value} of the object's concrete fields for the audit log (a file as its
    stored name; audit.diff turns dates, decimals and geometries into JSON)."""
    out = {}
    for f in obj._meta.concrete_fields:
        value = getattr(obj, f.attname)
        out[f.attname] = value.name if isinstance(value, FieldFile) else value
    return out


@transaction.atomic
def save_scoped(
    *,
    actor,
    obj,
    gmina_field: str = "gmina",
    gmina_of: Callable[[object], int | None] | None = None,
    state: Callable[[object], dict] = field_state,
    validate: Callable[[], None] | None = None,
):
    """Save any gmina-scoped object after the tenancy check and write its audit entry; return it.

    The one save of every app: the permission is `<app>.add_<model>` or `<app>.change_<model>`
    in the object's gmina (by `gmina_of`, else `<gmina_field>_id` or the model's gmina path); for
    a change the stored row's gmina is checked too, so nothing moves out of another gmina.
    `state` gives what the audit entry compares, `validate` replaces `obj.full_clean`."""
    gmina_of = gmina_of or partial(_gmina_id, gmina_field=gmina_field)
    old = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk is not None else None
    before = {}
    if old is not None:
        tenancy.require(actor, _perm(obj, "change"), gmina_of(old))
        before = state(old)
    gmina_id = gmina_of(obj)
    tenancy.require(actor, _perm(obj, "change" if old is not None else "add"), gmina_id)
    (validate or obj.full_clean)()
    obj.save()
    audit.record(
        actor=actor,
        action="update" if old is not None else "create",
        obj=obj,
        gmina=Gmina.objects.filter(pk=gmina_id).first(),
        changes=audit.diff(before, state(obj)),
    )
    return obj


@transaction.atomic
def delete_scoped(
    *,
    actor,
    obj,
    gmina_field: str = "gmina",
    gmina_of: Callable[[object], int | None] | None = None,
    state: Callable[[object], dict] | None = None,
) -> None:
    """Delete a gmina-scoped object after the tenancy check, with its audit entry (the values
    it had, when `state` is given)."""
    gmina_id = (gmina_of or partial(_gmina_id, gmina_field=gmina_field))(obj)
    tenancy.require(actor, _perm(obj, "delete"), gmina_id)
    changes = {}
    if state is not None:
        old = state(obj)
        changes = audit.diff(old, dict.fromkeys(old))
    audit.record(
        actor=actor,
        action="delete",
        obj=obj,
        gmina=Gmina.objects.filter(pk=gmina_id).first(),
        changes=changes,
    )
    obj.delete()


def system_actor():
    """Return the account that server-side commands act as (a central-unit admin, no password)."""
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(
        username="system", defaults={"is_superuser": True, "first_name": "Konto systemowe"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def store_obreby(
    model,
    *,
    gmina_id: int | None = None,
    pks=None,
    missing_only: bool = False,
    area: GEOSGeometry | None = None,
) -> int:
    """Set the stored obręb of point rows written without their save() (COPY, bulk_update, SQL):
    the obręb of the row's gmina whose boundary contains the row's point (ST_Within, as
    selectors.obreb_at), NULL outside all of them. Rows restricted to a gmina, to primary keys,
    to rows without an obręb yet and/or to rows whose point lies in `area` (EPSG:2180); return
    how many were updated. Runs in the caller's transaction."""
    from django.db import connection

    where, params = ["TRUE"], []
    if gmina_id is not None:
        where.append("t.gmina_id = %s")
        params.append(gmina_id)
    if pks is not None:
        where.append("t.id = ANY(%s)")
        params.append(list(pks))
    if missing_only:
        where.append("t.obreb_id IS NULL")
    if area is not None:
        if area.srid != STORAGE_SRID:
            area = area.transform(STORAGE_SRID, clone=True)
        where.append("ST_Intersects(t.geom, ST_GeomFromEWKB(%s))")
        params.append(bytes(area.ewkb))
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} t SET obreb_id = (SELECT o.id FROM sip_obreb o WHERE o.gmina_id = t.gmina_id "
            f"AND ST_Within(t.geom, o.geom) ORDER BY o.id LIMIT 1) WHERE {' AND '.join(where)}",
            params,
        )
        return cursor.rowcount


def refresh_obreb_keys(*, gmina_id: int, area: GEOSGeometry | None = None) -> int:
    """Recompute the stored obręb key of the gmina's rows of every model declared in
    sip.obreb_keys (only of rows in `area`, when given: the old and the new extent of the
    obręby that changed); return how many rows were updated. Every writer of obręby calls it,
    in its own transaction."""
    return sum(store_obreby(model, gmina_id=gmina_id, area=area) for model in obreb_keys.models())


def _obreb_state(obreb: Obreb) -> dict:
    return {"code": obreb.code, "name": obreb.name, "gmina_id": obreb.gmina_id, "geom": obreb.geom}


@transaction.atomic
def save_obreb(*, actor, obreb: Obreb) -> Obreb:
    """Save a new or changed obręb (tenancy, audit) and recompute the obręb keys of register
    rows inside its old and new boundary; return it."""
    old = Obreb.objects.select_for_update().filter(pk=obreb.pk).first() if obreb.pk is not None else None
    if obreb.geom is not None:
        obreb.geom = _clean_geom(obreb.geom)
    save_scoped(actor=actor, obj=obreb, state=_obreb_state)
    if old is not None and old.gmina_id != obreb.gmina_id:
        refresh_obreb_keys(gmina_id=old.gmina_id, area=old.geom)
        refresh_obreb_keys(gmina_id=obreb.gmina_id, area=obreb.geom)
    elif old is not None:
        refresh_obreb_keys(gmina_id=obreb.gmina_id, area=old.geom.union(obreb.geom))
    else:
        refresh_obreb_keys(gmina_id=obreb.gmina_id, area=obreb.geom)
    return obreb


@transaction.atomic
def delete_obreb(*, actor, obreb: Obreb) -> None:
    """Delete an obręb (tenancy, audit); register rows that lay in it take the obręb that now
    contains them, if any."""
    gmina_id, area = obreb.gmina_id, obreb.geom
    delete_scoped(actor=actor, obj=obreb, state=_obreb_state)
    refresh_obreb_keys(gmina_id=gmina_id, area=area)
