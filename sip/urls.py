from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from geoportal import urls as geoportal_urls

from . import api

admin.site.site_header = "SIP – administracja"
admin.site.site_title = "SIP"
admin.site.index_title = "System informacji przestrzennej gmin partnerskich"

api_patterns = [
    path("parcels/", api.ParcelSearchView.as_view(), name="parcel-search"),
    # The identifier may contain "/" (123/4), so it takes the rest of the path.
    path("parcels/<path:identifier>/", api.ParcelDetailView.as_view(), name="parcel-detail"),
    *geoportal_urls.api_patterns,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("inventory.urls")),
    path("api/", include(api_patterns)),
    path("ows/", include("layers.urls")),
    path("", include("planning.urls")),
    path("", include("cemetery_routing.urls")),
    # The geoportal's pages come last: "/<slug>/" catches every other one-segment path.
    *geoportal_urls.page_patterns,
]
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
