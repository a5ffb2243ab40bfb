"""Staff query builder (/raporty/) and residents' published statistics (/statystyki/)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from sip.api import BadRequest

from . import charts, engine, exports, labels, selectors, services, spatial, tables
from .api import published_or_404, published_params

LOGIN = "/admin/login/"


def query_from_get(get) -> dict:
    """The builder's form (GET) as a query: dataset, g (up to two), measure, f=<dim>=<v1,v2>."""
    filters: dict = {}
    for i in (1, 2):
        dim, value = get.get(f"fd{i}", ""), get.get(f"fv{i}", "").strip()
        if dim and value:
            filters[dim] = [v.strip() for v in value.split(",") if v.strip()]
    return {
        "dataset": get.get("dataset", ""),
        "group_by": [g for g in (get.get("g1", ""), get.get("g2", "")) if g],
        "measure": get.get("measure") or "count",
        "filters": filters,
    }


def get_from_params(params: dict) -> str:
    """A saved query's parameters as the builder's form (GET)."""
    out = {"dataset": params["dataset"], "measure": params.get("measure", "count")}
    for i, g in enumerate(params.get("group_by", [])[:2], start=1):
        out[f"g{i}"] = g
    i = 1
    for dim, value in (params.get("filters") or {}).items():
        if dim == "area" or i > 2:
            continue
        values = value if isinstance(value, list) else [value]
        out[f"fd{i}"], out[f"fv{i}"] = dim, ",".join(str(v) for v in values)
        i += 1
    return urlencode(out)


def _run(request, channel: str, saved=None, get=None):
    raw = query_from_get(request.GET if get is None else get)
    query, result = services.run_query(user=request.user, raw=raw, channel=channel, saved_query=saved)
    table = tables.build(result)
    return query, table


def _names(query, table):
    ds = query.dataset
    dim_labels = labels.dimension_labels(ds, [k.label for k in query.group_by])
    keys = [e.key for e in [*table.rows, *table.totals]]
    return dim_labels, labels.value_labels(ds, table.dimensions, keys)


def table_context(table, dim_labels, value_labels):
    """Rows of the table for a template: the same texts as the CSV."""
    name = exports._names(value_labels)
    return {
        "headers": [dim_labels.get(d, d) for d in table.dimensions],
        "lines": [
            {
                "cells": [name(d, v) for d, v in zip(table.dimensions, e.key, strict=True)],
                "value": table.display(e),
                "suppressed": e.suppressed,
                "total": "*" in e.key,
            }
            for e in [*table.rows, *table.totals]
        ],
    }


def _sorted(table, order: str):
    if order == "value_desc":
        table.rows.sort(key=lambda e: (e.value is None, -(e.value or 0)))
    elif order == "value_asc":
        table.rows.sort(key=lambda e: (e.value is None, e.value or 0))
    return table


@login_required(login_url=LOGIN)
def builder(request):
    return _builder(request, request.GET)


def _builder(request, get, *, status: int = 200, extra: dict | None = None):
    """The builder page for the query in `get` (the page's own parameters), run when asked."""
    if not selectors.is_reporting_staff(request.user):
        raise PermissionDenied("Raporty są dostępne dla pracowników gminy i jednostki centralnej.")
    available = selectors.datasets_for(request.user)
    ctx = {
        "datasets": available,
        "saved": selectors.saved_queries_for(request.user),
        "get": get,
        "can_publish": request.user.has_perm("reporting.publish_savedquery"),
        **(extra or {}),
    }
    slug = get.get("dataset")
    ds = next((d for d in available if d.slug == slug), None)
    if ds is not None:
        ctx["dataset"] = ds
        ctx["spatial_units"] = (
            [("gmina", "gmina"), ("obreb", "obręb"), ("grid_1km", "kwadrat 1 km")] if ds.geometry else []
        )
    if ds is not None and get.get("run"):
        try:
            saved = None
            if get.get("saved"):
                saved = selectors.saved_queries_for(request.user).filter(pk=get.get("saved")).first()
            query, table = _run(request, "saved" if saved else "builder", saved, get)
        except engine.QueryError as exc:
            ctx["error"] = str(exc)
            return render(request, "reporting/builder.html", ctx, status=400)
        _sorted(table, get.get("order", ""))
        dim_labels, value_labels = _names(query, table)
        params = get.urlencode()
        ctx.update(
            {
                "table": table,
                **table_context(table, dim_labels, value_labels),
                "params": params,
                "has_map": spatial.spatial_dimension(table) is not None,
                "query_json": json.dumps(query.params(), ensure_ascii=False),
            }
        )
    return render(request, "reporting/builder.html", ctx, status=status)


@login_required(login_url=LOGIN)
def result(request):
    return redirect(f"/raporty/?{request.GET.urlencode()}")


