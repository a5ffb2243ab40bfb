"""WMS GetFeatureInfo: the features under a pixel, with the registry's Polish attribute labels.

Answered from the database through the layer's registered source (not by MapServer), so the
HTML, JSON and GML answers show exactly the attributes and labels the registry declares.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal

from django.contrib.gis.db.models.functions import AsGeoJSON, Distance, Transform
from django.contrib.gis.geos import Point
from django.http import HttpResponse
from django.template.loader import render_to_string
from lxml import etree

from sip.text import plain_int

from .crs import transform_point
from .ows_errors import WMSError
from .selectors import LayerInfo
from .wms import parse_layers, parse_map_request

INFO_FORMATS = ("text/html", "application/json", "application/vnd.ogc.gml", "text/xml")
MAX_FEATURE_COUNT = 50
TOLERANCE_PX = 4


def _pixel(params: dict[str, str], version: str, mr) -> tuple[int, int]:
    keys = ("i", "j") if version == "1.3.0" else ("x", "y")
    out = []
    for key, size in zip(keys, (mr.width, mr.height), strict=True):
        raw = params.get(key, params.get({"i": "x", "j": "y", "x": "i", "y": "j"}[key], "")).strip()
        if not raw:
            raise WMSError(f"Brak parametru {key.upper()}.", "MissingParameterValue", key)
        try:
            value = int(raw)
        except ValueError:
            raise WMSError(f"{key.upper()} musi być liczbą całkowitą.", "InvalidPoint", key) from None
        if not 0 <= value < size:
            raise WMSError(f"Punkt {key.upper()}={value} leży poza obrazem.", "InvalidPoint", key)
        out.append(value)
    return out[0], out[1]


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def features_at(info: LayerInfo, point, tolerance_m: float, limit: int) -> list[dict]:
    """Return up to `limit` features of the layer within tolerance of a point (EPSG:2180)."""
    src = info.source
    attrs = [a for a, _ in src.fields]
    qs = (
        src.queryset(info.layer.gmina_id)
        .filter(**{f"{src.geometry_field}__dwithin": (point, tolerance_m)})
        .annotate(
            sip_distance=Distance(src.geometry_field, point),
            sip_geojson=AsGeoJSON(Transform(src.geometry_field, 4326), precision=7),
        )
        .order_by("sip_distance")
        .values("pk", "sip_geojson", *attrs)[:limit]
    )
    return [
        {
            "id": row["pk"],
            "geometry": json.loads(row["sip_geojson"]),
            "properties": {a: _plain(row[a]) for a in attrs},
        }
        for row in qs
    ]


def _html(results) -> str:
    sections = [
        {
            "title": info.layer.title,
            "features": [
                [(label, f["properties"][attr]) for attr, label in info.source.fields] for f in found
            ],
        }
        for info, found in results
    ]
    return render_to_string("layers/featureinfo.html", {"sections": sections})


def _json(results) -> str:
    features = []
    layers = {}
    for info, found in results:
        layers[info.name] = {"title": info.layer.title, "labels": info.source.labels}
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
        {"type": "FeatureCollection", "features": features, "layers": layers}, ensure_ascii=False
    )


def _gml(results) -> bytes:
    gml = "http://www.opengis.net/gml"
    root = etree.Element("msGMLOutput", nsmap={"gml": gml})
    for info, found in results:
        layer_el = etree.SubElement(root, f"{info.name}_layer")
        etree.SubElement(layer_el, f"{{{gml}}}name").text = info.layer.title
        for feature in found:
            f_el = etree.SubElement(layer_el, f"{info.name}_feature", fid=f"{info.name}.{feature['id']}")
            for attr, value in feature["properties"].items():
                etree.SubElement(f_el, attr).text = "" if value is None else str(value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def get_feature_info(params, user, version) -> HttpResponse:
    mr = parse_map_request(params, user, version, need_format=False)
    query_layers = parse_layers(params, user, key="query_layers")
    shown = {i.name for i in mr.layers}
    for info in query_layers:
        if info.name not in shown:
            raise WMSError(f"Warstwy „{info.name}” nie ma w LAYERS.", "LayerNotDefined", "query_layers")
        if not info.layer.queryable or not info.is_vector:
            raise WMSError(
                f"Warstwa „{info.name}” nie udostępnia informacji o obiektach.",
                "LayerNotQueryable",
                "query_layers",
            )
    info_format = (params.get("info_format") or "text/html").split(";")[0].strip().lower()
    if info_format not in INFO_FORMATS:
        raise WMSError(
            f"Nieobsługiwany INFO_FORMAT „{params.get('info_format')}”. Dostępne: {', '.join(INFO_FORMATS)}.",
            "InvalidFormat",
            "info_format",
        )
    raw_count = params.get("feature_count", "1").strip() or "1"
    count = plain_int(raw_count)
    if count is None or not 1 <= count <= MAX_FEATURE_COUNT:
        raise WMSError(
            f"FEATURE_COUNT musi być liczbą 1–{MAX_FEATURE_COUNT}.", "InvalidParameterValue", "feature_count"
        )
    i, j = _pixel(params, version, mr)
    minx, miny, maxx, maxy = mr.bbox
    res_x, res_y = (maxx - minx) / mr.width, (maxy - miny) / mr.height
    x, y = minx + (i + 0.5) * res_x, maxy - (j + 0.5) * res_y
    px, py = transform_point(x, y, mr.srid)
    ex, ey = transform_point(x + TOLERANCE_PX * res_x, y, mr.srid)
    tolerance = max(math.hypot(ex - px, ey - py), 0.01)
    point = Point(px, py, srid=2180)
    results = [(info, features_at(info, point, tolerance, count)) for info in query_layers]
    if info_format == "text/html":
        return HttpResponse(_html(results), content_type="text/html; charset=utf-8")
    if info_format == "application/json":
        return HttpResponse(_json(results), content_type="application/json; charset=utf-8")
    return HttpResponse(_gml(results), content_type=f"{info_format}; charset=utf-8")
