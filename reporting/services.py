"""Writes of reporting: running a query (with its audit entry), saving, sharing, publishing."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from sip.tenancy import is_central_admin, user_gmina_id

from . import engine, selectors
from .models import QueryRun, SavedQuery


def _check_dataset(user, query: engine.Query) -> None:
    if not selectors.is_reporting_staff(user):
        raise PermissionDenied("Raporty są dostępne dla pracowników gminy i jednostki centralnej.")
    ds = query.dataset
    if ds.permission and not user.has_perm(ds.permission):
        raise PermissionDenied(f"Twoja rola nie pozwala czytać zbioru „{ds.title}”.")


@transaction.atomic
def run_query(*, user, raw: dict, channel: str, saved_query: SavedQuery | None = None):
    """Run a staff query over the user's gminas, write its audit entry and return (query, result)."""
    query = engine.parse(raw)
    _check_dataset(user, query)
    result = engine.run(query, gmina_ids=selectors.gmina_scope(user))
    QueryRun.objects.create(
        user=user,
        gmina_id=user_gmina_id(user),
        dataset=query.dataset.slug,
        params=query.params(),
        row_count=len(result.cells),
        channel=channel,
        saved_query=saved_query,
    )
    return query, result


@transaction.atomic
def save_query(*, user, name: str, raw: dict, shared: bool = False) -> SavedQuery:
    """Save a query under a name (checked like a run) and return it."""
    query = engine.parse(raw)
    _check_dataset(user, query)
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValidationError({"name": "Podaj nazwę zapytania (do 200 znaków)."})
    if SavedQuery.objects.filter(owner=user, name=name).exists():
        raise ValidationError({"name": "Masz już zapytanie o tej nazwie."})
    return SavedQuery.objects.create(
        name=name,
        owner=user,
        gmina_id=user_gmina_id(user),
        dataset=query.dataset.slug,
        params=query.params(),
        shared=shared,
    )


def _own(user, saved: SavedQuery) -> None:
    if saved.owner_id != user.pk and not is_central_admin(user):
        raise PermissionDenied("To zapytanie należy do innej osoby.")


@transaction.atomic
def share_query(*, user, saved: SavedQuery, shared: bool) -> SavedQuery:
    """Share (or stop sharing) one's saved query with colleagues of the same gmina."""
    _own(user, saved)
    saved.shared = shared
    saved.save(update_fields=["shared", "updated_at"])
    return saved


@transaction.atomic
def publish_query(
    *, user, saved: SavedQuery, slug: str = "", year_dimension: str = "", publish: bool = True
) -> SavedQuery:
    """Publish a saved query for residents under a slug (or withdraw it) and return it."""
    _own(user, saved)
    if not user.has_perm("reporting.publish_savedquery"):
        raise PermissionDenied("Twoja rola nie pozwala publikować statystyk.")
    if not publish:
        saved.published = False
        saved.save(update_fields=["published", "updated_at"])
        return saved
    query = engine.parse(saved.params)
    if year_dimension:
        dim = query.dataset.dimension(year_dimension)
        if dim is None or dim.kind != "date":
            raise ValidationError({"year_dimension": "Rok można wybierać tylko według wymiaru z datą."})
    slug = slugify(slug or saved.name)[:80]
    if not slug:
        raise ValidationError({"slug": "Podaj skrót publikacji."})
    saved.slug, saved.year_dimension, saved.published = slug, year_dimension, True
    try:
        with transaction.atomic():
            saved.save(update_fields=["slug", "year_dimension", "published", "updated_at"])
    except IntegrityError:
        raise ValidationError({"slug": "Ten skrót publikacji jest już zajęty."}) from None
    return saved
