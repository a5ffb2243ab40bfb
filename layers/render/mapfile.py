"""MapServer map objects built from the layer registry (mapscript, in process).

One mapObj per process and registry version: parsing and building happen once, PostGIS
connections stay open between requests (``CLOSE_CONNECTION=DEFER``). A mapObj is not safe to
share between threads, so every use holds ``MapHolder.lock``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from pathlib import Path
from xml.sax.saxutils import escape

import mapscript
from django.conf import settings
from django.db import connections

from sip.dbrouting import read_alias
from sip.geometry import ACCEPTED_SRIDS, STORAGE_SRID

from ..crs import mapserver_projection
from ..selectors import Catalogue, LayerInfo, catalogue

log = logging.getLogger(__name__)

FONT_FILES = {
    "sans": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "sans-bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
}
# OGC's standard pixel of 0.28 mm, as MapServer's WMS uses for scale denominators.
OGC_DPI = 25.4 / 0.28
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
_LAYER_TYPES = {
    "point": mapscript.MS_LAYER_POINT,
    "line": mapscript.MS_LAYER_LINE,
    "polygon": mapscript.MS_LAYER_POLYGON,
}

_BASE_MAP = """
MAP
  NAME "sip"
  SIZE 256 256
  UNITS METERS
  EXTENT 140000 120000 880000 790000
  IMAGECOLOR 255 255 255
  FONTSET "{fontset}"
  PROJECTION "EPSG:2180" END
  SYMBOL NAME "circle" TYPE ELLIPSE FILLED TRUE POINTS 1 1 END END
  SYMBOL NAME "square" TYPE VECTOR FILLED TRUE POINTS 0 0 0 1 1 1 1 0 0 0 END END
  SYMBOL NAME "triangle" TYPE VECTOR FILLED TRUE POINTS 0 1 0.5 0 1 1 0 1 END END
  SYMBOL NAME "hatch" TYPE HATCH END
  OUTPUTFORMAT NAME "png" DRIVER "AGG/PNG" MIMETYPE "image/png" IMAGEMODE RGBA EXTENSION "png"
    TRANSPARENT OFF FORMATOPTION "COMPRESSION=1" END
  OUTPUTFORMAT NAME "png-transparent" DRIVER "AGG/PNG" MIMETYPE "image/png" IMAGEMODE RGBA
    EXTENSION "png" TRANSPARENT ON FORMATOPTION "COMPRESSION=1" END
  OUTPUTFORMAT NAME "jpeg" DRIVER "AGG/JPEG" MIMETYPE "image/jpeg" IMAGEMODE RGB EXTENSION "jpg"
    FORMATOPTION "QUALITY=85" END
  OUTPUTFORMAT NAME "png-print" DRIVER "AGG/PNG" MIMETYPE "image/png" IMAGEMODE RGB EXTENSION "png"
    FORMATOPTION "COMPRESSION=6" END
  LEGEND
    KEYSIZE 20 12
    KEYSPACING 6 4
    IMAGECOLOR 255 255 255
    LABEL FONT "sans" SIZE 8 COLOR 0 0 0 END
    STATUS ON
  END
