"""API of the participatory budget (under /api/participation/)."""

from django.urls import path

from .budget import api

urlpatterns = [
    path("budgets/", api.EditionListView.as_view(), name="budget-list"),
    path("budgets/<int:pk>/projects/", api.ProjectListView.as_view(), name="budget-projects"),
    path("budgets/<int:pk>/ballots/", api.BallotView.as_view(), name="budget-ballots"),
    path("budgets/<int:pk>/results/", api.ResultsView.as_view(), name="budget-results"),
]
