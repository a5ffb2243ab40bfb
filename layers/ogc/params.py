"""The request parameters of the WMS (1.3.0 and 1.1.1), shared by GetMap, GetFeatureInfo,
GetLegendGraphic and the capabilities: version negotiation, the service's limits and formats,
and the checks every parameter passes before MapServer or the database sees anything: layer
names against the catalogue and the caller's visibility, the CRS against the allow-list (an
integer goes on, never the request's text), BBOX, size and format.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sip.geometry import GeometryError, parse_srid

from ..crs import bbox_to_xy
from ..selectors import LayerInfo, catalogue, internal_rows_of, may_see
from .exceptions import (
    InvalidCRS,
    InvalidFormat,
    InvalidParameterValue,
    LayerNotDefined,
    MissingParameterValue,
    StyleNotDefined,
)

VERSIONS = ("1.1.1", "1.3.0")
MAX_SIZE = 4096
MAX_LAYERS = 20
MAP_FORMATS = {"image/png": "png", "image/jpeg": "jpeg"}
LEGEND_FORMATS = {"image/png": "png"}
# Projected coordinates beyond this are nonsense for Polish data (and overflow renderers).
MAX_PROJECTED_COORD = 1e8


@dataclass(frozen=True)
class MapRequest:
    version: str
    layers: tuple[LayerInfo, ...]
    srid: int
    bbox: tuple[float, float, float, float]  # x/y order (easting or longitude first)
    width: int
    height: int
    format: str
    transparent: bool
    bgcolor: tuple[int, int, int]
    # Pixels per inch of the image when it is meant for paper (a print); None for screens
    # (OGC's 0.28 mm pixel). Scale-dependent rules and symbol sizes follow it.
    dpi: float | None = None
    # The gminas whose internal rows the caller sees (selectors.internal_rows_of; None: all).
    internal_of: tuple[int, ...] | None = ()


def request_params(items) -> dict[str, str]:
    """The query parameters of an OGC request (request.GET.items()), names in lower case (OGC
    parameter names are case-blind)."""
    return {k.lower(): v for k, v in items}


def request_version(params: dict[str, str]) -> str:
    """Negotiate the version: 1.3.0 unless the client asks for 1.1.x or older."""
    asked = params.get("version") or params.get("wmtver") or ""
    if asked and asked != "1.3.0":
        try:
            parts = tuple(int(p) for p in asked.split("."))
        except ValueError:
            return "1.3.0"
        if parts < (1, 3, 0):
            return "1.1.1"
    return "1.3.0"


def required(params: dict[str, str], key: str, label: str | None = None) -> str:
    value = params.get(key, "").strip()
    if not value:
        raise MissingParameterValue(f"Brak parametru {label or key.upper()}.", key)
    return value


def _positive_size(params: dict[str, str], key: str) -> int:
    raw = required(params, key)
    try:
        value = int(raw)
    except ValueError:
        raise InvalidParameterValue(
            f"{key.upper()} musi być liczbą całkowitą, otrzymano „{raw}”.", key
        ) from None
    if not 1 <= value <= MAX_SIZE:
        raise InvalidParameterValue(
            f"{key.upper()} musi mieścić się w zakresie 1–{MAX_SIZE} pikseli, otrzymano {value}.", key
        )
    return value


def resolve_layer(name: str, user, locator: str = "layers") -> LayerInfo:
    """Return a layer the caller may see, or raise LayerNotDefined.

    A layer hidden from the caller and a layer that does not exist get the same answer, so that
    the answer does not tell whether a hidden layer exists: anonymous callers a 401 with
    WWW-Authenticate (QGIS then asks for a login, which may show more), logged-in ones a 400.
    """
    info = catalogue().get(name)
    if info is not None and may_see(user, info):
        return info
    if user is None or not user.is_authenticated:
        raise LayerNotDefined(
            f"Warstwa „{name}” nie istnieje albo jest dostępna tylko po zalogowaniu.", locator, status=401
        )
    raise LayerNotDefined(f"Warstwa „{name}” nie istnieje albo nie masz do niej dostępu.", locator)


def parse_layers(params: dict[str, str], user, key: str = "layers") -> tuple[LayerInfo, ...]:
    names = [n.strip() for n in required(params, key).split(",")]
    if any(not n for n in names):
        raise LayerNotDefined(f"Pusta nazwa warstwy w {key.upper()}.", key)
    if len(names) > MAX_LAYERS:
        raise InvalidParameterValue(
            f"Najwyżej {MAX_LAYERS} warstw w jednym żądaniu, podano {len(names)}.", key
        )
    return tuple(resolve_layer(n, user, key) for n in names)


def parse_styles(params: dict[str, str], layers: tuple[LayerInfo, ...]) -> None:
    raw = params.get("styles", "")
    if not raw.strip(","):
        return
    styles = [s.strip() for s in raw.split(",")]
    if len(styles) != len(layers):
        raise InvalidParameterValue("Liczba stylów w STYLES nie odpowiada liczbie warstw.", "styles")
    for style in styles:
        if style not in ("", "default"):
            raise StyleNotDefined(f"Styl „{style}” nie istnieje (dostępny: default).", "styles")


def parse_crs(params: dict[str, str], version: str) -> tuple[int, bool]:
    """Return (EPSG code, force x/y order); CRS:84 is WGS 84 in longitude/latitude order."""
    key = "crs" if version == "1.3.0" else "srs"
    raw = params.get(key) or params.get("srs" if key == "crs" else "crs") or ""
    if not raw.strip():
        raise MissingParameterValue(f"Brak parametru {key.upper()}.", key)
    if raw.strip().upper() == "CRS:84":
        return 4326, True
    try:
        return parse_srid(raw), version == "1.1.1"
    except GeometryError as exc:
        raise InvalidCRS(str(exc), key) from None


def parse_bbox(params: dict[str, str], srid: int, version: str, force_xy: bool) -> tuple[float, ...]:
    raw = required(params, "bbox")
    parts = raw.split(",")
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(parts) != 4 or len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise InvalidParameterValue(
            f"BBOX musi składać się z czterech liczb rozdzielonych przecinkami, otrzymano „{raw}”.", "bbox"
        )
    xy = values if force_xy else bbox_to_xy(values, srid, version)
    minx, miny, maxx, maxy = xy
    if minx >= maxx or miny >= maxy:
        raise InvalidParameterValue("W BBOX wartości minimalne muszą być mniejsze od maksymalnych.", "bbox")
    if srid == 4326:
        if not (-180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90):
            raise InvalidParameterValue("BBOX wykracza poza zakres współrzędnych geograficznych.", "bbox")
    elif max(abs(v) for v in xy) > MAX_PROJECTED_COORD:
        raise InvalidParameterValue("BBOX wykracza poza zakres układu współrzędnych.", "bbox")
    return xy


def parse_map_request(params: dict[str, str], user, version: str, *, need_format: bool = True) -> MapRequest:
    """Validate the GetMap part of a request; return it or raise an OGCException."""
    layers = parse_layers(params, user)
    parse_styles(params, layers)
    srid, force_xy = parse_crs(params, version)
    bbox = parse_bbox(params, srid, version, force_xy)
    width = _positive_size(params, "width")
    height = _positive_size(params, "height")
    fmt = "image/png"
    if need_format:
        fmt = required(params, "format").split(";")[0].strip().lower()
        if fmt not in MAP_FORMATS:
            raise InvalidFormat(
                f"Nieobsługiwany format „{params['format']}”. Dostępne: {', '.join(MAP_FORMATS)}.", "format"
            )
    transparent_raw = params.get("transparent", "FALSE").strip().upper() or "FALSE"
    if transparent_raw not in ("TRUE", "FALSE"):
        raise InvalidParameterValue("TRANSPARENT przyjmuje wartości TRUE albo FALSE.", "transparent")
    bgcolor = (255, 255, 255)
    if params.get("bgcolor"):
        raw = params["bgcolor"].strip()
        try:
            if not raw.upper().startswith("0X") or len(raw) != 8:
                raise ValueError
            value = int(raw[2:], 16)
        except ValueError:
            raise InvalidParameterValue("BGCOLOR w zapisie 0xRRGGBB.", "bgcolor") from None
        bgcolor = (value >> 16 & 255, value >> 8 & 255, value & 255)
    return MapRequest(
        version=version,
        layers=layers,
        srid=srid,
        bbox=bbox,
        width=width,
        height=height,
        format=fmt,
        transparent=transparent_raw == "TRUE" and fmt == "image/png",
        bgcolor=bgcolor,
        internal_of=internal_rows_of(user),
    )


# GetFeatureInfo's answers. The last format with "gml" in its name is the one QGIS asks for its
# feature identification.
GML_WITH_SCHEMA = "application/vnd.ogc.gml+xsd"
INFO_FORMATS = ("text/html", "application/json", "application/vnd.ogc.gml", "text/xml", GML_WITH_SCHEMA)
