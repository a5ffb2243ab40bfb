"""The core's API, at the root of /api/ (the parcel endpoints predate the per-app mounts and are
a stable interface)."""

from django.urls import path

from . import ParcelDetailView, ParcelSearchView

urlpatterns = [
    path("parcels/", ParcelSearchView.as_view(), name="parcel-search"),
    # The identifier may contain "/" (123/4), so it takes the rest of the path.
    path("parcels/<path:identifier>/", ParcelDetailView.as_view(), name="parcel-detail"),
]
