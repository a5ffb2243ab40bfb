"""The OGC endpoints: /ows/wms (MapServer via mapscript) and /ows/wfs (django-gisserver)."""

from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from . import wms
from .wfs import SIPWFSView


@csrf_exempt
@require_GET
def wms_view(request):
    return wms.handle(request)


wfs_view = csrf_exempt(SIPWFSView.as_view())
