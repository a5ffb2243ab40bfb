from django.urls import path

from . import api, views

api_patterns = [
    path("reporting/datasets/", api.DatasetListView.as_view(), name="reporting-datasets"),
    path("reporting/query/", api.QueryView.as_view(), name="reporting-query"),
    path("reporting/published/", api.PublishedListView.as_view(), name="reporting-published"),
    path(
        "reporting/published/<slug:slug>/",
        api.PublishedDetailView.as_view(),
        name="reporting-published-detail",
    ),
]

page_patterns = [
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
