"""Pages of planning: the extract register under /planowanie/ and the public verification
under /verify/ (the API is planning/api_urls.py, mounted at /api/planning/ by the root URLconf)."""

from django.urls import include, path

from . import views

app_name = "planning"

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
    path("planowanie/", include(page_patterns)),
    path("verify/", include(verify_patterns)),
]
