"""Pages of reporting: the query builder under /raporty/, statistics under /statystyki/ (the API
is reporting/api_urls.py, mounted at /api/reporting/ by the root URLconf)."""

from django.urls import path

from . import views

urlpatterns = [
    path("raporty/", views.builder, name="reporting-builder"),
    path("raporty/wynik/", views.result, name="reporting-result"),
    path("raporty/eksport/<str:fmt>/", views.export, name="reporting-export"),
    path("raporty/zapisz/", views.save, name="reporting-save"),
    path("raporty/zapytania/<int:pk>/", views.saved, name="reporting-saved"),
    path("raporty/zapytania/<int:pk>/publikuj/", views.publish, name="reporting-publish"),
    path("statystyki/", views.statistics_index, name="statistics"),
    path("statystyki/<slug:slug>/", views.statistics_detail, name="statistics-detail"),
    path("statystyki/<slug:slug>/wykres.<str:fmt>", views.statistics_chart, name="statistics-chart"),
]