END
"""


def _work_folder() -> Path:
    """MapServer's files that SIP writes (font list, WMTS descriptions, cache of WMTS tiles):
    SIP_MAPSERVER_DIR, readable by this account only."""
    folder = Path(settings.SIP_MAPSERVER_DIR)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _fontset_path() -> str:
    folder = _work_folder()
    path = folder / "fonts.txt"
    text = "".join(f"{alias} {file}\n" for alias, file in FONT_FILES.items())
    if not path.exists() or path.read_text() != text:
        tmp = folder / f"fonts.{os.getpid()}.{threading.get_ident()}.tmp"
        tmp.write_text(text)
        tmp.replace(path)
    return str(path)


def _conninfo_value(value) -> str:
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def postgis_connection() -> str:
    """The libpq connection string of the database maps are drawn from, for MapServer's PostGIS
    layers: the read replica when one is configured (drawing only reads), else the primary;
    with the session options SIP gives its own connections (no JIT, no parallel workers)."""
    db = connections[read_alias()].settings_dict
    parts = {"dbname": db["NAME"], "user": db["USER"], "password": db["PASSWORD"]}
    if db.get("HOST"):
        parts["host"] = db["HOST"]
    if db.get("PORT"):
        parts["port"] = db["PORT"]
    parts["application_name"] = "sip-mapserver"
    parts["options"] = db.get("OPTIONS", {}).get("options", "")
    return " ".join(f"{k}={_conninfo_value(v)}" for k, v in parts.items() if v not in (None, ""))


def _ident(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"unexpected SQL identifier {name!r}")
    return name


def layer_sql(info: LayerInfo, internal_of: tuple[int, ...] | None = ()) -> str:
    """MapServer DATA for a layer: a subquery over the source's table, one gmina's rows if set;
    with a public_field, the public rows and the internal rows of the gminas in `internal_of`
    (None: all rows), as Source.queryset."""
    src = info.source
    cols = [f"{_ident(src.pk_column)} AS sip_id", f"{_ident(src.geometry_column)} AS sip_geom"]
    cols += [f"{_ident(src.column(attr))} AS {_ident(attr)}" for attr, _ in src.fields]
    conditions = []
    if info.layer.gmina_id is not None and src.gmina_column:
        conditions.append(f"{_ident(src.gmina_column)} = {int(info.layer.gmina_id)}")
    if src.public_field and internal_of is not None:
        flag = _ident(src.column(src.public_field))
        if internal_of:
            ids = ", ".join(str(int(g)) for g in internal_of)
            conditions.append(f"({flag} OR {_ident(src.gmina_column)} IN ({ids}))")
        else:
            conditions.append(flag)
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    # A fixed order: antialiased seams between neighbours depend on drawing order, and a
    # parallel scan returns rows in any order; the same request must give the same image.
    order = f" ORDER BY {_ident(src.pk_column)}"
    sql = f"SELECT {', '.join(cols)} FROM {_ident(src.table)}{where}{order}"
    return f"sip_geom FROM ({sql}) AS sub USING UNIQUE sip_id USING SRID={int(src.srid)}"


def _rgb(colour_obj, hex_colour: str) -> None:
    colour_obj.setRGB(int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16))


def _escape_string(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _make_style(
    m, kind: str, style, fill: str, stroke: str, width: float | None = None
) -> mapscript.styleObj:
    width = float(style.stroke_width) if width is None else float(width)
    so = mapscript.styleObj()
    if kind == "point":
        so.setSymbolByName(m, style.symbol)
        so.size = float(style.symbol_size)
        if fill:
            _rgb(so.color, fill)
        if stroke:
            _rgb(so.outlinecolor, stroke)
            so.width = max(width, 0.5)
    elif kind == "line":
        _rgb(so.color, stroke or fill or "#000000")
        so.width = width or 1.0
    else:
        if fill:
            _rgb(so.color, fill)
            # MapServer 8 ignores styleObj.opacity set from mapscript; the colour's alpha works.
            so.color.alpha = round(255 * int(style.fill_opacity) / 100)
        if stroke and width > 0:
            _rgb(so.outlinecolor, stroke)
            so.width = width
    so.opacity = int(style.fill_opacity) if (fill and kind == "polygon") else 100
    return so


def class_label(style, rule=None) -> tuple[str, str, float, int | None] | None:
    """(attribute, colour, size, max scale) of the labels of a class: the rule's own labels if it
    names an attribute, else the style's; None without labels."""
    if rule is not None and rule.label_field:
        return (
            rule.label_field,
            rule.label_colour or style.label_colour,
            float(rule.label_size or style.label_size),
            None,
        )
    if style.label_field:
        return style.label_field, style.label_colour, float(style.label_size), style.label_max_scale
    return None


def add_class(
    lo, kind: str, style, *, title: str, fill: str, stroke: str, expression=None, rule=None, labels=True
):
    """A class of the layer drawn in the registry style `style`, or in its class `rule` (its
    scales, line width and labels where the rule has them); with its labels unless `labels` is
    false (features without attributes have nothing to label)."""
    cls = mapscript.classObj(lo)
    cls.name = title
    if expression:
        cls.setExpression(expression)
    width = None
    if rule is not None:
        if rule.min_scale:
            cls.minscaledenom = float(rule.min_scale)
        if rule.max_scale:
            cls.maxscaledenom = float(rule.max_scale)
        width = rule.stroke_width
    width = float(style.stroke_width) if width is None else float(width)
    cls.insertStyle(_make_style(lo.map, kind, style, fill, stroke, width))
    if kind == "polygon" and fill and stroke and style.fill_opacity < 100 and width > 0:
        # The outline stays opaque when the fill is translucent.
        outline = mapscript.styleObj()
        _rgb(outline.outlinecolor, stroke)
        outline.width = width
        cls.getStyle(0).outlinecolor.setRGB(-1, -1, -1)
        cls.insertStyle(outline)
    found = class_label(style, rule) if labels else None
    if found:
        attr, colour, size, max_scale = found
        cls.setText(f'"[{_ident(attr)}]"')  # quoted: the attribute's value, not the word
        label = mapscript.labelObj()
        label.font = "sans"
        label.size = round(size)
        _rgb(label.color, colour)
        label.outlinecolor.setRGB(255, 255, 255)
        label.outlinewidth = 2
        # A polygon's label is placed on the whole polygon (LABEL_NO_CLIP below), so every
        # tile that the label crosses draws its part: no label repeated in each tile.
        label.partials = kind == "polygon"
        if max_scale:
            label.maxscaledenom = float(max_scale)
        if kind == "polygon":
            label.position = mapscript.MS_CC
        elif kind == "point":
            label.position = mapscript.MS_UR
            label.offsetx, label.offsety = 4, -4
        else:
            # Along the street, once per street piece, the same name at most every 250 px.
            label.anglemode = mapscript.MS_FOLLOW
            label.mindistance = 250
            label.partials = False
            label.buffer = 2
        cls.addLabel(label)
    return cls


