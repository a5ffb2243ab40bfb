from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import api, views

admin.site.site_header = "SIP – administracja"
admin.site.site_title = "SIP"
admin.site.index_title = "System informacji przestrzennej gmin partnerskich"

api_patterns = [
    path("parcels/", api.ParcelSearchView.as_view(), name="parcel-search"),
    # The identifier may contain "/" (123/4), so it takes the rest of the path.
    path("parcels/<path:identifier>/", api.ParcelDetailView.as_view(), name="parcel-detail"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    path("", include("cemetery_routing.urls")),
    path("", views.home, name="home"),
    path("<slug:slug>/", views.gmina_portal, name="gmina-portal"),
]
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
