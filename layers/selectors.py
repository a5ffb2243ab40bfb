"""Reads of the layer registry: a per-process snapshot of every layer, and who may see which.

The snapshot (``catalogue()``) is rebuilt when the registry version in the database changes.
Looking the version up costs a round trip to the database, more than the rest of a tile
request outside MapServer, so a process looks at most once every SIP_LAYER_REFRESH_SECONDS
(default 1 s): a change made in the admin reaches every worker within that time.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.gis.db.models import Extent
from django.db import DatabaseError, transaction
from django.db.models import Prefetch
from django.utils import translation

from sip import tenancy
from sip.geometry import STORAGE_SRID
from sip.models import Gmina

from .crs import transform_extent
from .models import Layer, RegistryVersion, StyleRule
from .ogc.language import inspire_code
from .registry import Source, get_source

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LayerInfo:
    """A layer as the services see it: the row, its source, its style and its extent (EPSG:2180):
    the extent of its own rows when the registry snapshot was built."""

    layer: Layer
    source: Source | None  # None for a cascaded external layer and for a raster file
    extent: tuple[float, float, float, float]
    role_names: frozenset[str]
    raster_srid: int | None = None

    @property
    def name(self) -> str:
        return self.layer.name

    @property
    def is_external(self) -> bool:
        return bool(self.layer.external_id)

    @property
    def is_raster(self) -> bool:
        return bool(self.layer.raster)

    @property
    def is_vector(self) -> bool:
        return self.source is not None

    @property
    def scale_range(self) -> tuple[int | None, int | None]:
        """(min, max) scale denominators within which the layer draws anything: the layer's own
        limits, narrowed to the classes' scales when only its classes draw (Style.rules_only)."""
        low, high = self.layer.min_scale, self.layer.max_scale
        style = self.layer.style
        rules = list(style.rules.all()) if self.is_vector else []
        if style.rules_only and rules:
            lows = [r.min_scale or 0 for r in rules]
            highs = [r.max_scale for r in rules]
            if min(lows):
                low = max(low or 0, min(lows))
            if None not in highs:
                high = min(high, max(highs)) if high else max(highs)
        return low, high

    @property
    def covers_ground(self) -> bool:
        """Whether the layer paints the ground over (opaque fills, as land cover): a base map
        over an orthophoto leaves such layers out."""
        if not self.is_vector or self.source.geometry_kind != "polygon":
            return False
        style = self.layer.style
        fills = [style.fill_colour] + [r.fill_colour for r in style.rules.all()]
        return style.fill_opacity == 100 and any(fills)


@dataclass(frozen=True)
class Catalogue:
    version: int
    layers: tuple[LayerInfo, ...]

    def get(self, name: str) -> LayerInfo | None:
        return self._by_name.get(name)

    @property
    def _by_name(self) -> dict[str, LayerInfo]:
        cached = self.__dict__.get("_by_name_cache")
        if cached is None:
            cached = {i.name: i for i in self.layers}
            object.__setattr__(self, "_by_name_cache", cached)
        return cached


_lock = threading.Lock()
_catalogue: Catalogue | None = None
_checked_at = 0.0


def refresh_seconds() -> float:
    return float(getattr(settings, "SIP_LAYER_REFRESH_SECONDS", 1.0))


def forget_catalogue() -> None:
    """Make the next catalogue() look at the database (tests, management commands)."""
    global _checked_at
    _checked_at = 0.0


def registry_version() -> int:
    """Return the current registry version (0 before the first layer exists)."""
    return RegistryVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def _extents() -> dict[int | None, tuple[float, float, float, float]]:
    out = {g.pk: g.boundary.extent for g in Gmina.objects.only("boundary")}
    whole = Gmina.objects.aggregate(e=Extent("boundary"))["e"]
    out[None] = whole or (140_000.0, 120_000.0, 880_000.0, 790_000.0)
    return out