def rule_expression(rule) -> str:
    """A MapServer expression for a style rule (value equality or a numeric range)."""
    attr = _ident(rule.field)
    if rule.value:
        return f'("[{attr}]" = "{_escape_string(rule.value)}")'
    parts = []
    if rule.min_value is not None:
        parts.append(f"[{attr}] >= {float(rule.min_value)!r}")
    if rule.max_value is not None:
        parts.append(f"[{attr}] < {float(rule.max_value)!r}")
    return "(" + " AND ".join(parts) + ")"


def _raster_layer(m: mapscript.mapObj, info: LayerInfo) -> mapscript.layerObj:
    """A new raster layer of the map for the registry layer, off until a request names it."""
    lo = mapscript.layerObj(m)
    lo.name = info.layer.name
    lo.type = mapscript.MS_LAYER_RASTER
    lo.status = mapscript.MS_OFF
    if info.layer.min_scale:
        lo.minscaledenom = float(info.layer.min_scale)
    if info.layer.max_scale:
        lo.maxscaledenom = float(info.layer.max_scale)
    return lo


def add_external_layer(m: mapscript.mapObj, info: LayerInfo) -> mapscript.layerObj | None:
    """A layer of an outside WMS, fetched by MapServer's WMS client while drawing (cascading),
    or of an outside WMTS, whose tiles GDAL fetches and MapServer reprojects."""
    ext = info.layer.external
    if not ext.drawable:
        return None  # no CRS of ours, no usable tiles, or not re-read since its kind changed
    if ext.service.kind == ext.service.Kind.WMTS:
        return _add_wmts_layer(m, info)
    srids = [s for s in ext.srids if s in ACCEPTED_SRIDS]
    lo = _raster_layer(m, info)
    lo.setConnectionType(mapscript.MS_WMS, "")
    lo.connection = ext.service.url
    preferred = STORAGE_SRID if STORAGE_SRID in srids else srids[0]
    lo.setProjection(mapserver_projection(preferred))
    for key, value in (
        ("wms_name", ext.name),
        ("wms_title", info.layer.title),
        ("wms_server_version", ext.service.version),
        ("wms_format", "image/png"),
        ("wms_transparent", "TRUE"),
        ("wms_srs", " ".join(f"EPSG:{s}" for s in srids)),
        ("wms_connectiontimeout", "20"),
    ):
        lo.metadata.set(key, value)
    return lo


