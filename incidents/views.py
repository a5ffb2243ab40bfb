"""Pages of the incident reports: the resident's tracking page (/zgloszenia/<token>/) and the
staff panel (/zgloszenia/panel/): inbox with map and filters, a report's page with its actions,
and the overdue list. Reads go through selectors, changes through services; a report outside
the user's scope is a 404, as if it did not exist."""

from __future__ import annotations

import datetime as dt
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.gis.geos import Polygon
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from sip import tenancy
from sip.models import Gmina
from sip.urls_public import public_url

from . import selectors, services
from .api.public import tracking_data
from .models import Category, Status

PAGE_SIZE = 25
# Status changes a staff member makes with the status form; duplicates and forwarding have
# their own forms (services.change_status refuses them too).
STATUS_CHOICES = [(s.value, s.label) for s in Status if s not in (Status.DUPLICATE, Status.FORWARDED)]
STATUS_CSS = {
    Status.NEW: "new",
    Status.ACCEPTED: "accepted",
    Status.IN_PROGRESS: "progress",
    Status.DONE: "done",
    Status.REJECTED: "rejected",
    Status.FORWARDED: "forwarded",
    Status.DUPLICATE: "duplicate",
}


def _not_found(request, message: str = "Nie ma takiego zgłoszenia."):
    return render(request, "incidents/not_found.html", {"message": message}, status=404)


class _NotFound(Exception):
    pass


def staff_page(view):
    """A staff page: login required; no permission → a Polish 403 page; a report outside the
    user's scope → a Polish 404 page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.has_perm("incidents.view_report"):
            return render(
                request,
                "incidents/forbidden.html",
                {"reason": "Twoja rola nie pozwala oglądać zgłoszeń mieszkańców."},
                status=403,
            )
        try:
            return view(request, *args, **kwargs)
        except _NotFound:
            return _not_found(request)
        except PermissionDenied as exc:
            reason = str(exc) or "Nie masz uprawnień do tej czynności."
            return render(request, "incidents/forbidden.html", {"reason": reason}, status=403)

    return login_required(wrapper)


def _point_4326(point) -> list[float]:
    p = point.transform(4326, clone=True)
    return [round(p.y, 7), round(p.x, 7)]


def _age_days(since: dt.datetime) -> int:
    return max(0, (timezone.now() - since).days)


# --- the resident's tracking page -----------------------------------------------------------


def track(request, token: str):
    """/zgloszenia/<token>/: number, category, body, status history with public replies, the
    point on a small map (the public, possibly generalised one). The page shows exactly what
    GET /api/incidents/track/<token>/ answers (one rule: no reporter, no internal note, no
    staff names)."""
    report = selectors.by_token(token)
    if report is None:
        return _not_found(
            request,
            "Nie znaleźliśmy zgłoszenia o tym adresie. Sprawdź, czy link został skopiowany w całości.",
        )
    data = tracking_data(request, report)
    for event in data["history"]:
        event["status_css"] = STATUS_CSS.get(event["status"], "")
    context = {
        "t": data,
        "status_css": STATUS_CSS.get(data["status"], ""),
        "point": {"latlng": [data["lat"], data["lon"]], "label": data["number"]},
    }
    response = render(request, "incidents/track.html", context)
    # The address is the key to the report: no caching by proxies, no Referer to other sites.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- the staff panel --------------------------------------------------------------------------


def _parse_date(value: str, label: str, errors: list[str]) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.append(f"{label}: podaj datę w formacie RRRR-MM-DD.")
        return None


def _parse_bbox(value: str, errors: list[str]) -> Polygon | None:
    """'west,south,east,north' in degrees (EPSG:4326) → a polygon in EPSG:2180."""
    if not value:
        return None
    try:
        w, s, e, n = (float(v) for v in value.split(","))
    except ValueError:
        errors.append("Obszar mapy: nieprawidłowy zasięg.")
        return None
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        errors.append("Obszar mapy: nieprawidłowy zasięg.")
        return None
    poly = Polygon.from_bbox((w, s, e, n))
    poly.srid = 4326
    return poly.transform(2180, clone=True)


def _filters(request) -> tuple[dict, dict, list[str]]:
    """The panel's filters: (values for the form, arguments for selectors.inbox, errors)."""
    q = request.GET
    errors: list[str] = []
    values = {
        "status": q.get("status", ""),
        "category": q.get("category", ""),
        "since": q.get("since", ""),
        "until": q.get("until", ""),
        "bbox": q.get("bbox", ""),
        "gmina": q.get("gmina", ""),
        "sort": q.get("sort", "oldest") if q.get("sort") in ("oldest", "newest") else "oldest",
    }
    if values["status"] and values["status"] not in Status.values:
        errors.append("Nieznany status.")
        values["status"] = ""
    args = {
        "status": values["status"] or None,
        "category": values["category"] or None,
        "since": _parse_date(values["since"], "Data od", errors),
        "until": _parse_date(values["until"], "Data do", errors),
        "bbox": _parse_bbox(values["bbox"], errors),
        "oldest_first": values["sort"] == "oldest",
    }
    if values["gmina"]:
        gmina = tenancy.scoped_gminas(request.user).filter(slug=values["gmina"]).first()
        if gmina is None:
            errors.append("Nie masz dostępu do zgłoszeń tej gminy.")
            values["gmina"] = ""
        else:
            args["gmina_id"] = gmina.pk
    return values, args, errors


