"""REST API of the participatory budget: editions, projects (GeoJSON), ballots, results.

Ballots are cast by residents without an account, so the ballot view lets anonymous writes in;
the service verifies the person by the edition's method and limits failed attempts."""

from __future__ import annotations

import csv
import io
import json

from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from sip.api import (
    ID_SCHEMA,
    SipAPIView,
    SridField,
    collection_serializer,
    documented,
    feature_serializer,
    page_serializer,
    paged_list,
    validated,
)
from sip.models import Gmina
from sip.urls_public import absolute

from ..models import BudgetEdition
from . import selectors, services

EDITION_PARAM = OpenApiParameter("id", ID_SCHEMA, OpenApiParameter.PATH, description="identyfikator edycji")


def _edition(pk: int) -> BudgetEdition:
    if pk > 2**31 - 1:  # beyond the key's integer type: no such edition (and no database error)
        raise Http404("Nie ma takiej edycji budżetu.")
    return get_object_or_404(BudgetEdition.objects.select_related("gmina"), pk=pk)


class DistrictSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text="osiedle albo solectwo")
    pool = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="pula okręgu [zł]")


class EditionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    gmina = serializers.CharField(source="gmina.teryt", help_text="kod TERYT gminy")
    gmina_name = serializers.CharField(source="gmina.name")
    title = serializers.CharField()
    year = serializers.IntegerField()
    phase = serializers.ChoiceField(choices=list(selectors.PHASES), help_text="etap edycji teraz")
    rule = serializers.ChoiceField(choices=["approval", "knapsack"])
    max_projects = serializers.IntegerField(allow_null=True, help_text="przy rule=approval")
    pool = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="pula edycji [zł]")
    submission_start = serializers.DateTimeField()
    submission_end = serializers.DateTimeField()
    voting_start = serializers.DateTimeField()
    voting_end = serializers.DateTimeField()
    verification = serializers.ChoiceField(
        choices=["register", "declaration", "paper"],
        help_text="register: PESEL (albo identyfikator) + imię i nazwisko; declaration: deklaracja "
        "z adresem i kodem z e-maila; paper: tylko karty papierowe",
    )
    identifier_kind = serializers.ChoiceField(choices=["pesel", "other"])
    minors_allowed = serializers.BooleanField()
    districts = DistrictSerializer(many=True)


class EditionListView(SipAPIView):
    """Editions of the participatory budget of every gmina."""

    class InputSerializer(page_serializer(default=50, maximum=200)):
        gmina = serializers.CharField(required=False, max_length=50, help_text="kod TERYT albo skrót gminy")

    class OutputSerializer(serializers.Serializer):
        count = serializers.IntegerField()
        next = serializers.URLField(allow_null=True)
        previous = serializers.URLField(allow_null=True)
        results = EditionSerializer(many=True)

        class Meta:
            ref_name = "BudgetEditionList"

    @extend_schema(
        parameters=[InputSerializer],
        responses=documented({200: OutputSerializer}, 404),
        summary="Edycje budżetu obywatelskiego",
        operation_id="participation_budgets_list",
    )
    def get(self, request):
        params = validated(self.InputSerializer, request.query_params)
        gmina = None
        if params.get("gmina"):
            gmina = (
                Gmina.objects.filter(teryt=params["gmina"]).first()
                or Gmina.objects.filter(slug=params["gmina"]).first()
            )
            if gmina is None:
                raise Http404(f"Nie ma w systemie gminy „{params['gmina']}”.")
        qs = selectors.editions(gmina=gmina).prefetch_related("districts")
        total = qs.count()
        page = list(qs[params["offset"] : params["offset"] + params["limit"]])
        for e in page:
            e.phase = selectors.phase(e)
        body = paged_list(request, page, total=total, limit=params["limit"], offset=params["offset"])
        return Response(self.OutputSerializer(body).data)


class ProjectPropertiesSerializer(serializers.Serializer):
    title = serializers.CharField()
    description = serializers.CharField()
    cost = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="koszt [zł]")
    district = serializers.CharField(
        allow_null=True, help_text="okręg (osiedle, sołectwo); null: ogólnomiejski"
    )
    district_id = serializers.IntegerField(allow_null=True)
    photos = serializers.ListField(child=serializers.CharField(), help_text="adresy zdjęć")

    class Meta:
        ref_name = "BudgetProjectProperties"


ProjectFeatureSerializer = feature_serializer(
    "BudgetProjectFeature", ProjectPropertiesSerializer(), id_help="numer projektu (do karty)"
)


class ProjectListView(SipAPIView):
    """The projects on an edition's ballot as GeoJSON points."""

    class InputSerializer(serializers.Serializer):
        srid = SridField()

    OutputSerializer = collection_serializer("BudgetProjectCollection", ProjectFeatureSerializer, paged=False)

    @extend_schema(
        parameters=[EDITION_PARAM, InputSerializer],
        responses=documented({200: OutputSerializer}, 404),
        summary="Projekty na karcie do głosowania (GeoJSON)",
        operation_id="participation_budget_projects",
    )
    def get(self, request, pk: int):
        edition = _edition(pk)
        srid = validated(self.InputSerializer, request.query_params)["srid"]
        qs = (
            selectors.ballot_projects(edition)
            .prefetch_related("photos")
            .annotate(geojson=AsGeoJSON(Transform("location", srid), precision=6 if srid == 4326 else 2))
        )
        features = [
            {
                "type": "Feature",
                "id": p.pk,
                "geometry": json.loads(p.geojson),
                "properties": {
                    "title": p.title,
                    "description": p.description,
                    "cost": p.cost,
                    "district": p.district.name if p.district else None,
                    "district_id": p.district_id,
                    "photos": [absolute(ph.image.url, request) for ph in p.photos.all()],
                },
            }
            for p in qs
        ]
        out = {"type": "FeatureCollection", "features": features}
        if srid != 4326:
            out["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{srid}"}}
        return Response(self.OutputSerializer(out).data)


