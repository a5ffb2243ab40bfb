"""Pages of the incident reports under /zgloszenia/: the staff panel and the resident's
tracking page (the REST API is under /api/incidents/, Open311 under /open311/v2/)."""

from django.urls import path

from . import views

app_name = "incidents"

urlpatterns = [
    path("panel/", views.panel, name="panel"),
    path("panel/zalegle/", views.overdue, name="overdue"),
    path("panel/<int:pk>/", views.panel_report, name="panel-report"),
    # The token is secrets.token_urlsafe: letters, digits, "-" and "_".
    path("<slug:token>/", views.track, name="track"),
]
