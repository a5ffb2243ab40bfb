"""WMS GetFeatureInfo: the features under a pixel, with the registry's Polish attribute labels.

Answered from the database through the layer's registered source (not by MapServer), so the
HTML, JSON and GML answers show exactly the attributes and labels the registry declares.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from decimal import Decimal

from django.contrib.gis.db.models.functions import AsGeoJSON, AsGML, Distance, Transform
from django.contrib.gis.geos import Point
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.template.loader import render_to_string
from lxml import etree

from sip.text import plain_int

from ..crs import transform_point
from ..selectors import LayerInfo, layer_rows
from .exceptions import (
    InvalidFormat,
    InvalidParameterValue,
    InvalidPoint,
    LayerNotDefined,
    LayerNotQueryable,
    MissingParameterValue,
)
from .params import GML_WITH_SCHEMA, INFO_FORMATS, parse_layers, parse_map_request

GML_FORMATS = ("application/vnd.ogc.gml", "text/xml", GML_WITH_SCHEMA)
GML_NS = "http://www.opengis.net/gml"
GEOMETRY_ELEMENT = "geometry"
MAX_FEATURE_COUNT = 50
TOLERANCE_PX = 4


def _pixel(params: dict[str, str], version: str, mr) -> tuple[int, int]:
    keys = ("i", "j") if version == "1.3.0" else ("x", "y")
    out = []
    for key, size in zip(keys, (mr.width, mr.height), strict=True):
        raw = params.get(key, params.get({"i": "x", "j": "y", "x": "i", "y": "j"}[key], "")).strip()
        if not raw:
            raise MissingParameterValue(f"Brak parametru {key.upper()}.", key)
        try:
            value = int(raw)
        except ValueError:
            raise InvalidPoint(f"{key.upper()} musi być liczbą całkowitą.", key) from None
        if not 0 <= value < size:
            raise InvalidPoint(f"Punkt {key.upper()}={value} leży poza obrazem.", key)
        out.append(value)
    return out[0], out[1]


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def _xml_text(value) -> str:
    """An attribute's value as GML text: dates and times as xsd:date/xsd:dateTime (ISO 8601)."""
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def features_at(
    info: LayerInfo, user, point, tolerance_m: float, limit: int, *, gml_srid: int | None = None
) -> list[dict]:
    """Return up to `limit` features of the layer the user may see within tolerance of a point
    (EPSG:2180); with gml_srid, each also with its geometry as GML 2 in that CRS."""
    src = info.source
    attrs = [a for a, _ in src.fields]
    extra = {}
    if gml_srid is not None:
        # x/y order with an "EPSG:n" srsName, as MapServer's GML GetFeatureInfo gives it.
        extra["sip_gml"] = AsGML(
            Transform(src.geometry_field, gml_srid), version=2, precision=8 if gml_srid == 4326 else 3
        )
    qs = (
        layer_rows(info, user)
        .filter(**{f"{src.geometry_field}__dwithin": (point, tolerance_m)})
        .annotate(
            sip_distance=Distance(src.geometry_field, point),
            sip_geojson=AsGeoJSON(Transform(src.geometry_field, 4326), precision=7),
            **extra,
        )
        .order_by("sip_distance")
        .values("pk", "sip_geojson", *extra, *attrs)[:limit]
    )
    return [
        {
            "id": row["pk"],
            "geometry": json.loads(row["sip_geojson"]),
            "gml": row.get("sip_gml"),
            "properties": {a: _plain(row[a]) for a in attrs},
        }
        for row in qs
    ]


def _html(results) -> str:
    sections = [
        {
            "title": info.layer.display_title,
            "features": [
                [(label, f["properties"][attr]) for attr, label in info.source.display_fields] for f in found
            ],
        }
        for info, found in results
    ]
    return render_to_string("layers/featureinfo.html", {"sections": sections})


def _json(results) -> str:
    features = []
    layers = {}
    for info, found in results:
        layers[info.name] = {"title": info.layer.display_title, "labels": dict(info.source.display_fields)}
        for feature in found:
            features.append(
                {
                    "type": "Feature",
                    "id": f"{info.name}.{feature['id']}",
                    "geometry": feature["geometry"],
                    "properties": {"layer": info.name, **feature["properties"]},
                }
            )
    return json.dumps(
        {"type": "FeatureCollection", "features": features, "layers": layers},
        ensure_ascii=False,
        # Dates and times of the layer's columns as ISO 8601 text (json cannot write them).
        cls=DjangoJSONEncoder,
    )


