"""Writes of the cemetery area. Every write checks tenancy and leaves an audit entry."""

from __future__ import annotations

from django.db import transaction

from sip import audit, tenancy
from sip.services import delete_scoped, save_scoped

from .models import Alley, Burial, Cemetery, Grave, GraveHolder, GravePhoto
from .routing import GraphReport, PathRouter


def gmina_id_of(obj) -> int | None:
    """The gmina an object of this app belongs to (through its cemetery or grave)."""
    if isinstance(obj, Cemetery):
        return obj.gmina_id
    if getattr(obj, "cemetery_id", None):
        return Cemetery.objects.filter(pk=obj.cemetery_id).values_list("gmina_id", flat=True).first()
    if getattr(obj, "grave_id", None):
        return Grave.objects.filter(pk=obj.grave_id).values_list("cemetery__gmina_id", flat=True).first()
    return None


@transaction.atomic
def save_object(*, actor, obj):
    """Save a cemetery, gate, section, grave, burial, photo, holder or alley after the tenancy
    check (old and new gmina); rebuild the alley graph when an alley changes; return the object."""
    if isinstance(obj, Grave) and obj.section_id and not obj.cemetery_id:
        obj.cemetery_id = obj.section.cemetery_id
    save_scoped(actor=actor, obj=obj, gmina_of=gmina_id_of)
    if isinstance(obj, Burial):
        _mark_occupied(obj.grave_id)
    if isinstance(obj, Alley):
        PathRouter(obj.cemetery_id).build()
    return obj


@transaction.atomic
def delete_object(*, actor, obj) -> None:
    """Delete an object of this app after the tenancy check (the graph follows alley changes)."""
    cemetery_id = obj.cemetery_id if isinstance(obj, Alley) else None
    delete_scoped(actor=actor, obj=obj, gmina_of=gmina_id_of)
    if cemetery_id:
        PathRouter(cemetery_id).build()


def _mark_occupied(grave_id: int) -> None:
    Grave.objects.filter(pk=grave_id).exclude(status=Grave.Status.OCCUPIED).update(
        status=Grave.Status.OCCUPIED
    )


@transaction.atomic
def add_burial(*, actor, grave: Grave, **fields) -> Burial:
    """Record a burial in a grave (the grave becomes occupied); return it."""
    return save_object(actor=actor, obj=Burial(grave=grave, **fields))


@transaction.atomic
def set_holder(
    *, actor, grave: Grave, full_name: str, address: str = "", phone: str = "", email: str = ""
) -> GraveHolder:
    """Set the grave's holder (dysponent); return it."""
    holder = GraveHolder.objects.filter(grave=grave).first() or GraveHolder(grave=grave)
    holder.full_name, holder.address, holder.phone, holder.email = full_name, address, phone, email
    return save_object(actor=actor, obj=holder)


@transaction.atomic
def add_photo(*, actor, grave: Grave, image, taken_on, kind: str = "ground", caption: str = "") -> GravePhoto:
    """Attach a ground or drone photo to a grave; return it."""
    return save_object(
        actor=actor, obj=GravePhoto(grave=grave, image=image, taken_on=taken_on, kind=kind, caption=caption)
    )


@transaction.atomic
def build_graph(*, actor, cemetery: Cemetery) -> GraphReport:
    """Rebuild the cemetery's alley graph; return the report of its connected parts."""
    tenancy.require(actor, "cemetery_routing.change_alley", cemetery.gmina_id)
    report = PathRouter(cemetery.pk).build()
    audit.record(
        actor=actor,
        action="update",
        obj=cemetery,
        gmina=cemetery.gmina,
        changes={"graph": {"edges": report.edges, "parts": len(report.components)}},
    )
    return report


def require_cemetery_scope(actor, cemetery: Cemetery, perm: str) -> None:
    """Raise PermissionDenied unless the actor may `perm` in the cemetery's gmina."""
    tenancy.require(actor, perm, cemetery.gmina_id)
