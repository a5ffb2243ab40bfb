"""The API of reporting, mounted at /api/reporting/ by the root URLconf."""

from django.urls import path

from . import api

urlpatterns = [
    path("datasets/", api.DatasetListView.as_view(), name="reporting-datasets"),
    path("query/", api.QueryView.as_view(), name="reporting-query"),
    path("published/", api.PublishedListView.as_view(), name="reporting-published"),
    path(
        "published/<slug:slug>/",
        api.PublishedDetailView.as_view(),
        name="reporting-published-detail",
    ),
]
