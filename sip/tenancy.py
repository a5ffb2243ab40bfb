"""Who may see and change what: roles (Django groups with permissions) plus a gmina scope.

Every app asks this module; views and admin never check groups or gminas themselves.
A role's group is named by its stable code ("planner"); people see its translated display name
(role_label). Roles:
- central-unit admin: every gmina, every permission of the role;
- gmina editor: edits its own gmina's data;
- planner: issues zoning extracts in its own gmina and reads its data;
- viewer: reads its own gmina's internal data.
Anonymous residents see only what is public.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import ForeignObjectRel, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Gmina

# Codes of the roles: the names of their groups, never shown to people and never translated
# (sip/migrations/0011_role_codes renamed the groups that carried the Polish names).
CENTRAL_ADMIN = "central_admin"
EDITOR = "gmina_editor"
PLANNER = "planner"
VIEWER = "viewer"
ROLES = (CENTRAL_ADMIN, EDITOR, PLANNER, VIEWER)
ROLE_LABELS = {
    CENTRAL_ADMIN: _("Administrator jednostki centralnej"),
    EDITOR: _("Redaktor gminy"),
    PLANNER: _("Planista"),
    VIEWER: _("Przeglądający"),
}

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


def role_label(code: str) -> str:
    """The display name of a role in the active language; another group's own name."""
    return str(ROLE_LABELS.get(code, code))


def grant(role: str, perms: list[str]) -> None:
    """Add permissions ('app.codename') to a role; applied by sync_roles after migrate."""
    ROLE_PERMISSIONS[role].update(perms)


def sync_roles() -> None:
    """Create the role groups and give each exactly the permissions of ROLE_PERMISSIONS."""
    # Every permission in one query (one query per permission took 400 of them); the first of
    # the default ordering where two share a name, as .first() took it.
    known = {}
    for p in Permission.objects.select_related("content_type"):
        known.setdefault(f"{p.content_type.app_label}.{p.codename}", p)
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([known[perm] for perm in sorted(perms) if perm in known])


def role_names(user) -> set[str]:
    """The names of the user's groups, i.e. the codes of its roles (cached on the user object)."""
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


# --- relations between gmina-scoped objects ------------------------------------------------
# One rule for every entry point (admin, REST API, imports, staff pages, services): an object of
# a gmina may point (foreign key, many-to-many, generic relation) only at objects of the same
# gmina, or at shared objects (a related row whose gmina is empty, e.g. an outside body's unit).
# check_relations() says so; sip.apps runs it before every save and every many-to-many change,
# and the admin runs it in its forms so that the editor sees a message instead of an error.

_PATHS: dict[type, str | None] = {}


def gmina_path(model) -> str | None:
    """The lookup from a model to its gmina ('gmina', 'plan__gmina', 'grave__cemetery__gmina'),
    or None for a model that belongs to no gmina. Found from the model: its own `gmina` foreign
    key, else the first required foreign key to a model that has a gmina."""
    model = model._meta.concrete_model
    if model not in _PATHS:
        _PATHS[model] = _find_path(model, depth=0)
    return _PATHS[model]


def _find_path(model, depth: int) -> str | None:
    if model is Gmina or depth > 3:
        return None
    fields = [f for f in model._meta.concrete_fields if f.many_to_one or f.one_to_one]
    for f in fields:
        if f.name == "gmina" and f.related_model is Gmina:
            return "gmina"
    for f in fields:
        if f.null or f.related_model is model or f.remote_field.parent_link:
            continue
        inner = _find_path(f.related_model, depth + 1)
        if inner:
            return f"{f.name}__{inner}"
    return None


def gmina_is_optional(model) -> bool:
    """Whether a row of the model may belong to no gmina (shared by all, e.g. an outside body)."""
    path = gmina_path(model)
    if path is None:
        return True
    field, current = None, model
    for name in path.split("__"):
        field = current._meta.get_field(name)
        if field.null:
            return True
        current = field.related_model
    return False


def gmina_id_of(obj) -> int | None:
    """The id of the gmina an object belongs to (saved or not), or None."""
    path = gmina_path(type(obj))
    if path is None:
        return None
    names = path.split("__")
    current = obj
    for i, name in enumerate(names[:-1]):
        field = current._meta.get_field(name)
        if field.is_cached(current):
            current = getattr(current, name)
            if current is None:
                return None
            continue
        related_id = getattr(current, field.attname)
        if related_id is None:
            return None
        rest = "__".join(names[i + 1 :]) + "_id"
        return field.related_model._default_manager.filter(pk=related_id).values_list(rest, flat=True).first()
    return getattr(current, f"{names[-1]}_id")


