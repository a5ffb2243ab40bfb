"""Pages of the participatory budget: the residents' page of an edition (projects, map, the ballot
on a phone, results after the close) and the staff pages (verification of projects, paper
ballots), the latter only for staff of the edition's gmina."""

from __future__ import annotations

import datetime
import json

from django.contrib.auth.views import redirect_to_login
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from sip import tenancy
from sip.text import plain_int

from ..models import BudgetDistrict, BudgetEdition, BudgetProject
from . import selectors, services
from .api import results_csv as results_csv_text

PROJECT_LAYER = "budzet-obywatelski-projekty"
PERSON_FIELDS = ("pesel", "identifier", "first_name", "last_name", "address", "birth_date", "email", "code")


def _frame(request) -> dict:
    """The page frame's texts (these pages are Polish)."""
    return {
        "ui": {"menu": "Menu", "language": "English", "panel": "Panel", "login": "Zaloguj się"},
        "language": "pl",
    }


def _edition(pk: int) -> BudgetEdition:
    return get_object_or_404(BudgetEdition.objects.select_related("gmina"), pk=pk)


def _zl(amount) -> str:
    return f"{amount:,.0f}".replace(",", "\u00a0") + "\u00a0zł"


def index(request):
    rows = [(e, selectors.PHASES[selectors.phase(e)]) for e in selectors.editions()]
    return render(request, "participation/budget/index.html", {**_frame(request), "editions": rows})


def _map_data(edition: BudgetEdition, winners: set[int] | None = None) -> dict:
    projects = selectors.ballot_projects(edition).annotate(
        geojson=AsGeoJSON(Transform("location", 4326), precision=6)
    )
    districts = BudgetDistrict.objects.filter(edition=edition).annotate(
        geojson=AsGeoJSON(Transform("area", 4326), precision=6)
    )
    return {
        "layer": PROJECT_LAYER,
        "projects": [
            {
                "id": p.pk,
                "title": p.title,
                "cost": _zl(p.cost),
                "geometry": json.loads(p.geojson),
                "won": winners is not None and p.pk in winners,
            }
            for p in projects
        ],
        "districts": [{"name": d.name, "geometry": json.loads(d.geojson)} for d in districts],
        "boundary": json.loads(
            BudgetEdition.objects.filter(pk=edition.pk)
            .annotate(b=AsGeoJSON(Transform("gmina__boundary", 4326), precision=5))
            .values_list("b", flat=True)
            .get()
        ),
    }


def _person_fields(post) -> dict:
    fields = {name: post.get(name, "")[:260] for name in PERSON_FIELDS}
    fields["parent_consent"] = post.get("parent_consent") == "on"
    try:
        fields["birth_date"] = (
            datetime.date.fromisoformat(fields["birth_date"]) if fields["birth_date"] else None
        )
    except ValueError:
        fields["birth_date"] = "zła data"  # the service asks for a date in RRRR-MM-DD
    return fields


def _chosen(post) -> list[int]:
    return [n for n in (plain_int(v) for v in post.getlist("projects")) if n is not None]


def edition_page(request, pk: int):
    edition = _edition(pk)
    phase = selectors.phase(edition)
    context = {**_frame(request), "edition": edition, "phase": phase, "phase_label": selectors.PHASES[phase]}
    projects = list(selectors.ballot_projects(edition).prefetch_related("photos"))
    context["pools"] = [
        {"label": label, "pool": _zl(pool), "projects": chosen}
        for pool, label, chosen in selectors.pools_of(edition, projects)
        if chosen
    ]
    context["can_vote_online"] = (
        phase == "voting" and edition.verification != BudgetEdition.Verification.PAPER
    )
    status = 200
    if request.method == "POST" and context["can_vote_online"]:
        fields = _person_fields(request.POST)
        chosen = _chosen(request.POST)
        context["chosen"] = set(chosen)
        context["entered"] = {k: v for k, v in fields.items() if k not in ("code", "pesel")}
        try:
            outcome = services.cast_ballot(
                edition=edition, project_ids=chosen, fields=fields, client=request.META.get("REMOTE_ADDR")
            )
        except services.BallotRefused as exc:
            context["error"] = exc.message
            context["entered"]["pesel"] = fields["pesel"] if exc.status != 409 else ""
            status = exc.status
        else:
            if isinstance(outcome, services.CodeSent):
                context["code_sent"] = outcome.message
            else:
                return render(request, "participation/budget/voted.html", {**context}, status=201)
    winners = None
    if phase == "results":
        res = selectors.results(edition)
        services.reseal_ballots(edition=edition)
        context["results"] = res
        winners = {p.id for p in res.projects if p.won}
    context["map_data"] = _map_data(edition, winners)
    return render(request, "participation/budget/edition.html", context, status=status)


def results_csv(request, pk: int):
    edition = _edition(pk)
    try:
        res = selectors.results(edition)
    except selectors.ResultsHidden as exc:
        return HttpResponse(str(exc), status=403, content_type="text/plain; charset=utf-8")
    response = HttpResponse(results_csv_text(res), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="wyniki-budzetu-{edition.pk}.csv"'
    return response


def _staff_edition(request, pk: int, perm: str) -> BudgetEdition:
    edition = _edition(pk)
    tenancy.require(request.user, perm, edition.gmina_id)
    return edition


def staff_page(request, pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    edition = _staff_edition(request, pk, "participation.view_budgetproject")
    error = None
    if request.method == "POST":
        project = BudgetProject.objects.filter(
            edition=edition, pk=plain_int(request.POST.get("project", ""))
        ).first()
        if project is None:
            raise Http404("Nie ma takiego projektu w tej edycji.")
        try:
            services.review_project(
                actor=request.user,
                project=project,
                status=request.POST.get("status", ""),
                reason=request.POST.get("reason", "")[:2000],
            )
        except services.BallotRefused as exc:
            error = exc.message
        else:
            return redirect(reverse("participation:budget-staff", args=[edition.pk]))
    projects = (
        BudgetProject.objects.filter(edition=edition).select_related("district").order_by("status", "title")
    )
    return render(
        request,
        "participation/budget/staff.html",
        {
            **_frame(request),
            "edition": edition,
            "projects": projects,
            "error": error,
            "phase_label": selectors.PHASES[selectors.phase(edition)],
            "can_review": tenancy.can(request.user, "participation.change_budgetproject", edition.gmina_id),
            "can_enter": tenancy.can(request.user, "participation.add_ballot", edition.gmina_id),
        },
        status=400 if error else 200,
    )


def paper_ballot(request, pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    edition = _staff_edition(request, pk, "participation.add_ballot")
    context = {**_frame(request), "edition": edition}
    status = 200
    if request.method == "POST":
        fields = _person_fields(request.POST)
        try:
            services.enter_paper_ballot(
                actor=request.user, edition=edition, project_ids=_chosen(request.POST), fields=fields
            )
        except services.BallotRefused as exc:
            context["error"] = exc.message
            context["chosen"] = set(_chosen(request.POST))
            status = exc.status
        except PermissionDenied:
            raise
        else:
            context["saved"] = "Karta papierowa została zapisana. Można wprowadzić następną."
    context["projects"] = selectors.ballot_projects(edition)
    return render(request, "participation/budget/paper.html", context, status=status)
