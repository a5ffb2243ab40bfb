"""Public pages: the partner gminas on a map, and each gmina's geoportal."""

import hashlib
import json

from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.core.cache import cache
from django.db.models import Count
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe

from layers.selectors import describe_layers
from sip import tenancy
from sip.dbfunctions import SimplifyPreserveTopology
from sip.models import Gmina, Parcel
from sip.urls_public import public_path

from .printing import SCALES

# Layers of "Mapa SIP" that answer a click on the map (GetFeatureInfo) while the base map is
# shown; a click on the others (land cover, boundaries, streets) would open a popup anywhere.
BASE_QUERY_LAYERS = ("dzialki", "adresy", "budynki")

# National orthophoto (GUGiK), a configured external WMS; unreachable networks degrade to a note.
ORTHOPHOTO_WMS = {
    "url": "https://mapy.geoportal.gov.pl/wss/service/PZGIK/ORTO/WMS/StandardResolution",
    "layers": "Raster",
}


# How many parcels each gmina has, for the landing page: one grouped index scan over every
# parcel (about 0.1 s at 1.5M parcels), kept for a few minutes instead of paid on every visit.
PARCEL_COUNTS_TTL = 300


def _parcel_counts() -> dict[int, int]:
    def count():
        grouped = Parcel.objects.order_by().values("gmina").annotate(n=Count("*"))
        return dict(grouped.values_list("gmina", "n"))

    return cache.get_or_set("geoportal:parcel-counts", count, PARCEL_COUNTS_TTL)


# The landing map's outlines (GeoJSON geometries, simplified at 20 m): simplifying and
# transforming 150 gmina boundaries took most of the page. They are kept under the gmina rows'
# versions, so any change of a gmina (a new row version), a new or a removed gmina reads them
# again on the next visit.
OUTLINES_TTL = 24 * 3600
# What json_script escapes: the outlines go into the page as JSON text, not parsed and dumped.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _outlines(versions: list[tuple[int, str]]) -> dict[int, str]:
    key = "geoportal:outlines:" + hashlib.sha256(repr(versions).encode()).hexdigest()

    def read():
        shapes = Gmina.objects.filter(pk__in=[pk for pk, _ in versions]).annotate(
            outline=AsGeoJSON(Transform(SimplifyPreserveTopology("boundary", 20), 4326), precision=5)
        )
        return dict(shapes.values_list("pk", "outline"))

    return cache.get_or_set(key, read, OUTLINES_TTL)


def home(request):
    counts = _parcel_counts()
    # xmin: the row version, which every insert or update of the row changes.
    gminas = list(Gmina.objects.defer("boundary").annotate(version=RawSQL('"sip_gmina".xmin::text', ())))
    outlines = _outlines([(g.pk, g.version) for g in gminas])
    features = []
    for g in gminas:
        g.parcel_count = counts.get(g.pk, 0)
        g.url = public_path("gmina-portal", args=[g.slug], request=request)
        properties = {"name": g.name, "kind": g.get_kind_display(), "url": g.url}
        features.append(
            f'{{"type": "Feature", "geometry": {outlines[g.pk]}, "properties": {json.dumps(properties)}}}'
        )
    collection = '{"type": "FeatureCollection", "features": [' + ", ".join(features) + "]}"
    return render(
        request,
        "geoportal/home.html",
        {"gminas": gminas, "outlines": mark_safe(collection.translate(_JSON_SCRIPT_ESCAPES))},
    )


def portal(request, slug: str):
    gmina = get_object_or_404(
        Gmina.objects.annotate(outline=AsGeoJSON(Transform("boundary", 4326), precision=6)), slug=slug
    )
    boundary = json.loads(gmina.outline)
    extent = gmina.boundary.transform(4326, clone=True).extent
    wms = public_path("ows-wms", request=request)
    described = describe_layers(request.user, gmina, wms)
    # "Mapa SIP", the base map: the registry's layers marked for it, drawn as one tiled layer,
    # bottom first; each layer's style decides what it shows at which scale.
    base = [
        {**d, "queryable": d["queryable"] and d["name"] in BASE_QUERY_LAYERS}
        for d in sorted((d for d in described if d["base_map"] is not None), key=lambda d: d["base_map"])
    ]
    overlays = [d for d in described if d["base_map"] is None]
    config = {
        "gmina": {
            "slug": gmina.slug,
            "name": gmina.name,
            "teryt": gmina.teryt,
            "bounds": [[extent[1], extent[0]], [extent[3], extent[2]]],
        },
        "boundary": boundary,
        "urls": {
            "search": public_path("geoportal-search", request=request),
            "print": public_path("geoportal-print", request=request),
            "wms": wms,
        },
        "orthophoto": ORTHOPHOTO_WMS,
        "base_layers": base,
        "print_scales": list(SCALES),
        # A planner of this gmina gets "issue an extract" for a parcel found or clicked.
        "extract_url": public_path("planning:new-case", request=request)
        if tenancy.can(request.user, "planning.add_extractcase", gmina)
        else None,
        "layers": overlays,
    }
    return render(
        request,
        "geoportal/portal.html",
        {
            "gmina": gmina,
            "config": config,
        },
    )