class BallotView(SipAPIView):
    """A resident's ballot: the chosen projects and the fields of the edition's verification."""

    # Residents vote without an account: the service verifies the person and limits attempts.
    permission_classes = []

    class InputSerializer(serializers.Serializer):
        projects = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=10**18),
            max_length=200,
            help_text="numery wybranych projektów",
        )
        pesel = serializers.CharField(
            required=False, allow_blank=True, max_length=20, help_text="metoda register"
        )
        identifier = serializers.CharField(
            required=False, allow_blank=True, max_length=40, help_text="metoda register bez PESEL"
        )
        first_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
        last_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
        address = serializers.CharField(
            required=False, allow_blank=True, max_length=250, help_text="declaration"
        )
        birth_date = serializers.DateField(required=False, allow_null=True, help_text="declaration")
        email = serializers.EmailField(
            required=False, allow_blank=True, max_length=254, help_text="declaration"
        )
        code = serializers.CharField(
            required=False, allow_blank=True, max_length=12, help_text="declaration: kod z e-maila"
        )
        parent_consent = serializers.BooleanField(
            required=False, default=False, help_text="zgoda rodzica (osoba niepełnoletnia)"
        )

    class OutputSerializer(serializers.Serializer):
        detail = serializers.CharField()

        class Meta:
            ref_name = "BallotAnswer"

    @extend_schema(
        parameters=[EDITION_PARAM],
        request=InputSerializer,
        responses=documented(
            {
                201: OpenApiResponse(OutputSerializer, description="głos zapisany"),
                202: OpenApiResponse(OutputSerializer, description="wysłano kod na e-mail (declaration)"),
            },
            404,
            409,
            429,
        ),
        summary="Oddanie głosu",
        operation_id="participation_budget_ballot",
        auth=[{}],
    )
    def post(self, request, pk: int):
        edition = _edition(pk)
        data = validated(self.InputSerializer, request.data)
        try:
            outcome = services.cast_ballot(
                edition=edition,
                project_ids=data["projects"],
                fields=data,
                client=request.META.get("REMOTE_ADDR"),
            )
        except services.BallotRefused as exc:
            return Response({"detail": exc.message}, status=exc.status)
        if isinstance(outcome, services.CodeSent):
            return Response({"detail": outcome.message}, status=status.HTTP_202_ACCEPTED)
        return Response({"detail": "Dziękujemy! Głos został zapisany."}, status=status.HTTP_201_CREATED)


class ResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    district = serializers.CharField(allow_null=True)
    cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    votes = serializers.IntegerField()
    won = serializers.BooleanField(help_text="projekt wybrany do realizacji")


class PoolResultSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="pula: projekty ogólnomiejskie albo nazwa okręgu")
    pool = serializers.DecimalField(max_digits=14, decimal_places=2)
    spent = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="koszt zwycięskich projektów")
    projects = ResultSerializer(many=True)


CSV_COLUMNS = ["id", "tytul", "okreg", "koszt_zl", "glosy", "wybrany"]


def results_csv(res: selectors.Results) -> str:
    """The results as CSV text (UTF-8, comma, one row a project)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for p in res.projects:
        writer.writerow(
            [p.id, p.title, p.district or "", f"{p.cost:.2f}", p.votes, "tak" if p.won else "nie"]
        )
    return out.getvalue()


class ResultsView(SipAPIView):
    """Votes per project and the winners; hidden (403) until the voting closes."""

    class InputSerializer(serializers.Serializer):
        output = serializers.ChoiceField(
            choices=["json", "csv"], default="json", help_text="csv: tabela wyników jako plik CSV"
        )

    class OutputSerializer(serializers.Serializer):
        edition = serializers.IntegerField()
        ballots = serializers.IntegerField(help_text="oddane karty")
        online = serializers.IntegerField()
        paper = serializers.IntegerField()
        pools = PoolResultSerializer(many=True)

        class Meta:
            ref_name = "BudgetResults"

    @extend_schema(
        parameters=[EDITION_PARAM, InputSerializer],
        responses=documented({200: OutputSerializer}, 404),
        summary="Wyniki głosowania (po jego zakończeniu)",
        operation_id="participation_budget_results",
    )
    def get(self, request, pk: int):
        edition = _edition(pk)
        params = validated(self.InputSerializer, request.query_params)
        try:
            res = selectors.results(edition)
        except selectors.ResultsHidden as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
        services.reseal_ballots(edition=edition)
        if params["output"] == "csv":
            response = HttpResponse(results_csv(res), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="wyniki-budzetu-{edition.pk}.csv"'
            return response
        data = {
            "edition": edition.pk,
            "ballots": res.ballots,
            "online": res.online,
            "paper": res.paper,
            "pools": [
                {
                    "label": p.label,
                    "pool": p.pool,
                    "spent": p.spent,
                    "projects": [vars(x) for x in p.projects],
                }
                for p in res.pools
            ],
        }
        return Response(self.OutputSerializer(data).data)
