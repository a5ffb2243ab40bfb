"""The wyrys drawing: a plan's zones, the parcels and the plan boundary at the plan's scale,
drawn by the layers' renderer (layers.render) as overlays over an empty map.

The zones are the plan's own (not the zoning in force that the map layer shows), coloured by
the registry's style of the zoning layer, so the wyrys and the map agree on every colour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.contrib.gis.db.models.functions import Intersection, PointOnSurface
from django.contrib.gis.geos import Polygon

from layers.render import Frame, Overlay, draw_map, registry_colour
from sip.models import Parcel

from ..models import PURPOSES, Plan, Zone

DPI = 200
MM_PER_INCH = 25.4
# The map frame on an A4 portrait sheet (mm); the title block and legend take the rest.
FRAME_W_MM = 190.0
FRAME_H_MM = 190.0
SELECTED_RGB = (255, 0, 0)

NICE_SCALES = (500, 1000, 2000, 2500, 5000, 10000, 25000, 50000)

ZONES_SOURCE = "strefy"  # the registry layer whose style colours the zones


def _mm(points_at_72dpi: float) -> float:
    """A size given in points (1/72 inch, the drawing's customary unit) in millimetres."""
    return points_at_72dpi / 72 * MM_PER_INCH


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


def _safe_text(text: str) -> str:
    # Symbols and parcel numbers are validated (letters, digits, "/"); quotes never reach here.
    return text.replace('"', "").replace("\\", "")


def render_sheet(
    sheet: Sheet, plan: Plan, selected: list[Parcel], sheets: list[Sheet] | None = None
) -> Sheet:
    """Render one sheet to PNG at DPI through the layers' renderer: zones of the plan in the
    registry's zoning style, parts amended by later plans hatched, the plan boundary, parcel
    outlines and numbers, the selected parcels in red."""
    env = _envelope(sheet.extent, pad=sheet.scale * 0.01)
    overlays: list[Overlay] = []
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
        overlays.append(
            Overlay(
                tuple(z.clipped for z in items if not z.clipped.empty),
                style_of=ZONES_SOURCE,
                attrs={"purpose": purpose},
            )
        )
    if replaced:
        overlays.append(
            Overlay(
                tuple(g.intersection(env) for g in replaced),
                fill=(255, 255, 255),
                hatch=(120, 120, 120),
                stroke=(90, 90, 90),
                width_mm=_mm(1.0),
            )
        )
    boundary = plan.boundary.intersection(_envelope(sheet.extent, pad=sheet.scale * 0.02))
    if not boundary.empty:
        overlays.append(
            Overlay(
                (boundary.boundary if hasattr(boundary, "boundary") else boundary,),
                kind="line",
                stroke=(0, 0, 0),
                width_mm=_mm(2.4),
                dash_mm=tuple(_mm(v) for v in (12, 4, 2, 4)),
            )
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
        parcel_lines.append(p.clipped)
        if p.geom.area >= min_label_area and env.contains(p.label_at):
            parcel_labels.append((p.label_at, _safe_text(p.number)))
    if parcel_lines:
        overlays.append(Overlay.outline(parcel_lines, (70, 70, 70), _mm(0.5)))
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
        zone_labels.append((visible.point_on_surface, _safe_text(z.symbol)))
    if zone_labels:
        overlays.append(_labels(zone_labels, font="sans-bold", size_pt=11, label_force=True))
    if parcel_labels:
        overlays.append(_labels(parcel_labels, size_pt=6.5, label_colour=(60, 60, 60)))
    if selected:
        sel = [Parcel.objects.filter(pk=p.pk).annotate(c=Intersection("geom", env)).get() for p in selected]
        overlays.append(Overlay.outline([p.c for p in sel if not p.c.empty], SELECTED_RGB, _mm(2.2)))
        labels = [
            (p.geom.point_on_surface, _safe_text(p.number))
            for p in selected
            if env.contains(p.geom.point_on_surface)
        ]
        if labels:
            overlays.append(
                _labels(labels, font="sans-bold", size_pt=9, label_colour=(150, 0, 0), label_force=True)
            )
    if sheet.overview and sheets:
        others = [s for s in sheets if not s.overview]
        overlays.append(
            Overlay.outline(
                [_envelope(s.extent) for s in others],
                (0, 60, 160),
                _mm(1.6),
                labels=tuple(f"ark. {s.number}" for s in others),
                font="sans-bold",
                size_pt=10,
                label_colour=(0, 60, 160),
            )
        )
    frame_on_paper = Frame.on_paper(sheet.extent, FRAME_W_MM, FRAME_H_MM, DPI)
    sheet.png = draw_map(frame_on_paper, image_format="png-print", overlays=overlays, gmina_id=plan.gmina_id)
    return sheet


def _labels(points_and_texts, **style) -> Overlay:
    points, texts = zip(*points_and_texts, strict=True)
    return Overlay.text(points, texts, **style)


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


def legend_items(purposes: list[str], gmina_id: int | None = None) -> list[dict]:
    """Legend rows of the purposes seen on a sheet, in the colours the registry style gives them."""
    return [
        {
            "purpose": p,
            "name": PURPOSES.get(p, p),
            "colour": registry_colour(ZONES_SOURCE, {"purpose": p}, gmina_id),
        }
        for p in purposes
    ]
