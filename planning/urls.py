from django.urls import include, path

from . import api, views

app_name = "planning"

api_patterns = [
    path("extracts/", api.ExtractCreateView.as_view(), name="extract-create"),
    # The identifier may contain "/" (123/4): it takes the path up to the last "/zoning/".
    path("parcels/<path:identifier>/zoning/", api.ParcelZoningView.as_view(), name="parcel-zoning"),
]

page_patterns = [
    path("", views.register, name="register"),
    path("nowa/", views.new_case, name="new-case"),
    path("sprawa/<int:pk>/", views.case_detail, name="case-detail"),
    path("sprawa/<int:pk>/wydaj/", views.reissue, name="reissue"),
    path("dokument/<int:pk>.pdf", views.document_pdf, name="document-pdf"),
    path("rejestr.xlsx", views.register_xlsx, name="register-xlsx"),
]

verify_patterns = [path("<str:token>", views.verify, name="verify")]

urlpatterns = [
    path("api/planning/", include(api_patterns)),
    path("planowanie/", include(page_patterns)),
    path("verify/", include(verify_patterns)),
]
