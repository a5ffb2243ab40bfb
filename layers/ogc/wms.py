"""WMS 1.3.0 and 1.1.1 at /ows/wms: the dispatch on REQUEST, GetMap, GetLegendGraphic and GetStyles.

Every parameter is checked (layers.ogc.params) before MapServer sees anything. Rendering is
mapscript in process (layers.render); capabilities and GetFeatureInfo live in their own modules.
"""

from __future__ import annotations

import logging

import mapscript
from django.http import HttpResponse
from lxml import etree

from ..registry.sld import style_to_sld
from ..render import Frame, LayerNotDrawable, draw_legend, draw_map
from ..selectors import depends_on_caller
from .auth import BadCredentials, LockedOut, lockout_report, ows_user
from .capabilities import get_capabilities
from .exceptions import (
    InvalidFormat,
    InvalidParameterValue,
    LayerNotDefined,
    NotAuthenticated,
    OGCException,
    OperationNotSupported,
    ServiceUnavailable,
    StyleNotDefined,
    TooManyAttempts,
    exception_response,
)
from .featureinfo import get_feature_info
from .params import (
    LEGEND_FORMATS,
    MAP_FORMATS,
    MapRequest,
    parse_layers,
    parse_map_request,
    request_params,
    request_version,
    required,
    resolve_layer,
)

log = logging.getLogger(__name__)


def render_map(mr: MapRequest) -> bytes:
    """Draw the map of a validated GetMap request; return the encoded image."""
    frame = Frame(mr.bbox, mr.width, mr.height, mr.srid, mr.dpi)
    image_format = "png-transparent" if mr.transparent else MAP_FORMATS[mr.format]
    try:
        return draw_map(
            frame, mr.layers, image_format=image_format, bgcolor=mr.bgcolor, internal_of=mr.internal_of
        )
    except LayerNotDrawable as exc:
        raise LayerNotDefined(f"Warstwa „{exc.name}” nie istnieje.", "layers") from None


def map_image(params, user, version) -> tuple[bytes, str, str]:
    """Answer a GetMap: the encoded image, its media type and its Cache-Control."""
    mr = parse_map_request(params, user, version)
    body = render_map(mr)
    if any(depends_on_caller(i) for i in mr.layers):
        # Not even the anonymous image may be kept: a client cache that ignores Vary (QGIS's)
        # would show it to the next caller, who may see more.
        return body, mr.format, "private, no-store"
    return body, mr.format, "public, max-age=300"


def get_map(params, user, version) -> HttpResponse:
    body, content_type, cache_control = map_image(params, user, version)
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = cache_control
    return response


def get_legend_graphic(params, user, version) -> HttpResponse:
    name = required(params, "layer")
    info = resolve_layer(name, user, "layer")
    fmt = (params.get("format") or "image/png").split(";")[0].strip().lower()
    if fmt not in LEGEND_FORMATS:
        raise InvalidFormat(f"Nieobsługiwany format legendy „{params['format']}”.", "format")
    style = params.get("style", "")
    if style not in ("", "default"):
        raise StyleNotDefined(f"Styl „{style}” nie istnieje (dostępny: default).", "style")
    try:
        body = draw_legend(info)
    except LayerNotDrawable as exc:
        raise LayerNotDefined(f"Warstwa „{exc.name}” nie istnieje.", "layer") from None
    return HttpResponse(body, content_type="image/png")


def get_styles(params, user, version) -> HttpResponse:
    """SLD 1.0.0 of the layers' styles (the SLD profile's GetStyles), for QGIS users."""
    layers = parse_layers(params, user)
    documents = []
    for info in layers:
        if info.is_external:
            raise LayerNotDefined(f"Warstwa „{info.name}” jest rysowana przez usługę zewnętrzną.", "layers")
        documents.append(
            etree.fromstring(style_to_sld(info.name, info.source.geometry_kind, info.layer.style))
        )
    root = documents[0]
    for other in documents[1:]:
        root.extend(other.findall("{http://www.opengis.net/sld}NamedLayer"))
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return HttpResponse(body, content_type="application/vnd.ogc.sld+xml; charset=utf-8")


def operation(params: dict[str, str]) -> str:
    """The operation a request names (REQUEST, in lower case); raises for another service."""
    service = params.get("service", "").strip().upper()
    if service and service != "WMS":
        raise InvalidParameterValue(
            f"Usługa „{params['service']}” nie jest obsługiwana pod tym adresem.", "service"
        )
    return required(params, "request").lower()


GET_MAP = ("getmap", "map")


def handle(request) -> HttpResponse:
    """The /ows/wms endpoint: dispatch on REQUEST, answer errors as OGC exception reports."""
    params = request_params(request.GET.items())
    version = request_version(params)
    try:
        try:
            user = ows_user(request)
        except BadCredentials:
            raise NotAuthenticated("Błędna nazwa użytkownika, hasło lub token.") from None
        except LockedOut as exc:
            return lockout_report(exception_response(TooManyAttempts(exc.message), version))
        asked = operation(params)
        if asked in ("getcapabilities", "capabilities"):
            return get_capabilities(request, params, user, version)
        if asked in GET_MAP:
            return get_map(params, user, version)
        if asked == "getfeatureinfo":
            return get_feature_info(params, user, version)
        if asked == "getlegendgraphic":
            return get_legend_graphic(params, user, version)
        if asked == "getstyles":
            return get_styles(params, user, version)
        raise OperationNotSupported(f"Operacja „{params['request']}” nie jest obsługiwana.", "request")
    except OGCException as exc:
        return exception_response(exc, version)
    except mapscript.MapServerError:
        log.exception("MapServer failed")
        return exception_response(
            ServiceUnavailable("Nie udało się narysować mapy; spróbuj ponownie za chwilę."),
            version,
        )
