"""Reportable datasets: the one call every app uses to offer its data to reporting.

An app describes each dataset once, in ``<app>/datasets.py`` (found automatically when Django
starts, like ``maplayers.py``); the reporting app (query builder, published statistics, API)
reads only these descriptions and never imports the app::

    from sip.datasets import Dimension, Measure, register

    register(
        slug="drzewa",                          # [a-z][a-z0-9-]*, in URLs and saved queries
        title="Drzewa",                         # Polish title
        queryset=lambda: Tree.objects.all(),    # a callable returning the rows (a QuerySet)
        gmina_path="gmina",                     # lookup from a row to its sip.Gmina (tenancy)
        geometry="geom",                        # a geometry field or lookup ("grave__geom");
                                                # points are used as they are, lines and polygons
                                                # by a point on them (ST_PointOnSurface); None:
                                                # no spatial units
        dimensions=[
            Dimension("species", "gatunek", "species__polish_name"),            # categorical
            Dimension("surveyed_on", "data inwentaryzacji", "surveyed_on",     # a date: grouped
                      kind="date"),                                           # by month/quarter/
                                                                              # year/decade
            Dimension("felling_permit", "zezwolenie", felling_expression),     # an expression
        ],
        measures=[Measure("height_m", "wysokość [m]", "height_m")],  # sum/avg of these; count is
                                                                      # always there
        obreb_field="obreb",                    # optional: a stored key (lookup) to the
                                                # sip.Obreb containing each row's point, kept
                                                # by the app; grouping by obręb then joins it
                                                # instead of ST_Within over the boundaries
        personal_fields=["notes"],              # never selected, filtered on or shown
        counts_people=False,                    # True: published cells under k are suppressed
        k=5,                                    # the smallest count published (counts_people)
        permission="inventory.view_tree",       # the permission a staff member needs
    )

A dimension's ``expr`` is a lookup string or a callable returning a Django expression (for a
value computed from several columns). ``choices`` gives Polish labels of coded values.
Spatial units (gmina, obręb, a 1 km grid, a drawn area) need no declaration: they come from
``geometry`` and the obręb boundaries in ``sip``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

DATE_BUCKETS = ("month", "quarter", "year", "decade")
SPATIAL_UNITS = ("gmina", "obreb", "grid_1km")
SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{0,49}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")

_DATASETS: dict[str, Dataset] = {}


@dataclass(frozen=True)
class Dimension:
    """A column to group and filter by: categorical, or a date bucketed by DATE_BUCKETS."""

    name: str
    label: str
    expr: str | Callable
    kind: str = "category"  # "category" or "date"
    choices: tuple[tuple[str, str], ...] = ()

    def expression(self):
        from django.db.models import F

        return F(self.expr) if isinstance(self.expr, str) else self.expr()


@dataclass(frozen=True)
class Measure:
    """A numeric column that may be summed or averaged."""

    name: str
    label: str
    expr: str | Callable

    def expression(self):
        from django.db.models import F

        return F(self.expr) if isinstance(self.expr, str) else self.expr()


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    queryset: Callable
    gmina_path: str
    dimensions: tuple[Dimension, ...]
    measures: tuple[Measure, ...] = ()
    geometry: str | None = "geom"
    obreb_field: str | None = None
    personal_fields: tuple[str, ...] = ()
    counts_people: bool = False
    k: int = 5
    permission: str | None = None
    description: str = ""
    unit_label: str = "obiekty"
    order: int = 100
    extra: dict = field(default_factory=dict)

    def dimension(self, name: str) -> Dimension | None:
        return next((d for d in self.dimensions if d.name == name), None)

    def measure(self, name: str) -> Measure | None:
        return next((m for m in self.measures if m.name == name), None)

    def rows(self):
        """The dataset's rows: a fresh QuerySet."""
        return self.queryset()


def register(
    *,
    slug: str,
    title: str,
    queryset: Callable,
    gmina_path: str,
    dimensions: Sequence[Dimension],
    measures: Sequence[Measure] = (),
    geometry: str | None = "geom",
    obreb_field: str | None = None,
    personal_fields: Sequence[str] = (),
    counts_people: bool = False,
    k: int = 5,
    permission: str | None = None,
    description: str = "",
    unit_label: str = "obiekty",
    order: int = 100,
) -> Dataset:
    """Declare (or replace) a reportable dataset and return it."""
    if not SLUG_RE.match(slug):
        raise ImproperlyConfigured(f"Dataset slug {slug!r}: use [a-z][a-z0-9-]*.")
    names = [d.name for d in dimensions] + [m.name for m in measures]
    for name in names:
        if not NAME_RE.match(name) or name in SPATIAL_UNITS or name == "area":
            raise ImproperlyConfigured(f"Dataset {slug}: bad or reserved name {name!r}.")
    clash = set(names) & set(personal_fields)
    if clash:
        raise ImproperlyConfigured(f"Dataset {slug}: personal fields offered as dimensions: {clash}.")
    if obreb_field is not None and geometry is None:
        raise ImproperlyConfigured(f"Dataset {slug}: a stored obręb needs the geometry it is kept from.")
    if k < 2:
        raise ImproperlyConfigured(f"Dataset {slug}: k must be at least 2.")
    for d in dimensions:
        if d.kind not in ("category", "date"):
            raise ImproperlyConfigured(f"Dataset {slug}: dimension {d.name} has kind {d.kind!r}.")
    ds = Dataset(
        slug=slug,
        title=title,
        queryset=queryset,
        gmina_path=gmina_path,
        dimensions=tuple(dimensions),
        measures=tuple(measures),
        geometry=geometry,
        obreb_field=obreb_field,
        personal_fields=tuple(personal_fields),
        counts_people=counts_people,
        k=k,
        permission=permission,
        description=description,
        unit_label=unit_label,
        order=order,
    )
    _DATASETS[slug] = ds
    return ds


def get(slug: str) -> Dataset | None:
    return _DATASETS.get(slug)


def all_datasets() -> list[Dataset]:
    return sorted(_DATASETS.values(), key=lambda d: (d.order, d.slug))


def _register_core() -> None:
    """sip's own dataset: parcels (registered here, as this module is sip's `datasets`)."""

    def parcels():
        from .models import Parcel

        return Parcel.objects.all()

    register(
        slug="dzialki",
        title="Działki ewidencyjne",
        queryset=parcels,
        gmina_path="gmina",
        geometry="geom",
        dimensions=[Dimension("updated_at", "data zmiany", "updated_at", kind="date")],
        measures=[Measure("registered_area_m2", "powierzchnia ewidencyjna [m²]", "registered_area_m2")],
        counts_people=False,
        permission="sip.view_parcel",
        description="Działki z ewidencji gruntów (liczba i powierzchnia).",
        unit_label="działki",
        order=10,
    )


_register_core()
