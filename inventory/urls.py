"""Staff pages of the registers under /rejestry/ (the API is inventory/api_urls.py, mounted at
/api/inventory/ by the root URLconf)."""

from django.urls import path

from . import import_views, views

app_name = "inventory"

urlpatterns = [
    path("rejestry/<slug:gmina>/", views.index, name="index"),
    path("rejestry/<slug:gmina>/przeglady/", views.overdue, name="overdue"),
    path("rejestry/<slug:gmina>/obwody/", views.circuits, name="circuits"),
    path("rejestry/<slug:gmina>/<slug:register>/", views.register_table, name="table"),
    path("rejestry/<slug:gmina>/<slug:register>/nowy/", views.item_edit, name="add"),
    path("rejestry/<slug:gmina>/<slug:register>/import/", import_views.upload, name="import"),
    path(
        "rejestry/<slug:gmina>/<slug:register>/import/podglad/", import_views.preview, name="import-preview"
    ),
    path(
        "rejestry/<slug:gmina>/<slug:register>/import/odrzucone/", import_views.errors, name="import-errors"
    ),
    path("rejestry/<slug:gmina>/<slug:register>/eksport/<slug:fmt>/", views.export, name="export"),
    path("rejestry/<slug:gmina>/<slug:register>/<int:pk>/", views.item_edit, name="item"),
    path("rejestry/<slug:gmina>/<slug:register>/<int:pk>/przeglad/", views.item_inspect, name="inspect"),
    path("rejestry/<slug:gmina>/<slug:register>/<int:pk>/usun/", views.item_delete, name="delete"),
]
