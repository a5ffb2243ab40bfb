import re
from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.http import FileResponse
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_control
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from geoportal import urls as geoportal_urls
from reporting import urls as reporting_urls

from . import api, media
from .backup.views import backup_status_view

admin.site.site_header = "SIP – administracja"
admin.site.site_title = "SIP"
admin.site.index_title = "System informacji przestrzennej gmin partnerskich"

FAVICON = Path(__file__).resolve().parent / "static" / "sip" / "favicon.ico"


@cache_control(max_age=86400, public=True)
def favicon(request):
    """/favicon.ico, which browsers ask for on every page that names no icon."""
    return FileResponse(FAVICON.open("rb"), content_type="image/x-icon")


api_patterns = [
    path("parcels/", api.ParcelSearchView.as_view(), name="parcel-search"),
    # The identifier may contain "/" (123/4), so it takes the rest of the path.
    path("parcels/<path:identifier>/", api.ParcelDetailView.as_view(), name="parcel-detail"),
    path("participation/", include("participation.api_urls")),
    *geoportal_urls.api_patterns,
    *reporting_urls.api_patterns,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the CSP allows no inline scripts.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("admin/kopie-zapasowe/", admin.site.admin_view(backup_status_view), name="backup-status"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # The translations of the scripts' texts (gettext in JavaScript), in the visitor's language.
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("inventory.urls")),
    path("api/incidents/", include("incidents.api_urls")),
    path("open311/v2/", include("incidents.open311.urls")),
    path("api/", include(api_patterns)),
    path("ows/", include("layers.urls")),
    path("", include("planning.urls")),
    path("", include("cemetery_routing.urls")),
    path("", include("participation.urls")),
    *reporting_urls.page_patterns,
    *geoportal_urls.pwa_patterns,
    # Residents' tracking pages and the staff panel of incident reports.
    path("zgloszenia/", include("incidents.urls")),
    # The geoportal's pages come last: "/<slug>/" catches every other one-segment path.
    *geoportal_urls.page_patterns,
]
# Uploaded media, when Django serves it (DEBUG or SIP_SERVE_MEDIA): images inline, anything
# else as an attachment. Private files are not under MEDIA_ROOT and have no URL at all.
MEDIA_PREFIX = re.escape(settings.MEDIA_URL.lstrip("/"))
urlpatterns += [re_path(rf"^{MEDIA_PREFIX}(?P<path>.*)$", media.serve_media)]

handler404 = "sip.api.not_found"
handler500 = "sip.api.server_error"
