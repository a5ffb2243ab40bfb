"""WMS GetCapabilities documents (1.3.0 and 1.1.1) listing only the caller's layers."""

from __future__ import annotations

from itertools import groupby
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from lxml import etree

from sip.geometry import ACCEPTED_SRIDS
from sip.urls_public import request_url

from ..crs import transform_extent, xy_to_axis_order
from ..selectors import LayerInfo, visible_layers
from .language import inspire_code
from .params import INFO_FORMATS, MAP_FORMATS, MAX_LAYERS, MAX_SIZE

WMS_NS = "http://www.opengis.net/wms"
XLINK = "http://www.w3.org/1999/xlink"
SLD_NS = "http://www.opengis.net/sld"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SERVICE_TITLE = gettext_lazy("SIP – mapy gmin partnerskich")
SERVICE_ABSTRACT = gettext_lazy(
    "Usługa przeglądania (WMS) systemu informacji przestrzennej gmin partnerskich: "
    "granice, obręby, działki ewidencyjne, adresy i warstwy tematyczne."
)


def _fmt(v: float) -> str:
    return f"{v:.6f}" if abs(v) < 1000 else f"{v:.2f}"


class _Doc:
    def __init__(self, version: str, url: str):
        self.version = version
        self.url = url
        self.ns = f"{{{WMS_NS}}}" if version == "1.3.0" else ""
        self.language = translation.get_language() or settings.LANGUAGE_CODE

    def el(self, parent, tag: str, text: str | None = None, **attrs):
        element = etree.SubElement(parent, self.ns + tag if ":" not in tag else tag, **attrs)
        if text is not None:
            element.text = text
        return element

    def online(self, parent, href: str):
        return etree.SubElement(
            parent,
            self.ns + "OnlineResource",
            {f"{{{XLINK}}}type": "simple", f"{{{XLINK}}}href": href},
        )

    def operation(self, parent, tag: str, formats, ns: str | None = None):
        op = etree.SubElement(parent, (ns or self.ns) + tag)
        for f in formats:
            self.el(op, "Format", f)
        http = self.el(self.el(op, "DCPType"), "HTTP")
        self.online(self.el(http, "Get"), self.url + "?")
        return op


def _bounding_boxes(doc: _Doc, parent, extent_2180, *, crs_key: str) -> None:
    geo = transform_extent(extent_2180, 4326)
    if doc.version == "1.3.0":
        box = doc.el(parent, "EX_GeographicBoundingBox")
        for tag, value in zip(
            ("westBoundLongitude", "eastBoundLongitude", "southBoundLatitude", "northBoundLatitude"),
            (geo[0], geo[2], geo[1], geo[3]),
            strict=True,
        ):
            doc.el(box, tag, _fmt(value))
    else:
        doc.el(
            parent,
            "LatLonBoundingBox",
            minx=_fmt(geo[0]),
            miny=_fmt(geo[1]),
            maxx=_fmt(geo[2]),
            maxy=_fmt(geo[3]),
        )
    for srid in ACCEPTED_SRIDS:
        xy = transform_extent(extent_2180, srid)
        values = xy_to_axis_order(xy, srid, doc.version)
        doc.el(
            parent,
            "BoundingBox",
            **{crs_key: f"EPSG:{srid}"},
            minx=_fmt(values[0]),
            miny=_fmt(values[1]),
            maxx=_fmt(values[2]),
            maxy=_fmt(values[3]),
        )


def _layer(doc: _Doc, parent, info: LayerInfo, crs_key: str) -> None:
    row = info.layer
    el = doc.el(parent, "Layer", queryable="1" if row.queryable else "0", opaque="0")
    doc.el(el, "Name", row.name)
    doc.el(el, "Title", row.display_title)
    if row.abstract:
        doc.el(el, "Abstract", row.abstract)
    keywords = doc.el(el, "KeywordList")
    origin = (
        info.source.name if info.source else (row.external.service.title if row.external_id else "raster")
    )
    for word in filter(None, (row.group, origin, row.gmina.name if row.gmina else "")):
        doc.el(keywords, "Keyword", word)
    _bounding_boxes(doc, el, info.extent, crs_key=crs_key)
    style = doc.el(el, "Style")
    doc.el(style, "Name", "default")
    doc.el(style, "Title", row.style.name)
    legend = doc.el(style, "LegendURL", width="200", height="40")
    doc.el(legend, "Format", "image/png")
    query = urlencode(
        {
            "SERVICE": "WMS",
            "VERSION": doc.version,
            "REQUEST": "GetLegendGraphic",
            "LAYER": row.name,
            "FORMAT": "image/png",
            "STYLE": "default",
            **({"SLD_VERSION": "1.1.0"} if doc.version == "1.3.0" else {}),
            # A client that asked for another language gets its legends in that language too.
            **({"LANGUAGE": inspire_code(doc.language)} if doc.language != settings.LANGUAGE_CODE else {}),
        }
    )
    doc.online(legend, f"{doc.url}?{query}")
    if doc.version == "1.3.0":
        # The scales at which the layer draws anything: its own limits and its classes' scales.
        min_scale, max_scale = info.scale_range
        if min_scale:
            doc.el(el, "MinScaleDenominator", str(min_scale))
        if max_scale:
            doc.el(el, "MaxScaleDenominator", str(max_scale))


