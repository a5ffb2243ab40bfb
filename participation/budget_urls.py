"""Pages of the participatory budget, under /budzet/."""

from django.urls import path

from .budget import views

urlpatterns = [
    path("budzet/", views.index, name="budget-index"),
    path("budzet/<int:pk>/", views.edition_page, name="budget-edition"),
    path("budzet/<int:pk>/wyniki.csv", views.results_csv, name="budget-results-csv"),
    path("budzet/<int:pk>/urzad/", views.staff_page, name="budget-staff"),
    path("budzet/<int:pk>/urzad/karta/", views.paper_ballot, name="budget-paper"),
]
