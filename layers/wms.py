"""WMS 1.3.0 and 1.1.1 at /ows/wms: request parsing and validation, GetMap and GetLegendGraphic.

Every parameter is checked here before MapServer sees anything: layer names against the
catalogue and the caller's visibility, the CRS against the allow-list (an integer reaches
MapServer, never the request's text), BBOX, size and format. Rendering is mapscript in process
(layers.render); capabilities and GetFeatureInfo live in their own modules.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import mapscript
from django.http import HttpResponse

from sip.geometry import GeometryError, parse_srid

from .auth import BadCredentials, LockedOut, lockout_report, ows_user
from .crs import bbox_to_xy
from .ows_errors import WMSError, exception_response
from .render import Frame, LayerNotDrawable, draw_legend, draw_map
from .selectors import LayerInfo, catalogue, depends_on_caller, internal_rows_of, may_see

log = logging.getLogger(__name__)

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


def _required(params: dict[str, str], key: str, label: str | None = None) -> str:
    value = params.get(key, "").strip()
    if not value:
        raise WMSError(f"Brak parametru {label or key.upper()}.", "MissingParameterValue", key)
    return value


def _positive_size(params: dict[str, str], key: str) -> int:
    raw = _required(params, key)
    try:
        value = int(raw)
    except ValueError:
        raise WMSError(
            f"{key.upper()} musi być liczbą całkowitą, otrzymano „{raw}”.", "InvalidParameterValue", key
        ) from None
    if not 1 <= value <= MAX_SIZE:
        raise WMSError(
            f"{key.upper()} musi mieścić się w zakresie 1–{MAX_SIZE} pikseli, otrzymano {value}.",
            "InvalidParameterValue",
            key,
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
        raise WMSError(
            f"Warstwa „{name}” nie istnieje albo jest dostępna tylko po zalogowaniu.",
            "LayerNotDefined",
            locator,
            status=401,
        )
    raise WMSError(
        f"Warstwa „{name}” nie istnieje albo nie masz do niej dostępu.", "LayerNotDefined", locator
    )


def parse_layers(params: dict[str, str], user, key: str = "layers") -> tuple[LayerInfo, ...]:
    names = [n.strip() for n in _required(params, key).split(",")]
    if any(not n for n in names):
        raise WMSError(f"Pusta nazwa warstwy w {key.upper()}.", "LayerNotDefined", key)
    if len(names) > MAX_LAYERS:
        raise WMSError(
            f"Najwyżej {MAX_LAYERS} warstw w jednym żądaniu, podano {len(names)}.",
            "InvalidParameterValue",
            key,
        )
    return tuple(resolve_layer(n, user, key) for n in names)


def parse_styles(params: dict[str, str], layers: tuple[LayerInfo, ...]) -> None:
    raw = params.get("styles", "")
    if not raw.strip(","):
        return
    styles = [s.strip() for s in raw.split(",")]
    if len(styles) != len(layers):
        raise WMSError(
            "Liczba stylów w STYLES nie odpowiada liczbie warstw.", "InvalidParameterValue", "styles"
        )
    for style in styles:
        if style not in ("", "default"):
            raise WMSError(f"Styl „{style}” nie istnieje (dostępny: default).", "StyleNotDefined", "styles")


def parse_crs(params: dict[str, str], version: str) -> tuple[int, bool]:
    """Return (EPSG code, force x/y order); CRS:84 is WGS 84 in longitude/latitude order."""
    key = "crs" if version == "1.3.0" else "srs"
    raw = params.get(key) or params.get("srs" if key == "crs" else "crs") or ""
    if not raw.strip():
        raise WMSError(f"Brak parametru {key.upper()}.", "MissingParameterValue", key)
    if raw.strip().upper() == "CRS:84":
        return 4326, True
    try:
        return parse_srid(raw), version == "1.1.1"
    except GeometryError as exc:
        raise WMSError(str(exc), "InvalidCRS", key) from None


def parse_bbox(params: dict[str, str], srid: int, version: str, force_xy: bool) -> tuple[float, ...]:
    raw = _required(params, "bbox")
    parts = raw.split(",")
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(parts) != 4 or len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise WMSError(
            f"BBOX musi składać się z czterech liczb rozdzielonych przecinkami, otrzymano „{raw}”.",
            "InvalidParameterValue",
            "bbox",
        )
    xy = values if force_xy else bbox_to_xy(values, srid, version)
    minx, miny, maxx, maxy = xy
    if minx >= maxx or miny >= maxy:
        raise WMSError(
            "W BBOX wartości minimalne muszą być mniejsze od maksymalnych.", "InvalidParameterValue", "bbox"
        )
    if srid == 4326:
        if not (-180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90):
            raise WMSError(
                "BBOX wykracza poza zakres współrzędnych geograficznych.", "InvalidParameterValue", "bbox"
            )
    elif max(abs(v) for v in xy) > MAX_PROJECTED_COORD:
        raise WMSError("BBOX wykracza poza zakres układu współrzędnych.", "InvalidParameterValue", "bbox")
    return xy


def parse_map_request(params: dict[str, str], user, version: str, *, need_format: bool = True) -> MapRequest:
    """Validate the GetMap part of a request; return it or raise WMSError."""
    layers = parse_layers(params, user)
    parse_styles(params, layers)
    srid, force_xy = parse_crs(params, version)
    bbox = parse_bbox(params, srid, version, force_xy)
    width = _positive_size(params, "width")
    height = _positive_size(params, "height")
    fmt = "image/png"
    if need_format:
        fmt = _required(params, "format").split(";")[0].strip().lower()
        if fmt not in MAP_FORMATS:
            raise WMSError(
                f"Nieobsługiwany format „{params['format']}”. Dostępne: {', '.join(MAP_FORMATS)}.",
                "InvalidFormat",
                "format",
            )
    transparent_raw = params.get("transparent", "FALSE").strip().upper() or "FALSE"
    if transparent_raw not in ("TRUE", "FALSE"):
        raise WMSError(
            "TRANSPARENT przyjmuje wartości TRUE albo FALSE.", "InvalidParameterValue", "transparent"
        )
    bgcolor = (255, 255, 255)
    if params.get("bgcolor"):
        raw = params["bgcolor"].strip()
        try:
            if not raw.upper().startswith("0X") or len(raw) != 8:
                raise ValueError
            value = int(raw[2:], 16)
        except ValueError:
            raise WMSError("BGCOLOR w zapisie 0xRRGGBB.", "InvalidParameterValue", "bgcolor") from None
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


def render_map(mr: MapRequest) -> bytes:
    """Draw the map of a validated GetMap request; return the encoded image."""
    frame = Frame(mr.bbox, mr.width, mr.height, mr.srid, mr.dpi)
    image_format = "png-transparent" if mr.transparent else MAP_FORMATS[mr.format]
    try:
        return draw_map(
            frame, mr.layers, image_format=image_format, bgcolor=mr.bgcolor, internal_of=mr.internal_of
        )
    except LayerNotDrawable as exc:
        raise WMSError(f"Warstwa „{exc.name}” nie istnieje.", "LayerNotDefined", "layers") from None


def get_map(params, user, version) -> HttpResponse:
    mr = parse_map_request(params, user, version)
    body = render_map(mr)
    response = HttpResponse(body, content_type=mr.format)
    if any(depends_on_caller(i) for i in mr.layers):
        # Not even the anonymous image may be kept: a client cache that ignores Vary (QGIS's)
        # would show it to the next caller, who may see more.
        response["Cache-Control"] = "private, no-store"
    else:
        response["Cache-Control"] = "public, max-age=300"
    return response


def get_legend_graphic(params, user, version) -> HttpResponse:
    name = _required(params, "layer")
    info = resolve_layer(name, user, "layer")
    fmt = (params.get("format") or "image/png").split(";")[0].strip().lower()
    if fmt not in LEGEND_FORMATS:
        raise WMSError(f"Nieobsługiwany format legendy „{params['format']}”.", "InvalidFormat", "format")
    style = params.get("style", "")
    if style not in ("", "default"):
        raise WMSError(f"Styl „{style}” nie istnieje (dostępny: default).", "StyleNotDefined", "style")
    try:
        body = draw_legend(info)
    except LayerNotDrawable as exc:
        raise WMSError(f"Warstwa „{exc.name}” nie istnieje.", "LayerNotDefined", "layer") from None
    return HttpResponse(body, content_type="image/png")


def get_styles(params, user, version) -> HttpResponse:
    """SLD 1.0.0 of the layers' styles (the SLD profile's GetStyles), for QGIS users."""
    from lxml import etree

    from .sld import style_to_sld

    layers = parse_layers(params, user)
    documents = []
    for info in layers:
        if info.is_external:
            raise WMSError(
                f"Warstwa „{info.name}” jest rysowana przez usługę zewnętrzną.", "LayerNotDefined", "layers"
            )
        documents.append(
            etree.fromstring(style_to_sld(info.name, info.source.geometry_kind, info.layer.style))
        )
    root = documents[0]
    for other in documents[1:]:
        root.extend(other.findall("{http://www.opengis.net/sld}NamedLayer"))
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return HttpResponse(body, content_type="application/vnd.ogc.sld+xml; charset=utf-8")


def handle(request) -> HttpResponse:
    """The /ows/wms endpoint: dispatch on REQUEST, answer errors as OGC exception reports."""
    params = {k.lower(): v for k, v in request.GET.items()}
    version = request_version(params)
    try:
        try:
            user = ows_user(request)
        except BadCredentials:
            raise WMSError("Błędna nazwa użytkownika, hasło lub token.", None, None, status=401) from None
        except LockedOut as exc:
            return lockout_report(exception_response(WMSError(exc.message, None, None, status=429), version))
        service = params.get("service", "").strip().upper()
        if service and service != "WMS":
            raise WMSError(
                f"Usługa „{params['service']}” nie jest obsługiwana pod tym adresem.",
                "InvalidParameterValue",
                "service",
            )
        operation = _required(params, "request").lower()
        if operation in ("getcapabilities", "capabilities"):
            from .capabilities import get_capabilities

            return get_capabilities(request, params, user, version)
        if operation in ("getmap", "map"):
            return get_map(params, user, version)
        if operation == "getfeatureinfo":
            from .featureinfo import get_feature_info

            return get_feature_info(params, user, version)
        if operation == "getlegendgraphic":
            return get_legend_graphic(params, user, version)
        if operation == "getstyles":
            return get_styles(params, user, version)
        raise WMSError(
            f"Operacja „{params['request']}” nie jest obsługiwana.", "OperationNotSupported", "request"
        )
    except WMSError as exc:
        return exception_response(exc, version)
    except mapscript.MapServerError:
        log.exception("MapServer failed")
        return exception_response(
            WMSError("Nie udało się narysować mapy; spróbuj ponownie za chwilę.", None, None, status=503),
            version,
        )
