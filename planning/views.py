"""Pages of planning: the planner's register and application form, PDFs, public verification."""

from __future__ import annotations

import hashlib

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from sip import tenancy
from sip.storage import private_file_response
from sip.text import plain_int

from . import selectors, services
from .extracts.register import register_workbook
from .forms import ExtractApplicationForm
from .models import ExtractCase, IssuedDocument


def _scoped_gmina_ids(user):
    return list(tenancy.scoped_gminas(user).values_list("pk", flat=True))


def _require_register_access(request):
    if not request.user.has_perm("planning.view_extractcase") or not _scoped_gmina_ids(request.user):
        raise PermissionDenied("Rejestr wypisów i wyrysów jest dostępny dla planistów gminy.")


def _filters(request) -> dict:
    year = request.GET.get("rok", "")
    return {
        "query": request.GET.get("q", "").strip(),
        "year": plain_int(year, max_digits=4),
        "kind": request.GET.get("rodzaj", "")
        if request.GET.get("rodzaj", "") in ExtractCase.Kind.values
        else "",
    }


@login_required
def register(request):
    _require_register_access(request)
    filters = _filters(request)
    cases = selectors.extract_register(_scoped_gmina_ids(request.user), **filters)
    return render(
        request,
        "planning/register.html",
        {
            "cases": cases[:200],
            "total": cases.count(),
            "filters": filters,
            "kinds": ExtractCase.Kind.choices,
            "querystring": request.GET.urlencode(),
        },
    )


@login_required
def register_xlsx(request):
    _require_register_access(request)
    cases = selectors.extract_register(_scoped_gmina_ids(request.user), **_filters(request))
    content = register_workbook(cases)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="rejestr-wypisow-{timezone.localdate():%Y%m%d}.xlsx"'
    )
    return response


@login_required
def new_case(request):
    if not request.user.has_perm("planning.add_extractcase"):
        raise PermissionDenied("Wypisy i wyrysy wydaje planista gminy.")
    # The geoportal's "issue an extract" button opens this page with ?parcels=<identifier>.
    initial = {"application_date": timezone.localdate(), "parcels": request.GET.get("parcels", "")}
    form = ExtractApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case, _document = services.issue_extract(
                actor=request.user,
                parcel_identifiers=form.cleaned_data["parcels"],
                kind=form.cleaned_data["kind"],
                applicant=form.cleaned_data["applicant"],
                applicant_address=form.cleaned_data["applicant_address"],
                application_date=form.cleaned_data["application_date"],
                purpose=form.cleaned_data["purpose"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            for message in messages:
                form.add_error(None, message)
        else:
            return redirect("planning:case-detail", pk=case.pk)
    return render(request, "planning/new_case.html", {"form": form})


def _case_for(request, pk, perm: str = "planning.view_extractcase") -> ExtractCase:
    case = get_object_or_404(ExtractCase.objects.select_related("gmina", "created_by"), pk=pk)
    if not tenancy.can(request.user, perm, case.gmina_id):
        raise PermissionDenied("Nie masz uprawnień do tej sprawy.")
    return case


@login_required
def case_detail(request, pk: int):
    case = _case_for(request, pk)
    return render(
        request,
        "planning/case_detail.html",
        {"case": case, "documents": case.documents.order_by("-version"), "parcels": case.parcel_identifiers},
    )


@login_required
@require_POST
def reissue(request, pk: int):
    # Issuing is the planner's (not every reader's): the page asks for it before the service does.
    case = _case_for(request, pk, "planning.add_issueddocument")
    services.reissue_extract(actor=request.user, case=case)
    return redirect("planning:case-detail", pk=case.pk)


@login_required
def document_pdf(request, pk: int):
    document = get_object_or_404(IssuedDocument.objects.select_related("case"), pk=pk)
    if not tenancy.can(request.user, "planning.view_extractcase", document.case.gmina_id):
        raise PermissionDenied("Ten dokument należy do innej gminy.")
    filename = f"{document.case.case_number}-v{document.version}.pdf"
    return private_file_response(
        document.file, filename=filename, content_type="application/pdf", as_attachment=False
    )


def verify(request, token: str):
    """Public: confirms case number, date, parcels and hash of an issued PDF, no personal data."""
    document = IssuedDocument.objects.select_related("case", "case__gmina").filter(token=token).first()
    if document is None:
        raise Http404("Nie znaleziono dokumentu o tym kodzie weryfikacji.")
    latest = document.case.documents.order_by("-version").first()
    checked = None
    if request.method == "POST" and request.FILES.get("plik"):
        digest = hashlib.sha256()
        for chunk in request.FILES["plik"].chunks():
            digest.update(chunk)
        checked = digest.hexdigest() == document.sha256
    return render(
        request,
        "planning/verify.html",
        {"document": document, "case": document.case, "latest": latest, "checked": checked},
    )
