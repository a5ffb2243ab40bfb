"""The wyrys drawing: a plan's zones, the parcels and the plan boundary rendered by MapServer
(mapscript, in process) at the plan's scale.

The map object is built here from a mapfile text with the features inline; when the layer
registry exists, the zone and parcel layers can come from it instead of inline features.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import mapscript
from django.contrib.gis.db.models.functions import Intersection, PointOnSurface
from django.contrib.gis.geos import Polygon

from sip.models import Parcel

from ..models import PURPOSES, Plan, Zone

DPI = 200
MM_PER_INCH = 25.4
# The map frame on an A4 portrait sheet (mm); the title block and legend take the rest.
FRAME_W_MM = 190.0
FRAME_H_MM = 190.0
SELECTED_RGB = (255, 0, 0)

# Colours of purpose categories after the customary MPZP drawing conventions.
PURPOSE_COLOURS: dict[str, tuple[int, int, int]] = {
    "MN": (246, 208, 140),
    "MW": (214, 150, 90),
    "MU": (232, 178, 120),
    "MR": (236, 220, 150),
    "U": (236, 150, 170),
    "UP": (220, 130, 160),
    "US": (170, 210, 140),
    "P": (186, 160, 200),
    "R": (250, 246, 190),
    "ZL": (80, 160, 90),
    "ZP": (150, 210, 120),
    "ZC": (120, 170, 130),
    "ZN": (190, 225, 170),
    "KDG": (205, 205, 205),
    "KDZ": (215, 215, 215),
    "KDL": (225, 225, 225),
    "KDD": (235, 235, 235),
    "KDW": (240, 240, 240),
    "KD": (225, 225, 225),
    "KK": (190, 190, 190),
    "W": (150, 200, 240),
    "WS": (150, 200, 240),
    "E": (170, 170, 120),
    "K": (170, 170, 140),
    # Planning zones of a plan ogólny gminy.
    "SW": (214, 150, 90),
    "SJ": (246, 208, 140),
    "SU": (236, 150, 170),
    "SP": (186, 160, 200),
    "SR": (250, 246, 190),
    "SL": (80, 160, 90),
    "SN": (150, 210, 120),
    "SC": (120, 170, 130),
    "SK": (215, 215, 215),
}
DEFAULT_COLOUR = (230, 230, 230)
NICE_SCALES = (500, 1000, 2000, 2500, 5000, 10000, 25000, 50000)

_FONTSET = Path(tempfile.gettempdir()) / "sip-mapserver-fonts.txt"
_FONTS = (
    "dejavu /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf\n"
    "dejavu-bold /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf\n"
)


def colour_of(purpose: str) -> tuple[int, int, int]:
    return PURPOSE_COLOURS.get(purpose, DEFAULT_COLOUR)


def hex_colour(purpose: str) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour_of(purpose))


@dataclass
class Sheet:
    """One A4 page of the wyrys: a map extent (EPSG:2180) at a scale, and its PNG."""

    number: int
    extent: tuple[float, float, float, float]
    scale: int
    png: bytes = b""
    purposes: list[str] = field(default_factory=list)
    overview: bool = False
    amended: bool = False


def frame_ground_size(scale: int) -> tuple[float, float]:
    """Ground width and height (m) of the map frame at a scale."""
    return FRAME_W_MM / 1000 * scale, FRAME_H_MM / 1000 * scale


def layout_sheets(parcels_extent: tuple[float, float, float, float], scale: int) -> list[Sheet]:
    """Sheets at `scale` covering the parcels' extent with a margin: one when it fits, else a
    grid of sheets centred on the parcels."""
    minx, miny, maxx, maxy = parcels_extent
    gw, gh = frame_ground_size(scale)
    margin = 0.08 * min(gw, gh)
    need_w, need_h = maxx - minx + 2 * margin, maxy - miny + 2 * margin
    cols, rows = max(1, math.ceil(need_w / gw)), max(1, math.ceil(need_h / gh))
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    x0, y0 = cx - cols * gw / 2, cy + rows * gh / 2
    sheets = []
    for r in range(rows):
        for c in range(cols):
            left, top = x0 + c * gw, y0 - r * gh
            sheets.append(Sheet(len(sheets) + 1, (left, top - gh, left + gw, top), scale))
    return sheets


def overview_scale(extent: tuple[float, float, float, float]) -> int:
    """The smallest customary scale at which the extent fits one frame."""
    w, h = extent[2] - extent[0], extent[3] - extent[1]
    for scale in NICE_SCALES:
        gw, gh = frame_ground_size(scale)
        if w * 1.05 <= gw and h * 1.05 <= gh:
            return scale
    return NICE_SCALES[-1]


def _envelope(extent, pad: float = 0.0) -> Polygon:
    minx, miny, maxx, maxy = extent
    env = Polygon.from_bbox((minx - pad, miny - pad, maxx + pad, maxy + pad))
    env.srid = 2180
    return env


def _feature(wkt: str, text: str | None = None) -> str:
    out = f'  FEATURE WKT "{wkt}"'
    if text:
        out += f' TEXT "{text}"'
    return out + " END\n"


def _label(font: str, size: float, colour=(0, 0, 0), outline=(255, 255, 255), extra: str = "") -> str:
    return (
        f'LABEL TYPE TRUETYPE FONT "{font}" SIZE {size} COLOR {colour[0]} {colour[1]} {colour[2]} '
        f"OUTLINECOLOR {outline[0]} {outline[1]} {outline[2]} OUTLINEWIDTH 2 POSITION CC "
        f"PARTIALS FALSE {extra} END"
    )


def _safe_text(text: str) -> str:
    # Symbols and parcel numbers are validated (letters, digits, "/"); quotes never reach here.
    return text.replace('"', "").replace("\\", "")


def render_sheet(
    sheet: Sheet, plan: Plan, selected: list[Parcel], sheets: list[Sheet] | None = None
) -> Sheet:
    """Render one sheet to PNG at DPI: zones of the plan, parts amended by later plans,
    the plan boundary, parcel outlines and numbers, the selected parcels in red."""
    if not _FONTSET.exists():
        _FONTSET.write_text(_FONTS)
    env = _envelope(sheet.extent, pad=sheet.scale * 0.01)
    width_px = round(FRAME_W_MM / MM_PER_INCH * DPI)
    height_px = round(FRAME_H_MM / MM_PER_INCH * DPI)
    layers: list[str] = []
    zones = (
        Zone.objects.filter(plan=plan, geom__intersects=env)
        .annotate(clipped=Intersection("geom", env))
        .order_by("symbol")
    )
    by_purpose: dict[str, list[Zone]] = {}
    for zone in zones:
        by_purpose.setdefault(zone.purpose, []).append(zone)
    # The legend names what can be seen: at least 4 mm² of a zone inside the frame itself.
    exact = _envelope(sheet.extent)
    seen_area = 4 * (sheet.scale / 1000) ** 2
    replaced = [a.boundary for a in plan.amended_by.in_force().filter(boundary__intersects=env)]
    visible_purposes = set()
    for zone in zones:
        visible = zone.clipped.intersection(exact)
        for g in replaced:
            visible = visible.difference(g)
        if visible.area >= seen_area:
            visible_purposes.add(zone.purpose)
    sheet.purposes = sorted(visible_purposes)
    sheet.amended = any(g.intersects(exact) for g in replaced)
    for purpose, items in sorted(by_purpose.items()):
        r, g, b = colour_of(purpose)
        feats = "".join(_feature(z.clipped.wkt) for z in items if not z.clipped.empty)
        layers.append(
            f'LAYER NAME "zones_{purpose}" TYPE POLYGON STATUS ON\n{feats}'
            f"  CLASS STYLE COLOR {r} {g} {b} OUTLINECOLOR 40 40 40 WIDTH 0.6 END END\nEND\n"
        )
    if replaced:
        feats = "".join(_feature(g.intersection(env).wkt) for g in replaced)
        layers.append(
            f'LAYER NAME "amended" TYPE POLYGON STATUS ON\n{feats}'
            '  CLASS STYLE COLOR 255 255 255 END STYLE SYMBOL "hatch" COLOR 120 120 120 SIZE 8 WIDTH 0.8 '
            "ANGLE 45 END STYLE OUTLINECOLOR 90 90 90 WIDTH 1.0 END END\nEND\n"
        )
    boundary = plan.boundary.intersection(_envelope(sheet.extent, pad=sheet.scale * 0.02))
    if not boundary.empty:
        layers.append(
            'LAYER NAME "plan_boundary" TYPE LINE STATUS ON\n'
            + _feature(boundary.boundary.wkt if hasattr(boundary, "boundary") else boundary.wkt)
            + "  CLASS STYLE COLOR 0 0 0 WIDTH 2.4 PATTERN 12 4 2 4 END END END\nEND\n"
        )
    parcels = (
        Parcel.objects.filter(geom__intersects=env)
        .annotate(clipped=Intersection("geom", env), label_at=PointOnSurface("geom"))
        .only("number", "geom")
    )
    min_label_area = (sheet.scale / 1000) ** 2 * 60  # ≥ 60 mm² on paper
    parcel_lines = []
    parcel_labels = []
    selected_ids = {p.pk for p in selected}
    for p in parcels:
        if p.pk in selected_ids:
            continue
        parcel_lines.append(_feature(p.clipped.wkt))
        if p.geom.area >= min_label_area and env.contains(p.label_at):
            parcel_labels.append(_feature(p.label_at.wkt, _safe_text(p.number)))
    if parcel_lines:
        layers.append(
            'LAYER NAME "parcels" TYPE POLYGON STATUS ON\n'
            + "".join(parcel_lines)
            + "  CLASS STYLE OUTLINECOLOR 70 70 70 WIDTH 0.5 END END\nEND\n"
        )
    replaced_union = None
    for g in replaced:
        replaced_union = g if replaced_union is None else replaced_union.union(g)
    zone_labels = []
    frame = _envelope(sheet.extent, pad=-sheet.scale * 0.008)  # keep labels off the frame edge
    for z in zones:
        visible = z.clipped.intersection(frame)
        if replaced_union is not None:
            visible = visible.difference(replaced_union)
        if visible.empty or visible.area < min_label_area * 4:
            continue
        zone_labels.append(_feature(visible.point_on_surface.wkt, _safe_text(z.symbol)))
    if zone_labels:
        layers.append(
            'LAYER NAME "zone_labels" TYPE POINT STATUS ON\n'
            + "".join(zone_labels)
            + "  CLASS "
            + _label("dejavu-bold", 11, extra="FORCE TRUE")
            + " END\nEND\n"
        )
    if parcel_labels:
        layers.append(
            'LAYER NAME "parcel_labels" TYPE POINT STATUS ON\n'
            + "".join(parcel_labels)
            + "  CLASS "
            + _label("dejavu", 6.5, colour=(60, 60, 60))
            + " END\nEND\n"
        )
    if selected:
        sel = [Parcel.objects.filter(pk=p.pk).annotate(c=Intersection("geom", env)).get() for p in selected]
        feats = "".join(_feature(p.c.wkt) for p in sel if not p.c.empty)
        r, g, b = SELECTED_RGB
        layers.append(
            f'LAYER NAME "selected" TYPE POLYGON STATUS ON\n{feats}'
            f"  CLASS STYLE OUTLINECOLOR {r} {g} {b} WIDTH 2.2 END END\nEND\n"
        )
        labels = "".join(
            _feature(p.geom.point_on_surface.wkt, _safe_text(p.number))
            for p in selected
            if env.contains(p.geom.point_on_surface)
        )
        if labels:
            layers.append(
                'LAYER NAME "selected_labels" TYPE POINT STATUS ON\n'
                + labels
                + "  CLASS "
                + _label("dejavu-bold", 9, colour=(150, 0, 0), extra="FORCE TRUE")
                + " END\nEND\n"
            )
    if sheet.overview and sheets:
        feats = "".join(
            _feature(_envelope(s.extent).wkt, f"ark. {s.number}") for s in sheets if not s.overview
        )
        layers.append(
            'LAYER NAME "sheets" TYPE POLYGON STATUS ON\n'
            + feats
            + "  CLASS STYLE OUTLINECOLOR 0 60 160 WIDTH 1.6 END "
            + _label("dejavu-bold", 10, colour=(0, 60, 160))
            + " END\nEND\n"
        )
    minx, miny, maxx, maxy = sheet.extent
    mapfile = (
        "MAP\n"
        f"SIZE {width_px} {height_px}\n"
        f"EXTENT {minx:.3f} {miny:.3f} {maxx:.3f} {maxy:.3f}\n"
        f'UNITS METERS\nRESOLUTION {DPI}\nDEFRESOLUTION 72\nFONTSET "{_FONTSET}"\n'
        'PROJECTION "init=epsg:2180" END\nIMAGECOLOR 255 255 255\n'
        'OUTPUTFORMAT NAME "png" DRIVER "AGG/PNG" MIMETYPE "image/png" IMAGEMODE RGB EXTENSION "png" '
        'FORMATOPTION "COMPRESSION=3" END\n'
        'SYMBOL NAME "hatch" TYPE HATCH END\n' + "".join(layers) + "END\n"
    )
    map_obj = mapscript.fromstring(mapfile)
    image = map_obj.draw()
    sheet.png = image.getBytes()
    return sheet


def parcels_extent(parcels: list[Parcel]) -> tuple[float, float, float, float]:
    extents = [p.geom.extent for p in parcels]
    return (
        min(e[0] for e in extents),
        min(e[1] for e in extents),
        max(e[2] for e in extents),
        max(e[3] for e in extents),
    )


def draw_plan(plan: Plan, parcels: list[Parcel]) -> list[Sheet]:
    """Return the rendered sheets of the wyrys from one plan for these parcels: the sheets at the
    plan's scale, preceded by an overview sheet when there is more than one."""
    ext = parcels_extent(parcels)
    sheets = layout_sheets(ext, plan.scale)
    for sheet in sheets:
        render_sheet(sheet, plan, parcels)
    if len(sheets) > 1:
        all_ext = (
            min(s.extent[0] for s in sheets),
            min(s.extent[1] for s in sheets),
            max(s.extent[2] for s in sheets),
            max(s.extent[3] for s in sheets),
        )
        scale = overview_scale(all_ext)
        gw, gh = frame_ground_size(scale)
        cx, cy = (all_ext[0] + all_ext[2]) / 2, (all_ext[1] + all_ext[3]) / 2
        overview = Sheet(0, (cx - gw / 2, cy - gh / 2, cx + gw / 2, cy + gh / 2), scale, overview=True)
        render_sheet(overview, plan, parcels, sheets)
        sheets.insert(0, overview)
    return sheets


def legend_items(purposes: list[str]) -> list[dict]:
    return [{"purpose": p, "name": PURPOSES.get(p, p), "colour": hex_colour(p)} for p in purposes]
