"""Reporting API: the datasets and the query (staff), the published statistics (everyone)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, renderers, serializers
from rest_framework.response import Response

from sip.api import BadRequest, SipAPIView, documented, validated
from sip.models import Gmina
from sip.urls_public import public_url

from . import engine, exports, selectors, services, spatial, tables
from .models import SavedQuery


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else str(data).encode()


class GeoJSONRenderer(renderers.JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


def _staff(request):
    if not selectors.is_reporting_staff(request.user):
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated("Ta czynność wymaga zalogowania.")
        raise exceptions.PermissionDenied("Raporty są dostępne dla pracowników gminy i jednostki centralnej.")


class _Row(serializers.Serializer):
    value = serializers.FloatField(allow_null=True, help_text="liczba (null: ukryta)")
    suppressed = serializers.BooleanField()

    class Meta:
        ref_name = "ReportingRow"


class TableSerializer(serializers.Serializer):
    title = serializers.CharField()
    dataset = serializers.CharField()
    counts_people = serializers.BooleanField()
    k = serializers.IntegerField()
    data_date = serializers.CharField(help_text="kiedy policzono (ISO 8601)")
    dimensions = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(
        child=serializers.DictField(),
        help_text='[{"<wymiar>": wartość, …, "value": liczba lub null, "suppressed": bool}]',
    )
    totals = serializers.ListField(
        child=serializers.DictField(), help_text='jak rows, z "*" w miejscu wymiaru zsumowanego'
    )

    class Meta:
        ref_name = "ReportingTable"


class DatasetListView(SipAPIView):
    class OutputSerializer(serializers.Serializer):
        slug = serializers.CharField()
        title = serializers.CharField()
        dimensions = serializers.ListField(child=serializers.DictField())
        measures = serializers.ListField(child=serializers.DictField())
        personal_fields = serializers.ListField(child=serializers.CharField())
        counts_people = serializers.BooleanField()
        k = serializers.IntegerField()

        class Meta:
            ref_name = "ReportingDataset"

    @extend_schema(
        responses=documented({200: OutputSerializer(many=True)}, 401),
        summary="Zbiory danych dostępne w raportach (pracownicy)",
        operation_id="reporting_datasets",
    )
    def get(self, request):
        _staff(request)
        out = []
        for ds in selectors.datasets_for(request.user):
            dims = [
                {
                    "name": d.name,
                    "label": d.label,
                    "kind": d.kind,
                    "buckets": ["month", "quarter", "year", "decade"] if d.kind == "date" else [],
                }
                for d in ds.dimensions
            ]
            if ds.geometry:
                dims += [
                    {"name": u, "label": label, "kind": "spatial", "buckets": []}
                    for u, label in (("gmina", "gmina"), ("obreb", "obręb"), ("grid_1km", "kwadrat 1 km"))
                ]
            out.append(
                {
                    "slug": ds.slug,
                    "title": ds.title,
                    "dimensions": dims,
                    "measures": [{"name": "count", "label": f"liczba ({ds.unit_label})"}]
                    + [
                        {"name": f"{a}:{m.name}", "label": f"{lab} – {m.label}"}
                        for m in ds.measures
                        for a, lab in (("sum", "suma"), ("avg", "średnia"))
                    ],
                    "personal_fields": list(ds.personal_fields),
                    "counts_people": ds.counts_people,
                    "k": ds.k,
                }
            )
        return Response(self.OutputSerializer(out, many=True).data)


class QueryView(SipAPIView):
    class InputSerializer(serializers.Serializer):
        dataset = serializers.CharField(max_length=50)
        filters = serializers.DictField(required=False, default=dict)
        group_by = serializers.ListField(
            child=serializers.CharField(max_length=80), required=False, default=list, max_length=2
        )
        measure = serializers.CharField(required=False, default="count", max_length=80)

        class Meta:
            ref_name = "ReportingQuery"

    @extend_schema(
        request=InputSerializer,
        responses=documented({200: TableSerializer}, 401),
        summary="Zapytanie do zbioru danych, bez ukrywania małych liczb (pracownicy)",
        operation_id="reporting_query",
    )
    def post(self, request):
        _staff(request)
        data = validated(self.InputSerializer, request.data)
        try:
            _, result = services.run_query(user=request.user, raw=dict(data), channel="api")
        except engine.QueryError as exc:
            raise BadRequest(str(exc)) from None
        return Response(tables.build(result).as_json())


class PublishedListView(SipAPIView):
    class OutputSerializer(serializers.Serializer):
        slug = serializers.CharField()
        title = serializers.CharField()
        dataset = serializers.CharField()
        gminas = serializers.ListField(child=serializers.CharField(), help_text="skróty gmin")
        year_dimension = serializers.CharField()
        url = serializers.CharField()

        class Meta:
            ref_name = "ReportingPublished"

    @extend_schema(
        responses=documented({200: OutputSerializer(many=True)}),
        summary="Opublikowane statystyki",
        operation_id="reporting_published_list",
    )
    def get(self, request):
        out = [
            {
                "slug": q.slug,
                "title": q.name,
                "dataset": q.dataset,
                "gminas": list(selectors.published_gminas(q).values_list("slug", flat=True)),
                "year_dimension": q.year_dimension,
                "url": public_url("reporting-published-detail", args=[q.slug], request=request),
            }
            for q in selectors.published_queries()
        ]
        return Response(self.OutputSerializer(out, many=True).data)


def published_params(saved: SavedQuery, query_params) -> tuple[Gmina, int | None]:
    """The gmina (slug) and year a resident chose, checked against the publication."""
    gminas = selectors.published_gminas(saved)
    slug = query_params.get("gmina")
    gmina = gminas.filter(slug=slug).first() if slug else gminas.first()
    if gmina is None:
        raise Http404("Ta statystyka nie jest publikowana dla tej gminy.")
    year = query_params.get("year")
    if year in (None, ""):
        return gmina, None
    if not saved.year_dimension:
        raise BadRequest("year: ta statystyka nie ma wyboru roku.")
    if not year.isdigit() or not 1800 <= int(year) <= 2200:
        raise BadRequest("year: podaj rok, np. 2025.")
    return gmina, int(year)


def published_or_404(slug: str) -> SavedQuery:
    saved = selectors.published_queries().filter(slug=slug).first()
    if saved is None:
        raise Http404("Nie ma takiej opublikowanej statystyki.")
    return saved


class PublishedDetailView(SipAPIView):
    renderer_classes = [renderers.JSONRenderer, CSVRenderer, GeoJSONRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("gmina", str, description="skrót gminy"),
            OpenApiParameter("year", int, description="rok (gdy statystyka ma wybór roku)"),
            OpenApiParameter("format", str, enum=["json", "csv", "geojson"]),
        ],
        responses=documented(
            {
                (200, "application/json"): TableSerializer,
                (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
                (200, "application/geo+json"): OpenApiResponse(OpenApiTypes.OBJECT),
            },
            404,
        ),
        summary="Opublikowana statystyka: tabela z ukrytymi małymi liczbami",
        operation_id="reporting_published_detail",
    )
    def get(self, request, slug: str):
        saved = published_or_404(slug)
        gmina, year = published_params(saved, request.query_params)
        table = selectors.published_table(saved, gmina=gmina, year=year)
        fmt = request.query_params.get("format", "json")
        if fmt == "csv":
            response = HttpResponse(exports.csv_bytes(table), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
            return response
        if fmt == "geojson":
            if spatial.spatial_dimension(table) is None:
                raise BadRequest("format: ta statystyka nie ma jednostek przestrzennych.")
            return HttpResponse(
                __import__("json").dumps(spatial.geojson(table), ensure_ascii=False),
                content_type="application/geo+json",
            )
        return Response(table.as_json())
