"""Pages of comments on draft plans: the public page of an inspection (form and the public
list), the planner's table and map with decisions, and the exports of the wykaz uwag."""

from __future__ import annotations

import json

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from sip import tenancy

from ..models import PlanComment, PlanInspection
from . import exports, selectors, services


class CommentForm(forms.Form):
    author = forms.CharField(label="Imię i nazwisko albo nazwa organizacji", max_length=200)
    address = forms.CharField(label="Adres do korespondencji", max_length=300)
    email = forms.EmailField(label="E-mail (jeśli masz)", required=False)
    holds_land = forms.BooleanField(
        label="Jestem właścicielem lub posiadaczem nieruchomości, której dotyczy uwaga", required=False
    )
    parcel_identifier = forms.CharField(
        label="Działka (identyfikator EGiB, np. 020101_1.0001.123/4)", max_length=40, required=False
    )
    geometry = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100_000)
    text = forms.CharField(
        label="Treść uwagi", widget=forms.Textarea(attrs={"rows": 6}), max_length=services.MAX_TEXT
    )

    def clean_geometry(self):
        raw = self.cleaned_data.get("geometry", "").strip()
        if not raw:
            return None
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError
            geom = GEOSGeometry(json.dumps(data))
        except (ValueError, TypeError, GEOSException, Exception):  # noqa: BLE001 - GDAL's errors vary
            raise ValidationError("Nieprawidłowe miejsce na mapie; zaznacz je ponownie.") from None
        geom.srid = 4326
        return geom


def _inspection(pk: int) -> PlanInspection:
    return get_object_or_404(PlanInspection.objects.select_related("gmina", "plan"), pk=pk)


def public(request, pk: int):
    inspection = _inspection(pk)
    form = CommentForm(request.POST or None)
    submitted = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                submitted = services.submit_comment(
                    inspection=inspection,
                    author=data["author"],
                    address=data["address"],
                    email=data["email"],
                    holds_land=data["holds_land"],
                    text=data["text"],
                    parcel_identifier=data["parcel_identifier"],
                    geom=data["geometry"],
                )
            except services.InspectionClosed as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
                for field, messages in errors.items():
                    form.add_error(field if field in form.fields else None, messages)
        if submitted is None:
            status = 400
        else:
            form = CommentForm()
    return render(
        request,
        "participation/inspection.html",
        {
            "inspection": inspection,
            "state": inspection.state(),
            "form": form,
            "submitted": submitted,
            "public_comments": selectors.public_comments(inspection),
            "map": {"outline": selectors.plan_outline(inspection)},
        },
        status=status,
    )


def _staff_inspection(request, pk: int, perm: str = "participation.view_plancomment") -> PlanInspection:
    inspection = _inspection(pk)
    if not tenancy.can(request.user, perm, inspection.gmina_id):
        raise PermissionDenied("Uwagi do tego projektu planu rozpatrują planiści jego gminy.")
    return inspection


def _render_staff(request, inspection: PlanInspection, *, error: str = "", status: int = 200):
    return render(
        request,
        "participation/inspection_staff.html",
        {
            "inspection": inspection,
            "comments": selectors.staff_comments(inspection),
            "decisions": [d for d in PlanComment.Decision.choices if d[0] != "pending"],
            "map": {
                "outline": selectors.plan_outline(inspection),
                "comments": selectors.staff_features(inspection),
            },
            "can_decide": tenancy.can(request.user, "participation.change_plancomment", inspection.gmina_id),
            "error": error,
        },
        status=status,
    )


@login_required
def staff(request, pk: int):
    return _render_staff(request, _staff_inspection(request, pk))


@login_required
@require_POST
def decide(request, pk: int, number: int):
    inspection = _staff_inspection(request, pk, "participation.change_plancomment")
    comment = inspection.comments.filter(number=number).first()
    if comment is None:
        raise Http404("Nie ma takiej uwagi.")
    try:
        services.decide(
            actor=request.user,
            comment=comment,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        return _render_staff(
            request, inspection, error=f"Uwaga nr {number}: {' '.join(exc.messages)}", status=400
        )
    return redirect("participation:inspection-staff", pk=inspection.pk)


@login_required
def export(request, pk: int, fmt: str):
    inspection = _staff_inspection(request, pk)
    stem = f"wykaz-uwag-{inspection.pk}"
    if fmt == "xlsx":
        content, ctype = (
            exports.wykaz_xlsx(inspection),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt == "pdf":
        content, ctype = exports.wykaz_pdf(inspection), "application/pdf"
    else:
        raise Http404("Nieznany format eksportu.")
    response = HttpResponse(content, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response
