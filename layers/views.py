"""The OGC endpoints: /ows/wms (MapServer via mapscript) and /ows/wfs (django-gisserver), and
/ows/layers, the layer list the geoportal builds its layer switcher from."""

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from sip.models import Gmina

from . import wms
from .auth import BadCredentials, ows_user
from .selectors import visible_layers
from .wfs import SIPWFSView


@csrf_exempt
@require_GET
def wms_view(request):
    return wms.handle(request)


wfs_view = csrf_exempt(SIPWFSView.as_view())


@require_GET
def layer_list(request):
    """The layers the caller may see, for one gmina (?gmina=<slug>: its own and all-gmina
    layers) or all, in display order, with what a web map needs to show them."""
    try:
        user = ows_user(request)
    except BadCredentials:
        return JsonResponse({"detail": "Błędna nazwa użytkownika, hasło lub token."}, status=401)
    gmina = None
    if request.GET.get("gmina"):
        gmina = get_object_or_404(Gmina, slug=request.GET["gmina"])
    wms_url = request.build_absolute_uri("/ows/wms")
    out = []
    for info in visible_layers(user):
        row = info.layer
        if gmina is not None and row.gmina_id not in (None, gmina.pk):
            continue
        legend = urlencode(
            {
                "SERVICE": "WMS",
                "VERSION": "1.3.0",
                "REQUEST": "GetLegendGraphic",
                "LAYER": row.name,
                "FORMAT": "image/png",
            }
        )
        out.append(
            {
                "name": row.name,
                "title": row.title,
                "abstract": row.abstract,
                "group": row.group,
                "order": row.order,
                "gmina": row.gmina.slug if row.gmina_id else None,
                "visibility": row.visibility,
                "queryable": row.queryable and info.is_vector,
                "wfs": info.is_vector,
                "min_scale": row.min_scale,
                "max_scale": row.max_scale,
                "attributes": [{"name": a, "label": label} for a, label in info.source.fields]
                if info.source
                else [],
                "legend_url": f"{wms_url}?{legend}",
            }
        )
    response = JsonResponse({"wms": wms_url, "wfs": request.build_absolute_uri("/ows/wfs"), "layers": out})
    response["Cache-Control"] = "private, max-age=30"
    return response
