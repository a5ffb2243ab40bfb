"""Public pages of the core: the list of partner gminas and a gmina's map page."""

import json

from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.db.models import Count
from django.shortcuts import get_object_or_404, render

from .dbfunctions import SimplifyPreserveTopology
from .models import Gmina, Obreb


def home(request):
    gminas = Gmina.objects.annotate(
        parcel_count=Count("parcel"),
        outline=AsGeoJSON(Transform(SimplifyPreserveTopology("boundary", 20), 4326), precision=5),
    )
    features = [
        {
            "type": "Feature",
            "geometry": json.loads(g.outline),
            "properties": {"name": g.name, "kind": g.get_kind_display(), "url": f"/{g.slug}/"},
        }
        for g in gminas
    ]
    return render(
        request,
        "sip/home.html",
        {
            "gminas": gminas,
            "outlines": {"type": "FeatureCollection", "features": features},
        },
    )


def gmina_portal(request, slug: str):
    gmina = get_object_or_404(
        Gmina.objects.annotate(outline=AsGeoJSON(Transform("boundary", 4326), precision=6)),
        slug=slug,
    )
    obreby = Obreb.objects.filter(gmina=gmina).annotate(
        outline=AsGeoJSON(Transform(SimplifyPreserveTopology("geom", 5), 4326), precision=6),
        parcel_count=Count("parcel"),
    )
    obreb_features = [
        {
            "type": "Feature",
            "geometry": json.loads(o.outline),
            "properties": {"code": o.code, "name": o.name, "parcels": o.parcel_count},
        }
        for o in obreby
    ]
    return render(
        request,
        "sip/gmina.html",
        {
            "gmina": gmina,
            "boundary": json.loads(gmina.outline),
            "obreby": {"type": "FeatureCollection", "features": obreb_features},
        },
    )
