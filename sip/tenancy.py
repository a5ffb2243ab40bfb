"""Who may see and change what: roles (Django groups with permissions) plus a gmina scope.

Every app asks this module; views and admin never check groups or gminas themselves.
Roles:
- central-unit admin: every gmina, every permission of the role;
- gmina editor: edits its own gmina's data;
- planner: issues zoning extracts in its own gmina and reads its data;
- viewer: reads its own gmina's internal data.
Anonymous residents see only what is public.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from .models import Gmina

CENTRAL_ADMIN = "Administrator jednostki centralnej"
EDITOR = "Redaktor gminy"
PLANNER = "Planista"
VIEWER = "Przeglądający"
ROLES = (CENTRAL_ADMIN, EDITOR, PLANNER, VIEWER)

_CORE_DATA = ("parcel", "obreb", "addresspoint", "street")
_READ = [f"sip.view_{m}" for m in (*_CORE_DATA, "gmina", "unit")]
_WRITE = [f"sip.{a}_{m}" for m in _CORE_DATA for a in ("add", "change", "delete")]

# Permissions of each role. Other apps extend a role with `grant(role, [...])` from their
# AppConfig.ready(), so that no app edits this table.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    CENTRAL_ADMIN: {
        *_READ,
        *_WRITE,
        "sip.view_auditlog",
        *[f"sip.{a}_{m}" for m in ("gmina", "unit", "membership") for a in ("add", "change")],
        "sip.view_membership",
    },
    EDITOR: {*_READ, *_WRITE, "sip.view_auditlog"},
    PLANNER: set(_READ),
    VIEWER: set(_READ),
}


def grant(role: str, perms: list[str]) -> None:
    """Add permissions ('app.codename') to a role; applied by sync_roles after migrate."""
    ROLE_PERMISSIONS[role].update(perms)


def sync_roles() -> None:
    """Create the role groups and give each exactly the permissions of ROLE_PERMISSIONS."""
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for perm in sorted(perms):
            app_label, codename = perm.split(".", 1)
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found is not None:
                wanted.append(found)
        group.permissions.set(wanted)


def role_names(user) -> set[str]:
    """The names of the role groups of the user (cached on the user object)."""
    if not user or not user.is_authenticated:
        return set()
    cached = getattr(user, "_sip_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._sip_roles = cached
    return cached


def is_central_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active) and (
        user.is_superuser or CENTRAL_ADMIN in role_names(user)
    )


def user_gmina_id(user) -> int | None:
    """The gmina a staff account works for, or None (central unit, anonymous, no membership)."""
    if not user or not user.is_authenticated:
        return None
    membership = getattr(user, "membership", None)
    return membership.gmina_id if membership else None


def scoped_gminas(user) -> QuerySet[Gmina]:
    """Return the gminas whose internal data the user works with."""
    if is_central_admin(user):
        return Gmina.objects.all()
    gmina_id = user_gmina_id(user)
    if gmina_id is None or not user.is_active:
        return Gmina.objects.none()
    return Gmina.objects.filter(pk=gmina_id)


def in_scope(user, gmina: Gmina | int | None) -> bool:
    if gmina is None:
        return is_central_admin(user)
    gmina_id = gmina if isinstance(gmina, int) else gmina.pk
    return is_central_admin(user) or (
        bool(user and user.is_authenticated and user.is_active) and user_gmina_id(user) == gmina_id
    )


def can(user, perm: str, gmina: Gmina | int | None) -> bool:
    """Whether the user holds `perm` ('app.codename') for data of this gmina."""
    user = user or AnonymousUser()
    return in_scope(user, gmina) and user.has_perm(perm)


def require(user, perm: str, gmina: Gmina | int | None) -> None:
    """Raise PermissionDenied (Polish message) unless `can(user, perm, gmina)`."""
    if not can(user, perm, gmina):
        if user is None or not user.is_authenticated:
            raise PermissionDenied("Ta czynność wymaga zalogowania.")
        if not in_scope(user, gmina):
            raise PermissionDenied("Nie masz uprawnień do danych tej gminy.")
        raise PermissionDenied("Twoja rola nie pozwala na tę czynność.")


def scope_queryset(queryset: QuerySet, user, gmina_field: str = "gmina") -> QuerySet:
    """Restrict a queryset to the rows of the gminas the user works with."""
    if is_central_admin(user):
        return queryset
    gmina_id = user_gmina_id(user)
    if gmina_id is None:
        return queryset.none()
    return queryset.filter(**{f"{gmina_field}_id": gmina_id})
