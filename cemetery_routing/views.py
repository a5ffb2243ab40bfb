"""Public pages: the cemetery search, a cemetery's map, the grave card."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from sip.models import Gmina

from . import selectors
from .models import Cemetery


def cemetery_index(request):
    gmina = None
    if request.GET.get("gmina"):
        gmina = Gmina.objects.filter(teryt=request.GET["gmina"]).first()
    return render(
        request,
        "cemetery_routing/index.html",
        {
            "gmina": gmina,
            "cemeteries": selectors.cemeteries(gmina.pk if gmina else None),
            "q": request.GET.get("q", ""),
        },
    )


def cemetery_page(request, slug: str):
    cemetery = get_object_or_404(Cemetery.objects.select_related("gmina"), slug=slug)
    return render(
        request,
        "cemetery_routing/cemetery.html",
        {
            "cemetery": cemetery,
            "map": selectors.cemetery_map(cemetery),
            "counts": selectors.status_counts(cemetery),
        },
    )


def grave_card(request, grave_id: int):
    grave = selectors.public_grave(grave_id)
    if grave is None:
        raise Http404("Nie ma takiego grobu.")
    feature = selectors.grave_feature(grave, 4326)
    lon, lat = feature["geometry"]["coordinates"]
    return render(
        request,
        "cemetery_routing/grave.html",
        {
            "grave": grave,
            "burials": selectors.public_burials_of(grave),
            "photos": selectors.photos_of(grave),
            "map": selectors.cemetery_map(grave.cemetery),
            "feature": feature,
            "geo_uri": f"geo:{lat:.7f},{lon:.7f}?q={lat:.7f},{lon:.7f}",
        },
    )
