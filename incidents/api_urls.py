"""URLs of the incident REST API (/api/incidents/…); the resident and staff pages are in urls.py."""

from django.urls import path

from .api import public, staff

app_name = "incidents-api"

urlpatterns = [
    path("categories/", public.CategoriesView.as_view(), name="categories"),
    path("route/", public.RouteView.as_view(), name="route"),
    path("nearby/", public.NearbyView.as_view(), name="nearby"),
    path("reports/", public.ReportCreateView.as_view(), name="report-create"),
    path("reports/<int:pk>/me-too/", public.MeTooView.as_view(), name="me-too"),
    path("track/<str:token>/", public.TrackView.as_view(), name="track"),
    path("register-object/", public.RegisterObjectView.as_view(), name="register-object"),
    path("inbox/", staff.InboxView.as_view(), name="inbox"),
    path("inbox/<int:pk>/", staff.InboxDetailView.as_view(), name="inbox-detail"),
    path("inbox/<int:pk>/status/", staff.StatusView.as_view(), name="inbox-status"),
    path("inbox/<int:pk>/assign/", staff.AssignView.as_view(), name="inbox-assign"),
    path("inbox/<int:pk>/forward/", staff.ForwardView.as_view(), name="inbox-forward"),
    path("inbox/<int:pk>/merge/", staff.MergeView.as_view(), name="inbox-merge"),
    path("overdue/", staff.OverdueView.as_view(), name="overdue"),
]
