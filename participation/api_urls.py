"""API of participation, mounted at /api/participation/; each part has its own module."""

from django.urls import include, path

app_name = "participation-api"

urlpatterns = [
    path("", include("participation.budget_api_urls")),
    path("", include("participation.consultation_api_urls")),
]
