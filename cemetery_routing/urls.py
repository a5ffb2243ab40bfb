"""Cemetery routes: the public API under /api/cemetery/ and public pages under /cmentarze/."""

from django.urls import path

from . import api, views

urlpatterns = [
    path("api/cemetery/graves/", api.GraveSearchView.as_view(), name="cemetery-grave-search"),
    path("api/cemetery/burials/", api.BurialSearchView.as_view(), name="cemetery-burial-search"),
    path("api/cemetery/graves/<str:grave_id>/", api.GraveDetailView.as_view(), name="cemetery-grave-detail"),
    path(
        "api/cemetery/graves/<str:grave_id>/route/", api.GraveRouteView.as_view(), name="cemetery-grave-route"
    ),
    path("api/cemetery/cemeteries/", api.CemeteryListView.as_view(), name="cemetery-list-api"),
    path("api/cemetery/cemeteries/<slug:slug>/map/", api.CemeteryMapView.as_view(), name="cemetery-map-api"),
    path(
        "api/cemetery/cemeteries/<slug:slug>/offline/",
        api.CemeteryOfflineView.as_view(),
        name="cemetery-offline-api",
    ),
    path("cmentarze/", views.cemetery_index, name="cemetery-index"),
    path("cmentarze/grob/<int:grave_id>/", views.grave_card, name="cemetery-grave-card"),
    path("cmentarze/<slug:slug>/", views.cemetery_page, name="cemetery-page"),
]
