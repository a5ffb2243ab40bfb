"""Drawing maps with MapServer (mapscript, in process) from the process's map of the registry.

A screen tile (no overlays, OGC's pixel, no outside service) is drawn from the shared map object
under its lock: the cheapest path, the one WMS GetMap takes thousands of times a minute. Anything
else (a print's resolution, overlays, a cascaded outside service that may take seconds) is
drawn from a copy made under the lock and drawn outside it, so other requests need not wait and
the shared map stays as it is.

Sizes of overlays are given on paper (millimetres, points) and converted here, so that a
caller need not know MapServer's resolution arithmetic: a style's width w is drawn
w × resolution / defresolution pixels, and the map's defresolution is OGC's pixel.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import mapscript
from django.contrib.gis.geos import GEOSGeometry

from sip.geometry import STORAGE_SRID

from ..crs import mapserver_projection
from ..selectors import LayerInfo, catalogue
from .mapfile import OGC_DPI, MapHolder, add_class, layer_sql

# Output formats of the base map (layers.render.mapfile): screen PNG, PNG with an alpha channel,
# JPEG, and an opaque, better compressed PNG for paper (prints and extracts).
IMAGE_FORMATS = ("png", "png-transparent", "jpeg", "png-print")
MM_PER_INCH = 25.4


class LayerNotDrawable(LookupError):
    """A layer of the catalogue that the process's map has no drawing of (a broken source)."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


@dataclass(frozen=True)
class Frame:
    """What to draw: a ground extent (outer edges of the image, x/y order, in `srid`), the
    image's size in pixels and, for paper, its pixels per inch (None: OGC's 0.28 mm pixel)."""

    extent: tuple[float, float, float, float]
    width: int
    height: int
    srid: int = STORAGE_SRID
    dpi: float | None = None

    @classmethod
    def on_paper(cls, extent, width_mm: float, height_mm: float, dpi: float, srid: int = STORAGE_SRID):
        """A frame of `width_mm` × `height_mm` on paper at `dpi` showing `extent`."""
        width = round(width_mm / MM_PER_INCH * dpi)
        height = round(height_mm / MM_PER_INCH * dpi)
        return cls(tuple(extent), width, height, srid, dpi)

    @property
    def mapserver_extent(self) -> tuple[float, float, float, float]:
        """The extent as MapServer takes it: through the centres of the edge pixels."""
        minx, miny, maxx, maxy = self.extent
        half_x, half_y = (maxx - minx) / self.width / 2, (maxy - miny) / self.height / 2
        return minx + half_x, miny + half_y, maxx - half_x, maxy - half_y


@dataclass(frozen=True)
class Overlay:
    """Geometries drawn over the layers (EPSG:2180 unless they carry another SRID).

    Each geometry is drawn with a fill and/or an outline (`stroke`, `width_mm`, dashes of
    `dash_mm`), a diagonal `hatch`, and with `labels` (one text a geometry, at a point or in a
    polygon's middle). `style_of` + `attrs` take fill and outline from a registry layer's style
    instead: the class that a row with these attributes gets on the map (e.g. a zone's purpose).
    """

    geometries: tuple[GEOSGeometry, ...]
    kind: str = "polygon"  # "polygon", "line" or "point"
    fill: tuple[int, int, int] | None = None
    stroke: tuple[int, int, int] | None = None
    width_mm: float = 0.25
    dash_mm: tuple[float, ...] = ()
    hatch: tuple[int, int, int] | None = None
    labels: tuple[str, ...] = ()
    font: str = "sans"  # an alias of the base map's fontset: "sans" or "sans-bold"
    size_pt: float = 8.0
    label_colour: tuple[int, int, int] = (0, 0, 0)
    label_force: bool = False
    style_of: str | None = None
    attrs: dict = field(default_factory=dict)

    @classmethod
    def outline(cls, geometries: Iterable[GEOSGeometry], colour, width_mm: float, **extra) -> Overlay:
        """Outlines of polygons (a highlighted parcel, the parcels of an extract)."""
        return cls(tuple(geometries), stroke=colour, width_mm=width_mm, **extra)

    @classmethod
    def route(cls, line: GEOSGeometry, colour=(0, 90, 200), width_mm: float = 1.0) -> Overlay:
        """A route (a LineString) drawn as a line."""
        return cls((line,), kind="line", stroke=colour, width_mm=width_mm)

    @classmethod
    def text(cls, points: Sequence[GEOSGeometry], texts: Sequence[str], **style) -> Overlay:
        """Labels at points."""
        return cls(tuple(points), kind="point", labels=tuple(texts), **style)


