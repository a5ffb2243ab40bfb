"""URLs of Open311 GeoReport v2 (/open311/v2/…): each resource as .json or .xml."""

from django.urls import path, re_path

from . import views

FMT = r"\.(?P<fmt>json|xml)$"

app_name = "open311"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.services_list, name="services"),
    re_path(r"^services/(?P<code>[A-Za-z0-9_-]{1,40})" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.requests_view, name="requests"),
    re_path(r"^requests/(?P<request_id>[A-Za-z0-9_-]{1,30})" + FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[A-Za-z0-9_-]{1,64})" + FMT, views.token_detail, name="token"),
    path("", views.discovery, {"fmt": "xml"}, name="root"),
]
