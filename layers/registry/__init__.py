"""Registration of layer sources: the one call every app uses to publish its data as layers.

An app describes each of its spatial models once; WMS, WFS, GetFeatureInfo, the legend and the
geoportal all read that description. Put the calls in ``<app>/maplayers.py`` (found
automatically when Django starts, like ``admin.py``) or call ``register`` from your
AppConfig.ready()::

    from layers.registry import register

    register(
        name="groby",                       # layer name in WMS/WFS URLs: [a-z][a-z0-9_-]*
        model="cemetery_routing.Grave",     # a model (or "app_label.Model") with a geometry field
        title="Groby",                      # Polish title shown in capabilities and legends
        title_en="Graves",                  # English title, when the visitor chose English
        fields=[("number", gettext_noop("numer grobu"))],  # exposed attributes + Polish labels
                                            # (gettext_noop: English in locale/en)
        geometry_field="geom",              # default "geom"
        gmina_field="gmina",                # FK to sip.Gmina used for per-gmina layers; "pk" for
                                            # sip.Gmina itself; None when the rows have no gmina
        abstract="…", group="Cmentarze", order=300,
        style={"fill_colour": "#cccccc", "stroke_colour": "#333333", "stroke_width": 1,
               "label_field": "number", "label_max_scale": 2000},
        visibility="public",                # or "staff" (staff of the layer's gmina) / "roles"
        queryable=True, min_scale=None, max_scale=25000,
        public_field=None,                  # a boolean column: rows where it is false are shown
                                            # only to staff of the row's gmina (and the central unit)
        base_map=None,                      # a number: part of the base map "Mapa SIP", drawn in
                                            # ascending order (bottom first)
    )

A style may have classes ("rules") by attribute value or range, or without an attribute, each
drawn only within its scales (min_scale/max_scale, denominators: 1:min_scale ≤ scale <
1:max_scale) with its own line width and labels; with "rules_only": True a feature no class
takes at the current scale is not drawn, so one layer reads differently at each zoom::

    style={"stroke_colour": "#969696", "rules_only": True, "rules": [
        {"title": "droga krajowa", "title_en": "national road", "field": "road_category", "value": "krajowa",
         "stroke_colour": "#d7301f", "stroke_width": 4.5, "min_scale": 13_000,
         "label_field": "road_number"},
        {"title": "ulica", "max_scale": 13_000, "stroke_width": 3, "label_field": "name"}]}

Registering only declares the source. After ``migrate`` (post_migrate) every registered source
also has a layer row of the same name for all gminas, created once with the defaults above;
from then on central-unit staff own that row (title, style, visibility, scales) in the admin,
and may publish the same source for chosen gminas as further layers. Fields are the model's own
concrete columns (no ``__`` lookups), so that MapServer and the WFS read the same columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.gis.db.models import GeometryField
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.utils import translation

from ..models import LAYER_NAME_RE

_SOURCES: dict[str, Source] = {}

_GEOMETRY_KINDS = {
    "POINT": "point",
    "MULTIPOINT": "point",
    "LINESTRING": "line",
    "MULTILINESTRING": "line",
    "POLYGON": "polygon",
    "MULTIPOLYGON": "polygon",
}


@dataclass(frozen=True)
class Source:
    """A registered layer source: a model, its exposed attributes and the defaults of its layer."""

    name: str
    model: type[models.Model]
    title: str
    fields: tuple[tuple[str, str], ...]
    title_en: str = ""
    geometry_field: str = "geom"
    gmina_field: str | None = "gmina"
    abstract: str = ""
    group: str = ""
    order: int = 100
    style: dict = field(default_factory=dict)
    visibility: str = "public"
    queryable: bool = True
    min_scale: int | None = None
    max_scale: int | None = None
    public_field: str | None = None
    base_map: int | None = None

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def pk_column(self) -> str:
        return self.model._meta.pk.column

    @property
    def geometry_column(self) -> str:
        return self.model._meta.get_field(self.geometry_field).column

    @property
    def srid(self) -> int:
        return self.model._meta.get_field(self.geometry_field).srid

    @property
    def geometry_kind(self) -> str:
        """'point', 'line' or 'polygon'."""
        return _GEOMETRY_KINDS[self.model._meta.get_field(self.geometry_field).geom_type]

    @property
    def gmina_column(self) -> str | None:
        if self.gmina_field is None:
            return None
        if self.gmina_field == "pk":
            return self.pk_column
        return self.model._meta.get_field(self.gmina_field).column

    def column(self, attr: str) -> str:
        return self.model._meta.get_field(attr).column

    @property
    def labels(self) -> dict[str, str]:
        return dict(self.fields)

    @property
    def display_fields(self) -> tuple[tuple[str, str], ...]:
        """The fields with their labels in the active language: the registry's Polish labels
        are in the translations (gettext_noop where they are registered)."""
        return tuple((attr, translation.gettext(label)) for attr, label in self.fields)

    def queryset(self, gmina_id: int | None = None, internal_of: tuple[int, ...] | None = None):
        """Return the source's rows, only one gmina's when gmina_id is given; with a public_field,
        only public rows and the internal rows of the gminas in `internal_of` (None: all rows)."""
        qs = self.model._default_manager.all()
        if gmina_id is not None and self.gmina_field is not None:
            qs = qs.filter(**{self.gmina_field: gmina_id})
        if self.public_field is not None and internal_of is not None:
            qs = qs.filter(
                models.Q(**{self.public_field: True}) | models.Q(**{f"{self.gmina_field}__in": internal_of})
            )
        return qs


def _resolve_model(model) -> type[models.Model]:
    if isinstance(model, str):
        return apps.get_model(model)
    return model


def register(
    *,
    name: str,
    model,
    title: str,
    fields: Sequence[tuple[str, str]],
    title_en: str = "",
    geometry_field: str = "geom",
    gmina_field: str | None = "gmina",
    abstract: str = "",
    group: str = "",
    order: int = 100,
    style: dict | None = None,
    visibility: str = "public",
    queryable: bool = True,
    min_scale: int | None = None,
    max_scale: int | None = None,
    public_field: str | None = None,
    base_map: int | None = None,
) -> Source:
    """Declare a layer source; return it. Registering the same name again replaces it."""
    if not LAYER_NAME_RE.match(name):
        raise ImproperlyConfigured(f"Layer source name {name!r} must match {LAYER_NAME_RE.pattern}")
    model = _resolve_model(model)
    opts = model._meta
    try:
        geom = opts.get_field(geometry_field)
    except FieldDoesNotExist:
        raise ImproperlyConfigured(f"{opts.label} has no field {geometry_field!r}") from None
    if not isinstance(geom, GeometryField) or geom.geom_type not in _GEOMETRY_KINDS:
        raise ImproperlyConfigured(f"{opts.label}.{geometry_field} is not a point, line or polygon field")
    for attr, _label in fields:
        try:
            f = opts.get_field(attr)
        except FieldDoesNotExist:
            raise ImproperlyConfigured(f"{opts.label} has no field {attr!r} (layer {name})") from None
        if not getattr(f, "concrete", False) or f.many_to_many or isinstance(f, GeometryField):
            raise ImproperlyConfigured(f"{opts.label}.{attr} is not a plain column (layer {name})")
    if gmina_field is not None and gmina_field != "pk":
        opts.get_field(gmina_field)
    if public_field is not None:
        try:
            flag = opts.get_field(public_field)
        except FieldDoesNotExist:
            raise ImproperlyConfigured(f"{opts.label} has no field {public_field!r} (layer {name})") from None
        if not isinstance(flag, models.BooleanField) or gmina_field is None:
            raise ImproperlyConfigured(
                f"{opts.label}.{public_field} must be a boolean column of rows with a gmina (layer {name})"
            )
    if visibility not in ("public", "staff", "roles"):
        raise ImproperlyConfigured(f"Unknown visibility {visibility!r} (layer {name})")
    source = Source(
        name=name,
        model=model,
        title=title,
        title_en=title_en,
        fields=tuple((a, lab) for a, lab in fields),
        geometry_field=geometry_field,
        gmina_field=gmina_field,
        abstract=abstract,
        group=group,
        order=order,
        style=dict(style or {}),
        visibility=visibility,
        queryable=queryable,
        min_scale=min_scale,
        max_scale=max_scale,
        public_field=public_field,
        base_map=base_map,
    )
    _SOURCES[name] = source
    return source


def get_source(name: str) -> Source | None:
    return _SOURCES.get(name)


def sources() -> list[Source]:
    return sorted(_SOURCES.values(), key=lambda s: (s.group, s.order, s.name))