def _data_extents(source: Source) -> dict[int | None, tuple[float, float, float, float]]:
    """The extent (EPSG:2180) of a source's rows for each gmina and, under None, of all rows;
    one ST_Extent query (an aggregate of the rows' bounding boxes)."""
    if source.srid != STORAGE_SRID:
        return {}
    out: dict[int | None, tuple[float, float, float, float]] = {}
    manager = source.model._default_manager
    try:
        with transaction.atomic():  # a savepoint: a failure must not end the caller's transaction
            if source.gmina_field is None:
                whole = manager.aggregate(e=Extent(source.geometry_field))["e"]
                return {None: whole} if whole else {}
            rows = list(
                manager.order_by().values_list(source.gmina_field).annotate(e=Extent(source.geometry_field))
            )
    except DatabaseError:  # a source whose table or view is missing: the gminas' extent
        log.exception("Extent of layer source %s is not readable", source.name)
        return {}
    out = {gmina_id: extent for gmina_id, extent in rows if extent is not None}
    if out:
        boxes = list(out.values())
        out[None] = (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
    return out


def _build(version: int) -> Catalogue:
    rows = (
        Layer.objects.filter(published=True)
        .select_related("style", "gmina", "external__service")
        .prefetch_related(
            "roles", Prefetch("style__rules", queryset=StyleRule.objects.order_by("order", "id"))
        )
    )
    extents = _extents()
    data_extents: dict[str, dict] = {}
    infos = []
    for row in rows:
        raster_srid = None
        if row.raster:
            from .raster import inspect_raster

            source = None
            try:
                found = inspect_raster(row.raster.path)
            except Exception:  # a file removed or broken since upload: leave the layer out
                log.exception("Raster of layer %s is not readable", row.name)
                continue
            raster_srid = found.srid
            extent = transform_extent(found.extent, STORAGE_SRID, source=found.srid)
        elif row.external_id:
            source = None
            box = row.external.extent_4326
            extent = transform_extent(tuple(box), STORAGE_SRID, source=4326) if box else extents[None]
        else:
            source = get_source(row.source)
            if source is None:
                continue  # the app that registered it is not installed any more
            if source.name not in data_extents:
                data_extents[source.name] = _data_extents(source)
            # The extent of the layer's own rows (of its gmina, or of all); a layer without
            # rows yet: the extent of its gmina (or of the partnership).
            extent = data_extents[source.name].get(row.gmina_id) or extents.get(row.gmina_id) or extents[None]
        infos.append(
            LayerInfo(
                layer=row,
                source=source,
                extent=tuple(float(v) for v in extent),
                role_names=frozenset(g.name for g in row.roles.all()),
                raster_srid=raster_srid,
            )
        )
    return Catalogue(version=version, layers=tuple(infos))


def catalogue() -> Catalogue:
    """Return the snapshot of published layers (at most SIP_LAYER_REFRESH_SECONDS old)."""
    global _catalogue, _checked_at
    current = _catalogue
    now = time.monotonic()
    if current is not None and now - _checked_at < refresh_seconds():
        return current
    version = registry_version()
    with _lock:
        if _catalogue is None or _catalogue.version != version:
            _catalogue = _build(version)
        _checked_at = now
        return _catalogue


def may_see(user, info: LayerInfo) -> bool:
    """Whether the user may see this layer in WMS, WFS and the geoportal."""
    visibility = info.layer.visibility
    if visibility == Layer.Visibility.PUBLIC:
        return True
    if user is None or not user.is_authenticated:
        return False
    if not tenancy.in_scope(user, info.layer.gmina_id):
        return False
    if visibility == Layer.Visibility.ROLES:
        return tenancy.is_central_admin(user) or bool(info.role_names & tenancy.role_names(user))
    return True


def internal_rows_of(user) -> tuple[int, ...] | None:
    """The gminas whose internal rows (a source's public_field false) the user sees besides the
    public ones: None for every gmina (the central unit), the staff member's own gmina, or none."""
    if tenancy.is_central_admin(user):
        return None
    gmina_id = tenancy.user_gmina_id(user)
    if gmina_id is None or not user.is_active:
        return ()
    return (gmina_id,)


def depends_on_caller(info: LayerInfo) -> bool:
    """Whether what the layer shows depends on who asks (an internal layer, or internal rows)."""
    return info.layer.visibility != Layer.Visibility.PUBLIC or bool(info.source and info.source.public_field)


def layer_rows(info: LayerInfo, user):
    """Return the rows of a vector layer that the user may see."""
    return info.source.queryset(info.layer.gmina_id, internal_of=internal_rows_of(user))


def visible_layers(user) -> list[LayerInfo]:
    """Return the published layers the user may see, in group and display order."""
    return [i for i in catalogue().layers if may_see(user, i)]


def describe_layers(user, gmina: Gmina | None, wms_url: str) -> list[dict]:
    """The layers the user may see, for one gmina (its own and all-gmina layers) or all, in
    display order, with what a web map needs to show them (the /ows/layers document)."""
    out = []
    language = translation.get_language() or settings.LANGUAGE_CODE
    for info in visible_layers(user):
        row = info.layer
        if gmina is not None and row.gmina_id not in (None, gmina.pk):
            continue
        min_scale, max_scale = info.scale_range
        legend = urlencode(
            {
                "SERVICE": "WMS",
                "VERSION": "1.3.0",
                "REQUEST": "GetLegendGraphic",
                "LAYER": row.name,
                "FORMAT": "image/png",
                # The legend's keys in the visitor's language (Polish, the default, needs none).
                **({"LANGUAGE": inspire_code(language)} if language != settings.LANGUAGE_CODE else {}),
            }
        )
        out.append(
            {
                "name": row.name,
                "title": row.display_title,
                "abstract": row.abstract,
                "group": row.display_group,
                "order": row.order,
                "gmina": row.gmina.slug if row.gmina_id else None,
                "visibility": row.visibility,
                "queryable": row.queryable and info.is_vector,
                "wfs": info.is_vector,
                "min_scale": min_scale,
                "max_scale": max_scale,
                "base_map": row.base_map,
                "covers_ground": info.covers_ground,
                "attributes": [{"name": a, "label": label} for a, label in info.source.display_fields]
                if info.source
                else [],
                "legend_url": f"{wms_url}?{legend}",
            }
        )
    return out


def base_map_layers(user, gmina: Gmina | None) -> tuple[str, ...]:
    """The names of the layers of the base map "Mapa SIP" that the user may see, for one gmina
    (its own and all-gmina layers) or all, bottom first."""
    found = [
        info.layer
        for info in visible_layers(user)
        if info.layer.base_map is not None and (gmina is None or info.layer.gmina_id in (None, gmina.pk))
    ]
    return tuple(row.name for row in sorted(found, key=lambda row: (row.base_map, row.name)))