def _gml(results, srid: int) -> bytes:
    """MapServer's GetFeatureInfo GML (msGMLOutput) with each feature's bounding box and
    geometry in the request's CRS, so that a client (QGIS) can highlight what it identified."""
    root = etree.Element("msGMLOutput", nsmap={"gml": GML_NS})
    for info, found in results:
        layer_el = etree.SubElement(root, f"{info.name}_layer")
        etree.SubElement(layer_el, f"{{{GML_NS}}}name").text = info.layer.display_title
        for feature in found:
            f_el = etree.SubElement(layer_el, f"{info.name}_feature", fid=f"{info.name}.{feature['id']}")
            geometry = etree.fromstring(f'<g xmlns:gml="{GML_NS}">{feature["gml"]}</g>'.encode())[0]
            _bounded_by(f_el, geometry, srid)
            etree.SubElement(f_el, GEOMETRY_ELEMENT).append(geometry)
            for attr, value in feature["properties"].items():
                etree.SubElement(f_el, attr).text = _xml_text(value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


XSD_NS = "http://www.w3.org/2001/XMLSchema"
_GML_PROPERTY_TYPES = {
    "POINT": "PointPropertyType",
    "MULTIPOINT": "MultiPointPropertyType",
    "LINESTRING": "LineStringPropertyType",
    "MULTILINESTRING": "MultiLineStringPropertyType",
    "POLYGON": "PolygonPropertyType",
    "MULTIPOLYGON": "MultiPolygonPropertyType",
}


def _xsd_type(field) -> str:
    """The XML Schema type of a model field's values (a code such as obręb "0001" is a string)."""
    from django.db import models

    if field.choices or isinstance(field, (models.CharField, models.TextField)):
        return "string"
    if isinstance(field, models.BooleanField):
        return "boolean"
    if isinstance(field, (models.IntegerField, models.AutoField, models.ForeignKey)):
        return "integer"
    if isinstance(field, (models.DecimalField, models.FloatField)):
        return "decimal"
    if isinstance(field, models.DateTimeField):
        return "dateTime"
    if isinstance(field, models.DateField):
        return "date"
    return "string"


def _xsd(results) -> bytes:
    """The XML Schema of the GML answer: each layer's feature element with its attributes'
    types, so that a client does not guess them from the values."""
    x = f"{{{XSD_NS}}}"
    root = etree.Element(
        x + "schema", nsmap={None: XSD_NS, "gml": GML_NS}, elementFormDefault="qualified", version="1.0"
    )
    etree.SubElement(
        root,
        x + "import",
        namespace=GML_NS,
        schemaLocation="http://schemas.opengis.net/gml/2.1.2/feature.xsd",
    )
    for info, _found in results:
        name = f"{info.name}_feature"
        etree.SubElement(root, x + "element", name=name, type=f"{name}Type", substitutionGroup="gml:_Feature")
        complex_type = etree.SubElement(root, x + "complexType", name=f"{name}Type")
        extension = etree.SubElement(
            etree.SubElement(complex_type, x + "complexContent"),
            x + "extension",
            base="gml:AbstractFeatureType",
        )
        sequence = etree.SubElement(extension, x + "sequence")
        geometry_type = info.source.model._meta.get_field(info.source.geometry_field).geom_type
        etree.SubElement(
            sequence,
            x + "element",
            name=GEOMETRY_ELEMENT,
            type=f"gml:{_GML_PROPERTY_TYPES[geometry_type]}",
            minOccurs="0",
        )
        for attr, _label in info.source.fields:
            field = info.source.model._meta.get_field(attr)
            etree.SubElement(sequence, x + "element", name=attr, type=_xsd_type(field), minOccurs="0")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _multipart(parts: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/mixed body of (content type, file name, body) parts; (body, its content type).

    The file names end as MapServer's multipart GML output names them (.dat for the GML,
    .xsd for the schema): QGIS finds the parts by these endings."""
    boundary = f"sip-{uuid.uuid4().hex}"
    out = b""
    for content_type, filename, body in parts:
        out += (
            (
                f"--{boundary}\r\nContent-Type: {content_type}\r\n"
                f'Content-Disposition: attachment; filename="{filename}"\r\n\r\n'
            ).encode()
            + body
            + b"\r\n"
        )
    out += f"--{boundary}--\r\n".encode()
    return out, f"multipart/mixed; boundary={boundary}"


def _bounded_by(parent, geometry, srid: int) -> None:
    xs, ys = [], []
    for coordinates in geometry.iter(f"{{{GML_NS}}}coordinates"):
        for pair in coordinates.text.split():
            x, y = pair.split(",")[:2]
            xs.append(float(x))
            ys.append(float(y))
    box = etree.SubElement(
        etree.SubElement(parent, f"{{{GML_NS}}}boundedBy"), f"{{{GML_NS}}}Box", srsName=f"EPSG:{srid}"
    )
    etree.SubElement(
        box, f"{{{GML_NS}}}coordinates"
    ).text = f"{min(xs)!r},{min(ys)!r} {max(xs)!r},{max(ys)!r}"


def get_feature_info(params, user, version) -> HttpResponse:
    mr = parse_map_request(params, user, version, need_format=False)
    query_layers = parse_layers(params, user, key="query_layers")
    shown = {i.name for i in mr.layers}
    for info in query_layers:
        if info.name not in shown:
            raise LayerNotDefined(f"Warstwy „{info.name}” nie ma w LAYERS.", "query_layers")
        if not info.layer.queryable or not info.is_vector:
            raise LayerNotQueryable(
                f"Warstwa „{info.name}” nie udostępnia informacji o obiektach.", "query_layers"
            )
    # A "+" that a client left unencoded in the query arrives as a space (QGIS does so).
    info_format = (params.get("info_format") or "text/html").split(";")[0].strip().lower().replace(" ", "+")
    if info_format not in INFO_FORMATS:
        raise InvalidFormat(
            f"Nieobsługiwany INFO_FORMAT „{params.get('info_format')}”. Dostępne: {', '.join(INFO_FORMATS)}.",
            "info_format",
        )
    raw_count = params.get("feature_count", "1").strip() or "1"
    count = plain_int(raw_count)
    if count is None or not 1 <= count <= MAX_FEATURE_COUNT:
        raise InvalidParameterValue(f"FEATURE_COUNT musi być liczbą 1–{MAX_FEATURE_COUNT}.", "feature_count")
    i, j = _pixel(params, version, mr)
    minx, miny, maxx, maxy = mr.bbox
    res_x, res_y = (maxx - minx) / mr.width, (maxy - miny) / mr.height
    x, y = minx + (i + 0.5) * res_x, maxy - (j + 0.5) * res_y
    px, py = transform_point(x, y, mr.srid)
    ex, ey = transform_point(x + TOLERANCE_PX * res_x, y, mr.srid)
    tolerance = max(math.hypot(ex - px, ey - py), 0.01)
    point = Point(px, py, srid=2180)
    gml_srid = mr.srid if info_format in GML_FORMATS else None
    results = [
        (info, features_at(info, user, point, tolerance, count, gml_srid=gml_srid)) for info in query_layers
    ]
    if info_format == "text/html":
        return HttpResponse(_html(results), content_type="text/html; charset=utf-8")
    if info_format == "application/json":
        return HttpResponse(_json(results), content_type="application/json; charset=utf-8")
    if info_format == GML_WITH_SCHEMA:
        # GML and its schema as two parts, the way QGIS reads typed features (MapServer's
        # multipart OGR output): without a schema QGIS guesses types from values.
        body, content_type = _multipart(
            [
                ("application/vnd.ogc.gml; charset=utf-8", "featureinfo.dat", _gml(results, mr.srid)),
                ("text/xml; charset=utf-8", "featureinfo.xsd", _xsd(results)),
            ]
        )
        return HttpResponse(body, content_type=content_type)
    return HttpResponse(_gml(results, mr.srid), content_type=f"{info_format}; charset=utf-8")
