"""The public API of the cemeteries, mounted at /api/cemetery/ by the root URLconf."""

from django.urls import path

from . import api

urlpatterns = [
    path("graves/", api.GraveSearchView.as_view(), name="cemetery-grave-search"),
    path("burials/", api.BurialSearchView.as_view(), name="cemetery-burial-search"),
    path("graves/<str:grave_id>/", api.GraveDetailView.as_view(), name="cemetery-grave-detail"),
    path("graves/<str:grave_id>/route/", api.GraveRouteView.as_view(), name="cemetery-grave-route"),
    path("cemeteries/", api.CemeteryListView.as_view(), name="cemetery-list-api"),
    path("cemeteries/<slug:slug>/map/", api.CemeteryMapView.as_view(), name="cemetery-map-api"),
    path(
        "cemeteries/<slug:slug>/offline/",
        api.CemeteryOfflineView.as_view(),
        name="cemetery-offline-api",
    ),
]
