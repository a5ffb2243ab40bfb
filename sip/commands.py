"""What the management commands of every app share: the account a command acts as, and the
gmina and coordinate system options.

A command that writes takes `--user NAME` (the account its changes are recorded under in the
audit log and whose permissions are checked); without it, the system account acts."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from .geometry import GeometryError, parse_srid
from .models import Gmina
from .services import system_actor

USER_HELP = "konto, na które zapisać import w dzienniku zmian"


def add_actor_argument(parser) -> None:
    """Add the `--user NAME` option to a command's parser."""
    parser.add_argument("--user", help=USER_HELP)


def actor_from_option(username: str | None):
    """Return the account named by `--user`, or the system account without one; CommandError
    (Polish) when there is no such account."""
    if not username:
        return system_actor()
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"Nie ma konta {username}.")
    return user


def gmina_from_option(teryt: str) -> Gmina:
    """Return the gmina named by `--gmina TERYT`; CommandError (Polish) when there is none."""
    gmina = Gmina.objects.filter(teryt=teryt).first()
    if gmina is None:
        raise CommandError(f"Nie ma w systemie gminy o kodzie TERYT {teryt}.")
    return gmina


def srid_from_option(value: str | None) -> int | None:
    """Return the EPSG code of `--srid` (None without one); CommandError when it is not accepted."""
    try:
        return parse_srid(value) if value else None
    except GeometryError as exc:
        raise CommandError(str(exc)) from exc
