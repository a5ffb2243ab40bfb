from django.urls import path

from . import api, views

api_patterns = [
    path("search/", api.SearchView.as_view(), name="geoportal-search"),
    path("print/", api.PrintView.as_view(), name="geoportal-print"),
]

# Last in sip/urls.py: "/<slug>/" catches every other one-segment path.
page_patterns = [
    path("", views.home, name="home"),
    path("<slug:slug>/", views.portal, name="gmina-portal"),
]