def capabilities_document(version: str, url: str, layers: list[LayerInfo]) -> bytes:
    """Return the capabilities XML of the given layers."""
    doc = _Doc(version, url)
    crs_key = "CRS" if version == "1.3.0" else "SRS"
    if version == "1.3.0":
        root = etree.Element(
            doc.ns + "WMS_Capabilities",
            nsmap={None: WMS_NS, "xlink": XLINK, "sld": SLD_NS, "xsi": XSI},
            version="1.3.0",
        )
        root.set(
            f"{{{XSI}}}schemaLocation",
            f"{WMS_NS} http://schemas.opengis.net/wms/1.3.0/capabilities_1_3_0.xsd "
            f"{SLD_NS} http://schemas.opengis.net/sld/1.1.0/sld_capabilities.xsd",
        )
    else:
        root = etree.Element("WMT_MS_Capabilities", nsmap={"xlink": XLINK}, version="1.1.1")
    service = doc.el(root, "Service")
    doc.el(service, "Name", "WMS" if version == "1.3.0" else "OGC:WMS")
    doc.el(service, "Title", str(SERVICE_TITLE))
    doc.el(service, "Abstract", str(SERVICE_ABSTRACT))
    doc.online(service, url)
    doc.el(service, "Fees", gettext("brak"))
    doc.el(
        service,
        "AccessConstraints",
        gettext("brak")
        if all(i.layer.visibility == "public" for i in layers)
        else gettext("warstwy wewnętrzne tylko dla uprawnionych"),
    )
    if version == "1.3.0":
        doc.el(service, "LayerLimit", str(MAX_LAYERS))
        doc.el(service, "MaxWidth", str(MAX_SIZE))
        doc.el(service, "MaxHeight", str(MAX_SIZE))
    capability = doc.el(root, "Capability")
    request = doc.el(capability, "Request")
    caps_format = "text/xml" if version == "1.3.0" else "application/vnd.ogc.wms_xml"
    doc.operation(request, "GetCapabilities", [caps_format])
    doc.operation(request, "GetMap", list(MAP_FORMATS))
    doc.operation(request, "GetFeatureInfo", list(INFO_FORMATS))
    doc.operation(
        request, "GetLegendGraphic", ["image/png"], ns=f"{{{SLD_NS}}}" if version == "1.3.0" else None
    )
    exception = doc.el(capability, "Exception")
    doc.el(exception, "Format", "XML" if version == "1.3.0" else "application/vnd.ogc.se_xml")

    top = doc.el(capability, "Layer")
    doc.el(top, "Title", str(SERVICE_TITLE))
    doc.el(top, "Abstract", str(SERVICE_ABSTRACT))
    for srid in ACCEPTED_SRIDS:
        doc.el(top, crs_key, f"EPSG:{srid}")
    if version == "1.3.0":
        doc.el(top, crs_key, "CRS:84")
    if layers:
        extents = [i.extent for i in layers]
        whole = (
            min(e[0] for e in extents),
            min(e[1] for e in extents),
            max(e[2] for e in extents),
            max(e[3] for e in extents),
        )
        _bounding_boxes(doc, top, whole, crs_key=crs_key)
    for group, grouped in groupby(layers, key=lambda i: i.layer.group):
        members = list(grouped)
        parent = top
        if group:
            parent = doc.el(top, "Layer")
            doc.el(parent, "Title", members[0].layer.display_group)
        for info in members:
            _layer(doc, parent, info, crs_key)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def get_capabilities(request, params, user, version) -> HttpResponse:
    layers = visible_layers(user)
    body = capabilities_document(version, request_url(request), layers)
    content_type = "text/xml" if version == "1.3.0" else "application/vnd.ogc.wms_xml"
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Cache-Control"] = "private, no-cache"
    return response
