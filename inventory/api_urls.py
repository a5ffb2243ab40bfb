"""The API of the registers, mounted at /api/inventory/ by the root URLconf."""

from django.urls import path

from . import api

app_name = "inventory-api"

urlpatterns = [
    path("lighting/circuits/", api.CircuitTotalsView.as_view(), name="api-circuits"),
    path("inspections/overdue/", api.OverdueInspectionsView.as_view(), name="api-overdue"),
    path("<slug:register>/", api.RegisterListView.as_view(), name="api-list"),
    path("<slug:register>/<int:pk>/", api.RegisterItemView.as_view(), name="api-item"),
]
