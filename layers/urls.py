from django.urls import path

from .ogc import views

urlpatterns = [
    path("wms", views.wms_view, name="ows-wms"),
    path("wfs", views.wfs_view, name="ows-wfs"),
    path("layers", views.layer_list, name="ows-layers"),
]