@dataclass(frozen=True)
class Relation:
    """A relation of a gmina-scoped model that must stay within the object's gmina."""

    model: type
    name: str
    kind: str  # "fk", "m2m" or "generic"
    target: type | None  # None for a generic relation: any model


_RELATIONS: dict[type, list[Relation]] = {}


def owner_field(model) -> str | None:
    """The first step of the model's gmina path: the field that decides its gmina."""
    path = gmina_path(model)
    return path.split("__")[0] if path else None


def scoped_relations(model) -> list[Relation]:
    """The relations of a gmina-scoped model that check_relations() checks: every foreign key
    and many-to-many field to another gmina-scoped model, and every generic relation, except
    the field that decides the object's own gmina."""
    model = model._meta.concrete_model
    if model in _RELATIONS:
        return _RELATIONS[model]
    found: list[Relation] = []
    owner = owner_field(model)
    if owner is not None:
        for f in model._meta.get_fields():
            if isinstance(f, GenericForeignKey):
                found.append(Relation(model, f.name, "generic", None))
            elif isinstance(f, ForeignObjectRel) or f.name == owner:
                continue  # reverse relations are checked on the other model
            elif (f.many_to_one or f.one_to_one) and f.related_model is not Gmina:
                if gmina_path(f.related_model):
                    found.append(Relation(model, f.name, "fk", f.related_model))
            elif f.many_to_many and f.remote_field.through._meta.auto_created:
                # A many-to-many with its own through model is checked on that model's keys.
                if gmina_path(f.related_model):
                    found.append(Relation(model, f.name, "m2m", f.related_model))
    _RELATIONS[model] = found
    return found


def _foreign_message(target, label: str) -> str:
    return f"{label}: „{target}” należy do innej gminy."


def _related_gmina_ok(gmina_id: int, target) -> bool:
    target_gmina = gmina_id_of(target)
    if target_gmina is None:
        return gmina_path(type(target)) is not None and gmina_is_optional(type(target))
    return target_gmina == gmina_id


def check_relations(obj, *, only: set[str] | None = None) -> None:
    """Raise ValidationError ({field: Polish message}) if the object points at an object of
    another gmina (or, through a generic relation, at an object of no gmina or none at all)."""
    relations = [r for r in scoped_relations(type(obj)) if r.kind != "m2m"]
    if only is not None:
        relations = [r for r in relations if r.name in only]
    if not relations:
        return
    gmina_id = gmina_id_of(obj)
    if gmina_id is None:
        return  # a shared object (or one without its gmina yet: full_clean says so)
    errors: dict[str, str] = {}
    for rel in relations:
        if rel.kind == "generic":
            gfk = obj._meta.get_field(rel.name)
            ct_id = getattr(obj, obj._meta.get_field(gfk.ct_field).attname)
            object_id = getattr(obj, gfk.fk_field)
            if ct_id is None or object_id is None:
                continue
            model = ContentType.objects.get_for_id(ct_id).model_class()
            target = model._default_manager.filter(pk=object_id).first() if model else None
            if target is None:
                errors[gfk.fk_field] = "Nie ma takiego obiektu."
            elif not _related_gmina_ok(gmina_id, target) or gmina_path(model) is None:
                errors[gfk.fk_field] = _foreign_message(target, "Obiekt")
            continue
        field = obj._meta.get_field(rel.name)
        if getattr(obj, field.attname) is None:
            continue
        try:
            target = getattr(obj, rel.name)
        except ObjectDoesNotExist:
            continue  # no such row: the field's own validation and the foreign key refuse it
        if not _related_gmina_ok(gmina_id, target):
            errors[rel.name] = _foreign_message(target, str(field.verbose_name).capitalize())
    if errors:
        raise ValidationError(errors)


def check_m2m(obj, name: str, targets) -> None:
    """Raise ValidationError if any of `targets` (to be added to obj.<name>) is of another gmina."""
    gmina_id = gmina_id_of(obj)
    if gmina_id is None:
        return
    field = obj._meta.get_field(name)
    for target in targets:
        if not _related_gmina_ok(gmina_id, target):
            raise ValidationError({name: _foreign_message(target, str(field.verbose_name).capitalize())})


def scope_choices(queryset: QuerySet, user) -> QuerySet:
    """Restrict the choices of a relation to the user's gmina (plus shared rows, where a row may
    have no gmina); a central-unit admin gets every row (check_relations still applies)."""
    path = gmina_path(queryset.model)
    if path is None or is_central_admin(user):
        return queryset
    gmina_id = user_gmina_id(user)
    if gmina_id is None or not user.is_active:
        return queryset.none()
    own = Q(**{f"{path}_id": gmina_id})
    if gmina_is_optional(queryset.model):
        own |= Q(**{f"{path}__isnull": True})
    return queryset.filter(own)
