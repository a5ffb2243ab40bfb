"""Print a geoportal view to PDF at a chosen scale: the layers' renderer (layers.render) draws the
map for the exact ground extent of the paper's map frame, with the searched parcel outlined;
WeasyPrint lays out title, legend, scale bar and date.

The map image is placed at the frame's physical size, so 1 mm on paper is `scale` mm on the
ground whatever the image's pixel density.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from dataclasses import dataclass

from django.contrib.gis.geos import GEOSGeometry, Point
from django.template.loader import render_to_string

from layers.ogc.exceptions import OGCException
from layers.ogc.params import resolve_layer
from layers.render import Frame, LayerNotDrawable, Overlay, draw_legend, draw_map
from layers.selectors import internal_rows_of
from sip.geometry import STORAGE_SRID, GeometryError, check_in_poland
from sip.models import Gmina
from sip.text import plain_int

SCALES = (500, 1000, 2000, 5000, 10000, 25000)
# Map frame (width, height) in millimetres, inside 10 mm margins and below the title block,
# leaving about 35 mm for the legend (the base map's land cover alone has six keys) on the page.
FRAMES_MM = {
    ("A4", "landscape"): (277, 138),
    ("A4", "portrait"): (190, 220),
    ("A3", "landscape"): (400, 225),
    ("A3", "portrait"): (277, 330),
}
DPI = 150
MAX_LAYERS = 12
# The searched parcel's outline: red, 4 pixels at the print's resolution.
HIGHLIGHT_RGB = (220, 0, 0)
HIGHLIGHT_MM = 4 / DPI * 25.4


class PrintError(ValueError):
    """A print request that cannot be served; the message is Polish."""


@dataclass(frozen=True)
class PrintRequest:
    gmina: Gmina
    centre: Point  # EPSG:2180
    scale: int
    paper: str
    orientation: str
    layers: tuple[str, ...]
    title: str
    highlight: GEOSGeometry | None = None  # EPSG:2180, outlined in red (e.g. a searched parcel)

    @property
    def frame_mm(self) -> tuple[int, int]:
        return FRAMES_MM[(self.paper, self.orientation)]

    @property
    def ground_extent(self) -> tuple[float, float, float, float]:
        w_mm, h_mm = self.frame_mm
        half_w, half_h = w_mm / 1000 * self.scale / 2, h_mm / 1000 * self.scale / 2
        return (
            self.centre.x - half_w,
            self.centre.y - half_h,
            self.centre.x + half_w,
            self.centre.y + half_h,
        )


def parse_print_request(params, gmina: Gmina, highlight: GEOSGeometry | None = None) -> PrintRequest:
    """Validate the query parameters of a print; raise PrintError with a Polish message."""
    scale = plain_int(str(params.get("scale", "2000")))
    if scale is None:
        raise PrintError("Skala musi być liczbą, np. 2000.")
    if scale not in SCALES:
        raise PrintError(f"Dostępne skale: {', '.join(f'1:{s}' for s in SCALES)}.")
    paper = params.get("paper", "A4").upper()
    orientation = params.get("orientation", "landscape").lower()
    if (paper, orientation) not in FRAMES_MM:
        raise PrintError("Papier A4 albo A3, orientacja pozioma (landscape) albo pionowa (portrait).")
    try:
        lon, lat = (float(v) for v in params.get("center", "").split(","))
    except ValueError:
        raise PrintError("Podaj środek mapy jako center=długość,szerokość (WGS 84).") from None
    try:
        check_in_poland(lon, lat, 4326)
    except GeometryError as exc:
        raise PrintError(f"Środek wydruku: {exc}") from None
    centre = Point(lon, lat, srid=4326).transform(STORAGE_SRID, clone=True)
    if not gmina.boundary.buffer(5000).contains(centre):
        raise PrintError(f"Środek wydruku leży poza gminą {gmina.name}.")
    layers = tuple(n for n in params.get("layers", "").split(",") if n)
    if len(layers) > MAX_LAYERS:
        raise PrintError(f"Najwyżej {MAX_LAYERS} warstw na wydruku.")
    title = (params.get("title") or f"Geoportal gminy {gmina.name}").strip()[:120]
    return PrintRequest(gmina, centre, scale, paper, orientation, layers, title, highlight)


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def scale_bar(scale: int, frame_width_mm: float) -> dict:
    """A round ground length whose bar takes at most a quarter of the frame: length and mm."""
    longest_m = frame_width_mm / 4 / 1000 * scale
    nice = max(n * 10**e for e in range(0, 6) for n in (1, 2, 5) if n * 10**e <= longest_m)
    return {
        "metres": nice,
        "mm": nice / scale * 1000,
        "label": f"{nice} m" if nice < 1000 else f"{nice // 1000} km",
    }


# A legend image's pixel on paper: 0.2 mm (the base map's seven legends side by side fit an A4
# page's width, its land cover's six keys under the map frame).
LEGEND_PIXEL_MM = 0.2


def _legend(title: str, png: bytes) -> dict:
    from PIL import Image

    width = Image.open(io.BytesIO(png)).width
    return {"title": title, "image": _data_uri(png), "width_mm": round(width * LEGEND_PIXEL_MM, 1)}


def _drawn_at(info, scale: int) -> bool:
    low, high = info.scale_range
    return (low is None or scale >= low) and (high is None or scale < high)


def render_print(req: PrintRequest, user, base_layers: tuple[str, ...]) -> bytes:
    """Return the PDF of the print."""
    from weasyprint import HTML

    infos = []
    for name in (*base_layers, *req.layers):
        try:
            infos.append(resolve_layer(name, user))
        except OGCException as exc:
            raise PrintError(exc.message) from None
    w_mm, h_mm = req.frame_mm
    overlays = []
    if req.highlight is not None:
        overlays.append(Overlay.outline((req.highlight,), HIGHLIGHT_RGB, HIGHLIGHT_MM))
    try:
        png = draw_map(
            Frame.on_paper(req.ground_extent, w_mm, h_mm, DPI),
            infos,
            image_format="png-print",
            internal_of=internal_rows_of(user),
            overlays=overlays,
        )
        # The legend of what the print shows: the layers and classes drawn at its scale.
        legends = [
            _legend(info.layer.display_title, draw_legend(info, req.scale))
            for info in infos
            if _drawn_at(info, req.scale)
        ]
    except LayerNotDrawable as exc:
        raise PrintError(f"Warstwa „{exc.name}” nie może być teraz narysowana.") from None
    html = render_to_string(
        "geoportal/print.html",
        {
            "req": req,
            "map": _data_uri(png),
            "frame": {"w": w_mm, "h": h_mm},
            "legends": legends,
            "bar": scale_bar(req.scale, w_mm),
            "today": dt.date.today(),
            "centre": req.centre.transform(4326, clone=True),
        },
    )
    return HTML(string=html).write_pdf()