@staff_page
def panel(request):
    """/zgloszenia/panel/: the user's reports on a map and in a table, filtered and paged."""
    values, args, errors = _filters(request)
    reports = selectors.inbox(request.user, **args)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "report": r,
            "age": _age_days(r.created_at),
            "status_css": STATUS_CSS.get(r.status, ""),
            "url": reverse("incidents:panel-report", args=[r.pk]),
        }
        for r in page.object_list
    ]
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": _point_4326(r["report"].point)[::-1]},
            "properties": {
                "number": r["report"].number,
                "category": r["report"].category.name,
                "status": r["report"].get_status_display(),
                "status_css": r["status_css"],
                "url": r["url"],
            },
        }
        for r in rows
    ]
    query = urlencode(
        {k: v for k, v in values.items() if v and k != "sort" or (k == "sort" and v != "oldest")}
    )
    gminas = list(tenancy.scoped_gminas(request.user).order_by("name"))
    context = {
        "rows": rows,
        "page": page,
        "values": values,
        "errors": errors,
        "statuses": Status.choices,
        "categories": Category.objects.filter(active=True).select_related("group"),
        "gminas": gminas if len(gminas) > 1 else [],
        "query": query,
        "features": {"type": "FeatureCollection", "features": features},
        "outline": _outline(gminas),
        "overdue_count": selectors.overdue(request.user).count(),
    }
    return render(request, "incidents/panel.html", context)


def _outline(gminas: list[Gmina]) -> list[list[float]] | None:
    """The bounds (south-west, north-east in degrees) of the user's gminas, for the map."""
    if not gminas:
        return None
    extents = [g.boundary.transform(4326, clone=True).extent for g in gminas]
    return [
        [min(e[1] for e in extents), min(e[0] for e in extents)],
        [max(e[3] for e in extents), max(e[2] for e in extents)],
    ]


def _staff_report(request, pk: int):
    report = selectors.staff_reports(request.user).filter(pk=pk).first()
    if report is None:
        raise _NotFound
    return report


def _assignable(report) -> list:
    """Active staff who may work on the report: of its gmina or of its responsible unit."""
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(membership__gmina_id=report.gmina_id) | Q(membership__unit_id=report.responsible_unit_id))
        .select_related("membership")
        .order_by("last_name", "first_name", "username")
        .distinct()
    )
    return [u for u in users if selectors.can_work_on(u, report)]


