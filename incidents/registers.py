"""Register objects a report may be about ("Zgłoś usterkę tego obiektu"), read only through
inventory's public selectors: a resident sees (and may name) only items of registers public in
that gmina."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from inventory import selectors as register_selectors
from inventory.registers import REGISTERS, UnknownRegister, get_register
from sip.models import Gmina

from .routing import RegisterObject


class RegisterObjectError(ValueError):
    """No such (visible) register object; the message is Polish."""


def find(slug: str, item_id: int, *, gmina: Gmina | None = None, user=None):
    """Return (RegisterObject, the item) for an item the user may see (anonymous: public
    registers only); RegisterObjectError otherwise."""
    try:
        register = get_register(slug)
    except UnknownRegister as exc:
        raise RegisterObjectError(str(exc)) from None
    qs = register_selectors.items(user or AnonymousUser(), register, gmina=gmina)
    item = qs.filter(pk=item_id).first()
    if item is None:
        raise RegisterObjectError("Nie ma takiego obiektu rejestru w tej gminie.")
    return RegisterObject(
        register=slug,
        item_id=item.pk,
        label=f"{register.item_title} {item.external_id or '#' + str(item.pk)}",
        owner_unit_id=getattr(item, "owner_unit_id", None),
    ), item


def register_object(slug: str, item_id: int, *, gmina: Gmina | None = None, user=None) -> RegisterObject:
    """Return the RegisterObject of an item the user may see; RegisterObjectError otherwise."""
    return find(slug, item_id, gmina=gmina, user=user)[0]


def slugs() -> list[str]:
    return list(REGISTERS)