@login_required(login_url=LOGIN)
def export(request, fmt: str):
    if fmt not in ("csv", "xlsx", "geojson", "gpkg", "png", "svg"):
        raise Http404("Nieznany format.")
    if not selectors.is_reporting_staff(request.user):
        raise PermissionDenied("Raporty są dostępne dla pracowników gminy i jednostki centralnej.")
    try:
        query, table = _run(request, "export")
    except engine.QueryError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    _sorted(table, request.GET.get("order", ""))
    dim_labels, value_labels = _names(query, table)
    name = f"raport-{query.dataset.slug}"
    if fmt in ("geojson", "gpkg") and spatial.spatial_dimension(table) is None:
        return HttpResponseBadRequest(
            "Mapa wymaga grupowania według jednostki przestrzennej.", content_type="text/plain; charset=utf-8"
        )
    if fmt == "csv":
        body, ctype = exports.csv_bytes(table, dim_labels, value_labels), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body = exports.xlsx_bytes(table, dim_labels, value_labels)
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "geojson":
        body, ctype = json.dumps(spatial.geojson(table), ensure_ascii=False).encode(), "application/geo+json"
    elif fmt == "gpkg":
        body, ctype = spatial.geopackage(table), "application/geopackage+sqlite3"
    else:
        line = any(":" in k.label for k in query.group_by[:1])
        body = charts.render(table, fmt, value_labels, line=line)
        ctype = "image/png" if fmt == "png" else "image/svg+xml"
    response = HttpResponse(body, content_type=ctype)
    if fmt not in ("png", "svg", "geojson") or request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@require_POST
@login_required(login_url=LOGIN)
def save(request):
    raw = query_from_get(request.POST)
    try:
        saved = services.save_query(
            user=request.user,
            name=request.POST.get("name", ""),
            raw=raw,
            shared=bool(request.POST.get("shared")),
        )
    except engine.QueryError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {}
        if "name" not in errors:
            return HttpResponseBadRequest(" ".join(exc.messages), content_type="text/plain; charset=utf-8")
        # The builder again, with the same query and result, what was typed kept, and the reason
        # next to the name field.
        get = request.POST.copy()
        for field in ("csrfmiddlewaretoken", "name", "shared"):
            get.pop(field, None)
        get["run"] = "1"
        extra = {
            "save_error": " ".join(errors["name"]),
            "save_name": request.POST.get("name", ""),
            "save_shared": bool(request.POST.get("shared")),
        }
        return _builder(request, get, status=400, extra=extra)
    return redirect(f"/raporty/?{get_from_params(saved.params)}&saved={saved.pk}&run=1")


@login_required(login_url=LOGIN)
def saved(request, pk: int):
    obj = get_object_or_404(selectors.saved_queries_for(request.user), pk=pk)
    return redirect(f"/raporty/?{get_from_params(obj.params)}&saved={obj.pk}&run=1")


@require_POST
@login_required(login_url=LOGIN)
def publish(request, pk: int):
    obj = get_object_or_404(selectors.saved_queries_for(request.user), pk=pk)
    try:
        services.publish_query(
            user=request.user,
            saved=obj,
            slug=request.POST.get("slug", ""),
            year_dimension=request.POST.get("year_dimension", ""),
            publish=request.POST.get("withdraw") is None,
        )
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages), content_type="text/plain; charset=utf-8")
    if obj.published:
        return redirect(f"/statystyki/{obj.slug}/")
    return redirect("/raporty/")


# --- residents ------------------------------------------------------------------------------


def statistics_index(request):
    items = [(q, selectors.published_gminas(q)) for q in selectors.published_queries()]
    return render(request, "reporting/statistics_index.html", {"items": items})


def _published(request, slug):
    saved = published_or_404(slug)
    try:
        gmina, year = published_params(saved, request.GET)
    except BadRequest as exc:
        raise Http404(str(exc.detail)) from None
    return saved, gmina, year, selectors.published_table(saved, gmina=gmina, year=year)


def statistics_detail(request, slug: str):
    saved, gmina, year, table = _published(request, slug)
    query = engine.parse(saved.params)
    dim_labels, value_labels = _names(query, table)
    qs = urlencode({"gmina": gmina.slug, **({"year": year} if year else {})})
    ctx = {
        "saved": saved,
        "gmina": gmina,
        "year": year,
        "gminas": selectors.published_gminas(saved),
        "years": selectors.published_years(saved, gmina=gmina),
        "table": table,
        **table_context(table, dim_labels, value_labels),
        "qs": qs,
        "has_map": spatial.spatial_dimension(table) is not None,
    }
    return render(request, "reporting/statistics_detail.html", ctx)


def statistics_chart(request, slug: str, fmt: str):
    if fmt not in ("png", "svg"):
        raise Http404("Nieznany format.")
    saved, gmina, year, table = _published(request, slug)
    query = engine.parse(saved.params)
    _, value_labels = _names(query, table)
    line = any(":" in k.label for k in query.group_by[:1])
    return HttpResponse(
        charts.render(table, fmt, value_labels, line=line),
        content_type="image/png" if fmt == "png" else "image/svg+xml",
    )
