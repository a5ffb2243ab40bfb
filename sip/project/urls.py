"""The root URLconf (settings.ROOT_URLCONF): every app's pages, the REST API under /api/, the OGC
services under /ows/."""

import re
from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.http import FileResponse, HttpResponsePermanentRedirect
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_control
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from geoportal import urls as geoportal_urls
from sip import media
from sip.backup.views import backup_status_view

admin.site.site_header = "SIP – administracja"
admin.site.site_title = "SIP"
admin.site.index_title = "System informacji przestrzennej gmin partnerskich"

FAVICON = Path(__file__).resolve().parent.parent / "static" / "sip" / "favicon.ico"


@cache_control(max_age=86400, public=True)
def favicon(request):
    """/favicon.ico, which browsers ask for on every page that names no icon."""
    return FileResponse(FAVICON.open("rb"), content_type="image/x-icon")


# The REST API: every app's under /api/<app>/, mounted here and nowhere else. The core's parcel
# endpoints stay at the root of /api/ (/api/parcels/, a stable interface).
API_MOUNTS = {
    "": "sip.api.urls",
    "planning/": "planning.api_urls",
    "cemetery/": "cemetery_routing.api_urls",
    "inventory/": "inventory.api_urls",
    "incidents/": "incidents.api_urls",
    "participation/": "participation.api_urls",
    "reporting/": "reporting.api_urls",
    "geoportal/": "geoportal.api_urls",
}
# The geoportal's API was at the root of /api/ before it had its own mount; the old addresses
# answer 308 (method and body kept) to the new ones, for bookmarks and clients of that time.
OLD_GEOPORTAL_API = [
    ("search/", "geoportal-search"),
    ("print/", "geoportal-print"),
    ("offline/cemeteries/<slug:slug>/", "offline-cemetery-size"),
]


class MovedTo(RedirectView):
    """308 to the named URL with the query string: the method and body are kept (POST too)."""

    permanent = True
    query_string = True

    def get(self, request, *args, **kwargs):
        # Behind a proxy that mounts SIP under a path, the new address carries that path too
        # (reverse() writes it while the request is answered: sip.urls_public.answering).
        url = self.get_redirect_url(*args, **kwargs)
        return HttpResponsePermanentRedirect(url, preserve_request=True)


api_patterns = [
    *(path(prefix, include(module)) for prefix, module in API_MOUNTS.items()),
    *(path(old, MovedTo.as_view(pattern_name=name)) for old, name in OLD_GEOPORTAL_API),
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
    path("api/", include(api_patterns)),
    path("open311/v2/", include("incidents.open311.urls")),
    path("ows/", include("layers.urls")),
    path("", include("inventory.urls")),
    path("", include("planning.urls")),
    path("", include("cemetery_routing.urls")),
    path("", include("participation.urls")),
    path("", include("reporting.urls")),
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
