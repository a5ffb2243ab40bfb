"""API of consultations (under /api/participation/)."""

from django.urls import path

from .consultations import api

urlpatterns = [
    path("consultations/", api.ConsultationListView.as_view(), name="consultation-list"),
    path("consultations/<int:pk>/", api.ConsultationDetailView.as_view(), name="consultation-detail"),
    path(
        "consultations/<int:pk>/responses/", api.ResponseCreateView.as_view(), name="consultation-responses"
    ),
    path("consultations/<int:pk>/codes/", api.CodeRequestView.as_view(), name="consultation-codes"),
    path("consultations/<int:pk>/results/", api.ResultsView.as_view(), name="consultation-results"),
]
