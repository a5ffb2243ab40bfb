"""Pages of consultations and comments on draft plans, under /konsultacje/."""

from django.urls import path

from .comments import views as comment_views
from .consultations import views

urlpatterns = [
    path("konsultacje/", views.index, name="consultations"),
    path("konsultacje/<int:pk>/", views.survey, name="consultation"),
    path("konsultacje/<int:pk>/wyniki/", views.results, name="consultation-results"),
    path("konsultacje/<int:pk>/eksport.<str:fmt>", views.export, name="consultation-export"),
    path("konsultacje/wylozenia/<int:pk>/", comment_views.public, name="inspection"),
    path("konsultacje/wylozenia/<int:pk>/uwagi/", comment_views.staff, name="inspection-staff"),
    path(
        "konsultacje/wylozenia/<int:pk>/uwagi/<int:number>/rozstrzygnij/",
        comment_views.decide,
        name="inspection-decide",
    ),
    path(
        "konsultacje/wylozenia/<int:pk>/wykaz-uwag.<str:fmt>", comment_views.export, name="inspection-export"
    ),
]
