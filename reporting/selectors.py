"""Reads of reporting: the datasets and saved queries a staff member may use, published tables."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from sip import datasets as registry
from sip.datasets import Dataset
from sip.models import Gmina
from sip.tenancy import is_central_admin, user_gmina_id

from . import engine, tables
from .models import SavedQuery

PUBLISHED_CACHE_SECONDS = 300


def is_reporting_staff(user) -> bool:
    """Whether the account works for a gmina or the central unit (and may use the builder)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return is_central_admin(user) or user_gmina_id(user) is not None


def datasets_for(user) -> list[Dataset]:
    """Return the registered datasets the staff member's role may read."""
    if not is_reporting_staff(user):
        return []
    return [ds for ds in registry.all_datasets() if not ds.permission or user.has_perm(ds.permission)]


def gmina_scope(user) -> list[int] | None:
    """The gminas whose rows a staff member's queries read (None: every gmina, the central unit)."""
    if is_central_admin(user):
        return None
    gmina_id = user_gmina_id(user)
    return [gmina_id] if gmina_id is not None else []


def saved_queries_for(user) -> QuerySet[SavedQuery]:
    """Return the staff member's own saved queries and those shared by colleagues of the same
    gmina (for the central unit: by other central-unit staff)."""
    if not is_reporting_staff(user):
        return SavedQuery.objects.none()
    same_place = Q(gmina_id=user_gmina_id(user)) if user_gmina_id(user) else Q(gmina__isnull=True)
    return SavedQuery.objects.filter(Q(owner=user) | (Q(shared=True) & same_place)).select_related("owner")


def published_queries() -> QuerySet[SavedQuery]:
    return SavedQuery.objects.filter(published=True, slug__isnull=False).order_by("name")


def published_gminas(saved: SavedQuery) -> QuerySet[Gmina]:
    """The gminas a published query can be shown for: its author's, or all (central unit)."""
    qs = Gmina.objects.order_by("name")
    return qs.filter(pk=saved.gmina_id) if saved.gmina_id else qs


def published_query(saved: SavedQuery, *, gmina: Gmina, year: int | None) -> engine.Query:
    """The saved query narrowed to one gmina and, when it has a year dimension, one year."""
    params = dict(saved.params)
    filters = dict(params.get("filters") or {})
    filters["gmina"] = [gmina.teryt]
    if saved.year_dimension and year is not None:
        filters[f"{saved.year_dimension}:year"] = [year]
    params["filters"] = filters
    return engine.parse(params)


def published_years(saved: SavedQuery, *, gmina: Gmina) -> list[int]:
    """Return the years a resident may choose for a published query with a year dimension:
    the years that have rows in the gmina, and the current year, newest first."""
    if not saved.year_dimension:
        return []
    key = f"reporting:years:{saved.pk}:{saved.updated_at.timestamp()}:{gmina.pk}"
    years = cache.get(key)
    if years is None:
        query = engine.parse({"dataset": saved.dataset, "group_by": [f"{saved.year_dimension}:year"]})
        result = engine.run(query, gmina_ids=[gmina.pk])
        years = {int(k[0]) for k in result.cells if k[0] is not None}
        years.add(timezone.localdate().year)
        years = sorted(years, reverse=True)
        cache.set(key, years, PUBLISHED_CACHE_SECONDS)
    return years


def published_table(saved: SavedQuery, *, gmina: Gmina, year: int | None) -> tables.Table:
    """Return the published table of one gmina (and year) with disclosure control, computed at
    most once every PUBLISHED_CACHE_SECONDS (its data date says when)."""
    key = f"reporting:pub:{saved.pk}:{saved.updated_at.timestamp()}:{gmina.pk}:{year}"
    table = cache.get(key)
    if table is None:
        query = published_query(saved, gmina=gmina, year=year)
        result = engine.run(query, gmina_ids=[gmina.pk])
        table = tables.build(result, title=saved.name, protect=True)
        cache.set(key, table, PUBLISHED_CACHE_SECONDS)
    return table