def _add_wmts_layer(m: mapscript.mapObj, info: LayerInfo) -> mapscript.layerObj:
    """A WMTS layer as a raster that GDAL's WMTS driver reads tile by tile; the tile matrix set
    in EPSG:2180 is preferred (no reprojection of the tiles)."""
    ext = info.layer.external
    sets = sorted(ext.tile_matrix_sets.items(), key=lambda item: (item[1] != STORAGE_SRID, item[0]))
    matrix_set, srid = sets[0]
    url = ext.service.url
    url += ("&" if "?" in url else "?") + "SERVICE=WMTS&REQUEST=GetCapabilities"
    folder = _work_folder()
    description = (
        f"<GDAL_WMTS><GetCapabilitiesUrl>{escape(url)}</GetCapabilitiesUrl>"
        f"<Layer>{escape(ext.name)}</Layer><TileMatrixSet>{escape(matrix_set)}</TileMatrixSet>"
        f"<Format>{escape(ext.image_format)}</Format><Timeout>20</Timeout>"
        # A tile the server refuses (out of range, an error) is left blank, not the whole map.
        "<ZeroBlockHttpCodes>204,404</ZeroBlockHttpCodes>"
        "<ZeroBlockOnServerException>true</ZeroBlockOnServerException>"
        # Tiles are kept for a day (GDAL would otherwise cache them in the working directory).
        f"<Cache><Path>{escape(str(folder / 'wmts-cache'))}</Path><Expires>86400</Expires></Cache>"
        "</GDAL_WMTS>"
    )
    # A file, not DATA itself: MapServer limits DATA's length and reads {…} in it as a token.
    path = folder / f"wmts-{hashlib.sha256(description.encode()).hexdigest()[:32]}.xml"
    if not path.exists():
        tmp = folder / f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp"
        tmp.write_text(description, encoding="utf-8")
        tmp.replace(path)
    lo = _raster_layer(m, info)
    lo.data = str(path)
    lo.setProjection(mapserver_projection(srid))
    lo.setProcessingKey("RESAMPLE", "BILINEAR")
    lo.metadata.set("wms_title", info.layer.title)
    return lo


def add_raster_layer(m: mapscript.mapObj, info: LayerInfo) -> mapscript.layerObj:
    """A raster file (GeoTIFF) drawn by MapServer through GDAL."""
    lo = _raster_layer(m, info)
    lo.data = info.layer.raster.path
    lo.setProjection(mapserver_projection(info.raster_srid))
    lo.setProcessingKey("RESAMPLE", "BILINEAR")
    return lo


def add_layer(m: mapscript.mapObj, info: LayerInfo, conninfo: str) -> mapscript.layerObj | None:
    if info.is_external:
        return add_external_layer(m, info)
    if info.is_raster:
        return add_raster_layer(m, info)
    row, src, style = info.layer, info.source, info.layer.style
    kind = src.geometry_kind
    lo = mapscript.layerObj(m)
    lo.name = row.name
    lo.type = _LAYER_TYPES[kind]
    lo.status = mapscript.MS_OFF
    lo.setConnectionType(mapscript.MS_POSTGIS, "")
    lo.connection = conninfo
    lo.data = layer_sql(info)
    lo.setProjection(mapserver_projection(src.srid))
    lo.setProcessingKey("CLOSE_CONNECTION", "DEFER")
    lo.metadata.set("wms_title", row.title)
    if row.min_scale:
        lo.minscaledenom = float(row.min_scale)
    if row.max_scale:
        lo.maxscaledenom = float(row.max_scale)
    rules = list(style.rules.all())
    if any(class_label(style, r) for r in rules) or class_label(style):
        if kind == "polygon":
            lo.setProcessingKey("LABEL_NO_CLIP", "True")
        if kind == "point":
            lo.labelcache = mapscript.MS_ON
    for rule in rules:
        add_class(
            lo,
            kind,
            style,
            title=rule.title,
            fill=rule.fill_colour or style.fill_colour,
            stroke=rule.stroke_colour or style.stroke_colour,
            expression=rule_expression(rule) if rule.field else None,
            rule=rule,
        )
    if not (style.rules_only and rules):
        add_class(lo, kind, style, title=row.title, fill=style.fill_colour, stroke=style.stroke_colour)
    return lo


def build_map(cat: Catalogue) -> mapscript.mapObj:
    """Return a mapObj with one (switched off) layer per published layer of the catalogue."""
    m = mapscript.fromstring(_BASE_MAP.format(fontset=_fontset_path()))
    m.resolution = OGC_DPI
    m.defresolution = OGC_DPI
    conninfo = postgis_connection()
    for info in cat.layers:
        count = m.numlayers
        try:
            add_layer(m, info, conninfo)
        except Exception:  # one broken layer must not take every map down with it
            log.exception("Warstwa %s pominięta w mapie MapServera", info.layer.name)
            while m.numlayers > count:
                m.removeLayer(m.numlayers - 1)
    return m


class MapHolder:
    """The process's map object for the current registry version; use it under ``lock``."""

    lock = threading.RLock()
    _map: mapscript.mapObj | None = None
    _version: int | None = None

    @classmethod
    def get(cls) -> tuple[mapscript.mapObj, Catalogue]:
        """Return the map and catalogue for the current version; call with ``lock`` held."""
        cat = catalogue()
        if cls._map is None or cls._version != cat.version:
            cls._map = build_map(cat)
            cls._version = cat.version
        return cls._map, cat
