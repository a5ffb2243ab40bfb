"""The URLconf of anonymous OGC requests on the short way (layers.ogc.tiles): the project's
/ows/ routes and error handlers only, so that a tile is resolved at the first pattern instead of
after every app's pages. Nothing answered on that way reverses another app's URL."""

from django.urls import include, path

urlpatterns = [path("ows/", include("layers.urls"))]

handler404 = "sip.api.not_found"
handler500 = "sip.api.server_error"
