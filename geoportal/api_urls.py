"""The geoportal's API, mounted at /api/geoportal/ by the root URLconf."""

from django.urls import path

from . import api, pwa

urlpatterns = [
    path("search/", api.SearchView.as_view(), name="geoportal-search"),
    path("print/", api.PrintView.as_view(), name="geoportal-print"),
    path("offline/cemeteries/<slug:slug>/", pwa.cemetery_download_size, name="offline-cemetery-size"),
]