# CRSs whose unit is not a ground length: web mercator's metre is 1/cos(latitude) ground metres,
# a degree of longitude cos(latitude) of the equator's. MapServer reckons a scale in the
# CRS's units, so a Leaflet tile at 51° N would be taken as 1.6 times smaller in scale than
# the map's scale bar says; scale-dependent classes must follow the ground (see draw_map).
_STRETCHED_SRIDS = (3857, 4326)


def ground_resolution(frame: Frame) -> float:
    """The pixels per inch that make MapServer's scale of `frame` the scale on the ground at
    the frame's centre (OGC's pixel scaled by cos(latitude) in web mercator and degrees)."""
    if frame.srid not in _STRETCHED_SRIDS:
        return OGC_DPI
    y = (frame.extent[1] + frame.extent[3]) / 2
    lat = y if frame.srid == 4326 else math.degrees(math.atan(math.sinh(y / 6378137.0)))
    return OGC_DPI * max(math.cos(math.radians(max(-85.0, min(85.0, lat)))), 0.05)


def _paper_units(mm: float) -> float:
    """Millimetres on paper as a MapServer size of the base map (see the module's docstring)."""
    return mm / MM_PER_INCH * OGC_DPI


def _font_size(pt: float) -> int:
    return max(1, round(pt * OGC_DPI / 72))


def _colour(obj, rgb) -> None:
    obj.setRGB(int(rgb[0]), int(rgb[1]), int(rgb[2]))


def registry_style(source_name: str, gmina_id: int | None = None):
    """Return the style of the published layer of a registry source: the gmina's own layer of
    it if there is one, else the layer for all gminas; None when none is published."""
    found = None
    for info in catalogue().layers:
        if info.layer.source != source_name or info.layer.external_id or info.layer.raster:
            continue
        if info.layer.gmina_id == gmina_id and gmina_id is not None:
            return info.layer.style
        if info.layer.gmina_id is None and found is None:
            found = info.layer.style
    return found


def _rule_matches(rule, attrs: dict) -> bool:
    if rule.field not in attrs:
        return False
    value = attrs[rule.field]
    if rule.value:
        return str(value) == rule.value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    if rule.min_value is not None and number < float(rule.min_value):
        return False
    return not (rule.max_value is not None and number >= float(rule.max_value))


def _registry_colours(style, attrs: dict) -> tuple[str, str]:
    """(fill, stroke) of the class that a row with `attrs` gets from the style, as MapServer
    picks it: the first matching rule, else the style's own colours."""
    for rule in style.rules.all():
        if _rule_matches(rule, attrs):
            return rule.fill_colour or style.fill_colour, rule.stroke_colour or style.stroke_colour
    return style.fill_colour, style.stroke_colour


