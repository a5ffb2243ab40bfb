"""Writes of the core domain. Every write checks tenancy and leaves an audit entry."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import transaction

from . import audit, tenancy
from .geometry import GeometryError, to_storage_multipolygon
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
    parcel.full_clean()
    parcel.save()
    audit.record(
        actor=actor,
        action="create",
        obj=parcel,
        gmina=gmina,
        changes=audit.diff({}, _parcel_state(parcel)),
    )
    return parcel


@transaction.atomic
def update_parcel(*, actor, parcel: Parcel, **fields) -> Parcel:
    """Change a parcel's registered area and/or geometry; return it."""
    tenancy.require(actor, "sip.change_parcel", parcel.gmina_id)
    unknown = set(fields) - set(_PARCEL_FIELDS)
    if unknown:
        raise ValidationError({f: "Tego pola nie można zmieniać." for f in unknown})
    parcel = Parcel.objects.select_for_update().get(pk=parcel.pk)
    before = _parcel_state(parcel)
    if "geom" in fields:
        fields["geom"] = _clean_geom(fields["geom"])
    for name, value in fields.items():
        setattr(parcel, name, value)
    parcel.full_clean()
    parcel.save()
    audit.record(
        actor=actor,
        action="update",
        obj=parcel,
        gmina=parcel.gmina,
        changes=audit.diff(before, _parcel_state(parcel)),
    )
    return parcel


@transaction.atomic
def delete_parcel(*, actor, parcel: Parcel) -> None:
    """Delete a parcel."""
    tenancy.require(actor, "sip.delete_parcel", parcel.gmina_id)
    audit.record(
        actor=actor,
        action="delete",
        obj=parcel,
        gmina=parcel.gmina,
        changes=audit.diff(_parcel_state(parcel), {f: None for f in _PARCEL_FIELDS}),
    )
    parcel.delete()


def _perm(obj, action: str) -> str:
    return f"{obj._meta.app_label}.{action}_{obj._meta.model_name}"


def _gmina_id(obj, gmina_field: str) -> int | None:
    # `<gmina_field>_id` where the model has it (a field or a property), else its gmina path.
    attname = f"{gmina_field}_id"
    return getattr(obj, attname) if hasattr(type(obj), attname) else tenancy.gmina_id_of(obj)


@transaction.atomic
def save_scoped(*, actor, obj, gmina_field: str = "gmina"):
    """Save any gmina-scoped object (obręb, street, address point…) after the tenancy check;
    return it. The old gmina is checked too, so nothing moves out of another gmina."""
    gmina_id = _gmina_id(obj, gmina_field)
    before = {}
    if obj.pk is not None:
        old = type(obj).objects.get(pk=obj.pk)
        tenancy.require(actor, _perm(obj, "change"), _gmina_id(old, gmina_field))
        before = {f.attname: getattr(old, f.attname) for f in obj._meta.concrete_fields}
    tenancy.require(actor, _perm(obj, "change" if obj.pk else "add"), gmina_id)
    obj.full_clean()
    obj.save()
    after = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    audit.record(
        actor=actor,
        action="update" if before else "create",
        obj=obj,
        gmina=Gmina.objects.filter(pk=gmina_id).first(),
        changes=audit.diff(before, after),
    )
    return obj


@transaction.atomic
def delete_scoped(*, actor, obj, gmina_field: str = "gmina") -> None:
    """Delete a gmina-scoped object after the tenancy check."""
    gmina_id = _gmina_id(obj, gmina_field)
    tenancy.require(actor, _perm(obj, "delete"), gmina_id)
    audit.record(actor=actor, action="delete", obj=obj, gmina=Gmina.objects.filter(pk=gmina_id).first())
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


def store_obreby(model, *, gmina_id: int | None = None, pks=None, missing_only: bool = False) -> int:
    """Set the stored obręb of point rows written without their save() (COPY, bulk_update, SQL):
    the obręb of the row's gmina whose boundary contains the row's point (ST_Within, as
    selectors.obreb_at), NULL outside all of them. Rows restricted to a gmina, to primary keys,
    and/or to rows without an obręb yet; return how many were updated. Runs in the caller's
    transaction."""
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
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} t SET obreb_id = (SELECT o.id FROM sip_obreb o WHERE o.gmina_id = t.gmina_id "
            f"AND ST_Within(t.geom, o.geom) ORDER BY o.id LIMIT 1) WHERE {' AND '.join(where)}",
            params,
        )
        return cursor.rowcount
