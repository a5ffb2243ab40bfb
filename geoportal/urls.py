"""Pages of the geoportal (the API is geoportal/api_urls.py, mounted at /api/geoportal/ by the
root URLconf)."""

from django.urls import path

from . import pwa, views

# The resident app (PWA); in sip/project/urls.py before the pages, as "offline/" is also a slug.
pwa_patterns = [
    path("manifest.webmanifest", pwa.manifest, name="pwa-manifest"),
    path("sw.js", pwa.service_worker, name="pwa-service-worker"),
    path("offline/", pwa.offline_page, name="pwa-offline"),
    path("offline/grob/", pwa.offline_grave, name="pwa-offline-grave"),
]

# Last in sip/project/urls.py: "/<slug>/" catches every other one-segment path.
page_patterns = [
    path("", views.home, name="home"),
    path("<slug:slug>/", views.portal, name="gmina-portal"),
]