def registry_colour(source_name: str, attrs: dict, gmina_id: int | None = None) -> str:
    """The colour (#rrggbb) that a row with `attrs` shows on white paper in the registry's style
    of the source: the fill blended by its opacity, for legends drawn outside MapServer."""
    style = registry_style(source_name, gmina_id)
    if style is None or not style.fill_colour:
        return "#e6e6e6"
    fill, _stroke = _registry_colours(style, attrs)
    if not fill:
        return "#ffffff"
    alpha = int(style.fill_opacity) / 100
    rgb = [int(fill[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(alpha * c + (1 - alpha) * 255):02x}" for c in rgb)


def _shape(geometry: GEOSGeometry, srid: int) -> mapscript.shapeObj:
    if geometry.srid is None:
        raise ValueError("overlay geometry without an SRID")
    if geometry.srid != srid:
        geometry = geometry.transform(srid, clone=True)
    return mapscript.shapeObj.fromWKT(geometry.wkt)


def _overlay_layer(m: mapscript.mapObj, overlay: Overlay, number: int, gmina_id: int | None) -> None:
    kinds = {"polygon": mapscript.MS_LAYER_POLYGON, "line": mapscript.MS_LAYER_LINE}
    lo = mapscript.layerObj(m)
    lo.name = f"sip_overlay_{number}"
    lo.type = kinds.get(overlay.kind, mapscript.MS_LAYER_POINT)
    lo.status = mapscript.MS_ON
    lo.setProjection(mapserver_projection(STORAGE_SRID))
    style = registry_style(overlay.style_of, gmina_id) if overlay.style_of else None
    if style is not None:
        fill, stroke = _registry_colours(style, overlay.attrs)
        add_class(lo, overlay.kind, style, title=overlay.style_of, fill=fill, stroke=stroke, labels=False)
        cls = lo.getClass(0)
    else:
        cls = mapscript.classObj(lo)
        if overlay.fill or (overlay.kind == "polygon" and overlay.style_of):
            so = mapscript.styleObj()
            _colour(so.color, overlay.fill or (230, 230, 230))
            cls.insertStyle(so)
        if overlay.hatch:
            so = mapscript.styleObj()
            so.setSymbolByName(m, "hatch")
            _colour(so.color, overlay.hatch)
            so.size = _paper_units(2.8)
            so.width = _paper_units(0.28)
            so.angle = 45
            cls.insertStyle(so)
        if overlay.stroke:
            so = mapscript.styleObj()
            if overlay.kind == "line":
                _colour(so.color, overlay.stroke)
            else:
                _colour(so.outlinecolor, overlay.stroke)
            so.width = _paper_units(overlay.width_mm)
            if overlay.dash_mm:
                so.pattern = [_paper_units(v) for v in overlay.dash_mm]
            cls.insertStyle(so)
    if overlay.labels:
        label = mapscript.labelObj()
        label.font = overlay.font
        label.size = _font_size(overlay.size_pt)
        _colour(label.color, overlay.label_colour)
        label.outlinecolor.setRGB(255, 255, 255)
        label.outlinewidth = 2
        label.position = mapscript.MS_CC
        label.partials = False
        label.force = mapscript.MS_ON if overlay.label_force else mapscript.MS_OFF
        cls.addLabel(label)
    for i, geometry in enumerate(overlay.geometries):
        if geometry.empty:
            continue
        shape = _shape(geometry, STORAGE_SRID)
        if overlay.labels:
            shape.text = overlay.labels[i]
        lo.addFeature(shape)


def _prepare(m: mapscript.mapObj, layers: Sequence[LayerInfo], srid: int, internal_of) -> None:
    """Switch on only `layers`, drawn in the given order, in the CRS `srid`, with the rows of the
    gminas in `internal_of` (see layer_sql); hold MapHolder.lock."""
    wanted = []
    for info in layers:
        lo = m.getLayerByName(info.name)
        if lo is None:
            raise LayerNotDrawable(info.name)
        if info.is_vector and info.source.public_field:
            data = layer_sql(info, internal_of)
            if lo.data != data:
                lo.data = data
        wanted.append(lo.index)
    if getattr(m, "_sip_on", None) != wanted:
        for i in range(m.numlayers):
            m.getLayer(i).status = mapscript.MS_OFF
        for i in wanted:
            m.getLayer(i).status = mapscript.MS_ON
        chosen = set(wanted)
        order = wanted + [i for i in range(m.numlayers) if i not in chosen]
        if getattr(m, "_sip_order", None) != order:
            indexes = mapscript.intarray(len(order))
            for position, index in enumerate(order):
                indexes[position] = index
            m.setLayersDrawingOrder(indexes)
            m._sip_order = order
        m._sip_on = wanted
    if getattr(m, "_sip_srid", None) != srid:
        m.setProjection(mapserver_projection(srid))
        m._sip_srid = srid


def draw_map(
    frame: Frame,
    layers: Sequence[LayerInfo] = (),
    *,
    image_format: str = "png",
    bgcolor: tuple[int, int, int] = (255, 255, 255),
    internal_of: tuple[int, ...] | None = (),
    overlays: Sequence[Overlay] = (),
    gmina_id: int | None = None,
) -> bytes:
    """Return the encoded image of `layers` (bottom first) and `overlays` (over them) in `frame`.

    `internal_of`: the gminas whose internal rows the caller sees (selectors.internal_rows_of);
    `gmina_id`: whose registry styles overlays with `style_of` take. Raises LayerNotDrawable
    and mapscript.MapServerError."""
    if image_format not in IMAGE_FORMATS:
        raise ValueError(f"unknown image format {image_format!r}")
    own_copy = bool(overlays) or frame.dpi is not None or any(info.is_external for info in layers)
    # Scales follow the ground; sizes stay as they are (MapServer draws a size s at
    # s × resolution / defresolution pixels).
    resolution = ground_resolution(frame)
    with MapHolder.lock:
        m, _cat = MapHolder.get()
        _prepare(m, layers, frame.srid, internal_of)
        if m.resolution != resolution:
            m.resolution = m.defresolution = resolution
        m.setSize(frame.width, frame.height)
        m.setExtent(*frame.mapserver_extent)
        if getattr(m, "_sip_format", None) != image_format:
            m.selectOutputFormat(image_format)
            m._sip_format = image_format
        if getattr(m, "_sip_bgcolor", None) != bgcolor:
            m.imagecolor.setRGB(*bgcolor)
            m._sip_bgcolor = bgcolor
        if not own_copy:
            return m.draw().getBytes()
        m = m.clone()
    if frame.dpi is not None:
        m.resolution = frame.dpi * resolution / OGC_DPI
    for number, overlay in enumerate(overlays):
        _overlay_layer(m, overlay, number, gmina_id)
    return m.draw().getBytes()


def draw_legend(info: LayerInfo, scale: float | None = None) -> bytes:
    """Return the PNG legend of a layer: one key a class of its registry style; with `scale`,
    only the classes drawn at 1:scale (a print's legend)."""
    with MapHolder.lock:
        m, _cat = MapHolder.get()
        _prepare(m, (info,), STORAGE_SRID, ())
        if getattr(m, "_sip_format", None) != "png":
            m.selectOutputFormat("png")
            m._sip_format = "png"
        # The shared map's classes carry the Polish titles; the keys of the layer's own class and
        # of its style's classes take their titles in the visitor's language for this drawing only.
        renamed = _classes_to_retitle(m, info)
        for cls, _polish, title in renamed:
            cls.name = title
        try:
            if scale is None:
                return m.drawLegend(1).getBytes()  # every class, whatever the map's last scale
            m.scaledenom = float(scale)
            return m.drawLegend(0).getBytes()
        finally:
            for cls, polish, _title in renamed:
                cls.name = polish


def _classes_to_retitle(m: mapscript.mapObj, info: LayerInfo) -> list[tuple]:
    """(class, Polish title, title in the active language) of the classes of the layer's map
    layer whose title differs in the active language."""
    titles = {info.layer.title: info.layer.display_title}
    if info.layer.style_id is not None:
        titles.update((rule.title, rule.display_title) for rule in info.layer.style.rules.all())
    titles = {polish: title for polish, title in titles.items() if polish != title}
    lo = m.getLayerByName(info.name) if titles else None
    classes = (lo.getClass(i) for i in range(lo.numclasses)) if lo is not None else ()
    return [(cls, cls.name, titles[cls.name]) for cls in classes if cls.name in titles]