def _error_text(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {k: " ".join(v) for k, v in exc.message_dict.items()}
    return {"form": " ".join(exc.messages)}


def _act(request, report) -> dict[str, str] | None:
    """Carry out the POSTed action on the report; None when done, else the errors by field."""
    action = request.POST.get("action", "")
    post = request.POST
    try:
        if action == "status":
            services.change_status(
                actor=request.user,
                report=report,
                status=post.get("status", ""),
                public_note=post.get("public_note", ""),
                internal_note=post.get("internal_note", ""),
            )
            messages.success(request, "Zapisano zmianę statusu.")
        elif action == "assign":
            raw = post.get("assignee", "")
            assignee = None
            if raw:
                assignee = next((u for u in _assignable(report) if str(u.pk) == raw), None)
                if assignee is None:
                    raise ValidationError({"assignee": "Tej osobie nie można przydzielić tego zgłoszenia."})
            services.assign(actor=request.user, report=report, assignee=assignee)
            messages.success(request, "Zapisano przydział.")
        elif action == "forward":
            unit = None
            category = None
            if post.get("unit"):
                unit = selectors.forward_targets(request.user, report).filter(pk=post["unit"]).first()
                if unit is None:
                    raise ValidationError({"unit": "Do tej jednostki nie można przekazać zgłoszenia."})
            if post.get("category"):
                category = Category.objects.filter(active=True, code=post["category"]).first()
                if category is None:
                    raise ValidationError({"category": "Nieznana kategoria."})
            forwarded = services.forward(
                actor=request.user,
                report=report,
                unit=unit,
                category=category,
                public_note=post.get("public_note", ""),
                internal_note=post.get("internal_note", ""),
            )
            messages.success(request, f"Zgłoszenie przekazano: {forwarded.responsible_unit}.")
        elif action == "merge":
            number = post.get("into", "").strip()
            into = (
                selectors.staff_reports(request.user).filter(number__iexact=number).first()
                if number
                else None
            )
            if into is None:
                raise ValidationError({"into": "Nie ma takiego zgłoszenia wśród Twoich zgłoszeń."})
            services.merge(
                actor=request.user,
                report=report,
                into=into,
                public_note=post.get("public_note", ""),
                internal_note=post.get("internal_note", ""),
            )
            messages.success(request, f"Oznaczono jako duplikat zgłoszenia {into.number}.")
        else:
            return {"form": "Nieznana czynność."}
    except ValidationError as exc:
        return _error_text(exc)
    return None


@staff_page
def panel_report(request, pk: int):
    """/zgloszenia/panel/<id>/: a report with its full history (internal notes too) and the
    staff actions: assign, change status, forward or re-categorise, merge a duplicate."""
    report = _staff_report(request, pk)
    can_work = selectors.can_work_on(request.user, report)
    errors: dict[str, str] = {}
    action = ""
    if request.method == "POST":
        if not can_work:
            raise PermissionDenied("Twoja rola nie pozwala zmieniać zgłoszeń.")
        action = request.POST.get("action", "")
        errors = _act(request, report) or {}
        if not errors:
            return redirect("incidents:panel-report", pk=report.pk)
        report = _staff_report(request, pk)
    history = [
        (change, STATUS_CSS.get(change.status_after, ""))
        for change in report.history.select_related(
            "actor", "unit_before", "unit_after", "category_before", "category_after"
        ).order_by("at", "id")
    ]
    # Candidates for "merge duplicate": open reports of the category nearby that the user sees.
    nearby = list(
        selectors.open_nearby(point=report.point, category=report.category)
        .filter(pk__in=selectors.staff_reports(request.user).values("pk"))
        .exclude(pk=report.pk)[:5]
    )
    context = {
        "report": report,
        "status_css": STATUS_CSS.get(report.status, ""),
        "history": history,
        "photos": list(report.photos.all()),
        "can_work": can_work,
        "statuses": STATUS_CHOICES,
        "assignable": _assignable(report) if can_work else [],
        "units": selectors.forward_targets(request.user, report) if can_work else [],
        "categories": Category.objects.filter(active=True).select_related("group"),
        "nearby": nearby,
        "errors": errors,
        "action": action,
        "post": request.POST if request.method == "POST" else {},
        "age": _age_days(report.created_at),
        "since_change": _age_days(report.status_changed_at),
        "point": {"latlng": _point_4326(report.point), "label": report.number},
        "tracking_url": public_url("incidents:track", args=[report.token], request=request),
    }
    return render(request, "incidents/panel_report.html", context, status=400 if errors else 200)


@staff_page
def overdue(request):
    """/zgloszenia/panel/zalegle/: open reports without a status change for longer than their
    category allows, the longest waiting first."""
    rows = [
        {
            "report": r,
            "days": _age_days(r.status_changed_at),
            "status_css": STATUS_CSS.get(r.status, ""),
            "url": reverse("incidents:panel-report", args=[r.pk]),
        }
        for r in selectors.overdue(request.user)[:500]
    ]
    return render(request, "incidents/overdue.html", {"rows": rows})
