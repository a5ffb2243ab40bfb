"""API of planning, mounted at /api/planning/ by the root URLconf."""

from django.urls import path

from . import api

app_name = "planning-api"

urlpatterns = [
    path("extracts/", api.ExtractCreateView.as_view(), name="extract-create"),
    # The identifier may contain "/" (123/4): it takes the path up to the last "/zoning/".
    path("parcels/<path:identifier>/zoning/", api.ParcelZoningView.as_view(), name="parcel-zoning"),
]
