"""The OGC endpoints: /ows/wms (MapServer via mapscript) and /ows/wfs (django-gisserver), and
/ows/layers, the layer list the geoportal builds its layer switcher from."""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from sip.models import Gmina
from sip.urls_public import public_url

from ..selectors import describe_layers
from . import wms
from .auth import BadCredentials, LockedOut, lockout_report, ows_user
from .language import in_requested_language
from .wfs import SIPWFSView


@csrf_exempt
@require_GET
@in_requested_language
def wms_view(request):
    return wms.handle(request)


wfs_view = csrf_exempt(in_requested_language(SIPWFSView.as_view()))


@require_GET
@in_requested_language
def layer_list(request):
    """The layers the caller may see, for one gmina (?gmina=<slug>: its own and all-gmina
    layers) or all, in display order, with what a web map needs to show them."""
    try:
        user = ows_user(request)
    except BadCredentials:
        return JsonResponse({"detail": "Błędna nazwa użytkownika, hasło lub token."}, status=401)
    except LockedOut as exc:
        return lockout_report(JsonResponse({"detail": exc.message}, status=429))
    gmina = None
    if request.GET.get("gmina"):
        gmina = get_object_or_404(Gmina, slug=request.GET["gmina"])
    wms_url = public_url("ows-wms", request=request)
    out = describe_layers(user, gmina, wms_url)
    response = JsonResponse({"wms": wms_url, "wfs": public_url("ows-wfs", request=request), "layers": out})
    response["Cache-Control"] = "private, max-age=30"
    return response
