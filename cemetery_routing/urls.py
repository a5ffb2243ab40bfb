"""Public pages of the cemeteries under /cmentarze/ (the API is cemetery_routing/api_urls.py,
mounted at /api/cemetery/ by the root URLconf)."""

from django.urls import path

from . import views

urlpatterns = [
    path("cmentarze/", views.cemetery_index, name="cemetery-index"),
    path("cmentarze/grob/<int:grave_id>/", views.grave_card, name="cemetery-grave-card"),
    path("cmentarze/<slug:slug>/", views.cemetery_page, name="cemetery-page"),
]
