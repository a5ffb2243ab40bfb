"""URLs of the registers: the API under /api/inventory/ and staff pages under /rejestry/."""

from django.urls import path

from . import api

app_name = "inventory"

urlpatterns = [
    path("api/inventory/lighting/circuits/", api.CircuitTotalsView.as_view(), name="api-circuits"),
    path("api/inventory/inspections/overdue/", api.OverdueInspectionsView.as_view(), name="api-overdue"),
    path("api/inventory/<slug:register>/", api.RegisterListView.as_view(), name="api-list"),
    path("api/inventory/<slug:register>/<int:pk>/", api.RegisterItemView.as_view(), name="api-item"),
]
