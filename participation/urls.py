"""Pages of participation: each part has its own module with its own path prefix."""

from django.urls import include, path

app_name = "participation"

urlpatterns = [
    path("", include("participation.budget_urls")),
    path("", include("participation.consultation_urls")),
]
