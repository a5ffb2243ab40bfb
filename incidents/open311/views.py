"""Open311 GeoReport v2 (frozen spec) at /open311/v2/: discovery, services, service
definitions, requests (GET, POST) and single requests, as XML or JSON. One endpoint serves
every partner gmina: jurisdiction_id is the gmina's TERYT code (missing: 400, unknown: 404).
POST needs an api_key issued by the central unit; `client_request_id` (an extension) makes a
retried POST answer the same request. A POST is answered with the request's id and a `token`,
and tokens/<token> gives the id for a token (the spec's way for clients that keep only tokens).
GET never shows the reporter's name, e-mail or phone."""

from __future__ import annotations

import datetime as dt
import math
from functools import wraps

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from sip.geometry import GeometryError, check_in_poland
from sip.models import Gmina
from sip.selectors import addresses_matching
from sip.urls_public import absolute, public_url

from .. import selectors, services
from ..models import MAX_DESCRIPTION, OPEN_STATUSES, Category, CategorySetting, Report, Status
from ..routing import RoutingError
from .formats import Open311Error, error, respond
from .keys import check_key

SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-26T00:00:00Z"
MAX_REQUESTS = 1000
DEFAULT_DAYS = 90
# Attributes every category has (service definition), besides the spec's own fields.
ATTRIBUTES = [
    {
        "variable": True,
        "code": "object_number",
        "datatype": "string",
        "required": False,
        "datatype_description": "numer z tabliczki, np. L-123",
        "order": 1,
        "description": "Numer obiektu (latarni, ławki, drzewa), jeśli jest widoczny",
        "values": [],
    },
    {
        "variable": True,
        "code": "place_kind",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "",
        "order": 2,
        "description": "Rodzaj terenu",
        "values": [
            {"key": "public", "name": "teren publiczny (ulica, park, plac)"},
            {"key": "private", "name": "teren prywatny lub posesja"},
        ],
    },
]
PLACE_KINDS = {"public": "teren publiczny", "private": "teren prywatny"}


def open311(*methods: str):
    """Format from the URL (.json / .xml); every refusal in the spec's error format."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, fmt: str, **kwargs):
            try:
                if request.method not in ("GET", "HEAD", *methods):
                    raise Open311Error(405, "Metoda niedozwolona.")
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return error(fmt, exc.status, exc.description)

        # POST is authenticated by api_key, not by a session cookie.
        return csrf_exempt(wrapper)

    return decorator


def _param(request, name: str, *, limit: int = 200) -> str:
    source = request.POST if request.method == "POST" else request.GET
    value = source.get(name, "")
    if "\x00" in value:
        raise Open311Error(400, f"{name}: niedozwolony znak NUL.")
    if len(value) > limit:
        raise Open311Error(400, f"{name}: wartość dłuższa niż {limit} znaków.")
    return value.strip()


def _jurisdiction(request) -> Gmina:
    teryt = _param(request, "jurisdiction_id", limit=20)
    if not teryt:
        raise Open311Error(400, "Brak parametru jurisdiction_id (kod TERYT gminy, np. 020101_1).")
    gmina = Gmina.objects.filter(teryt=teryt).first()
    if gmina is None:
        raise Open311Error(404, f"Nie obsługujemy jurisdiction_id „{teryt}”.")
    return gmina


def _when(value) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


@open311()
def discovery(request, fmt):
    base = public_url("open311:root", request=request)
    return respond(
        fmt,
        {
            "changeset": CHANGESET,
            "contact": "Jednostka centralna SIP",
            "key_service": "Klucze api_key wydaje jednostka centralna SIP.",
            "endpoints": [
                {
                    "specification": SPEC,
                    "url": base,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
        root="discovery",
    )


def _service(category, setting) -> dict:
    description = category.description or category.name
    if setting is not None and setting.handling == CategorySetting.Handling.OUTSIDE:
        description = f"{description} Poza kompetencją gminy: {setting.outside_unit.name}."
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": description,
        "metadata": True,
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group.name,
    }


@open311()
def services_list(request, fmt):
    gmina = _jurisdiction(request)
    data = [
        _service(c["category"], c["setting"])
        for g in selectors.categories_for(gmina)
        for c in g["categories"]
    ]
    return respond(fmt, data, root="services", item="service")


def _category(gmina: Gmina, code: str, *, status: int = 404) -> Category:
    for g in selectors.categories_for(gmina):
        for c in g["categories"]:
            if c["category"].code == code:
                return c["category"]
    raise Open311Error(status, f"Nie ma usługi (service_code) „{code[:40]}” w tej gminie.")


@open311()
def service_definition(request, fmt, code: str):
    gmina = _jurisdiction(request)
    category = _category(gmina, code)
    return respond(fmt, {"service_code": category.code, "attributes": ATTRIBUTES}, root="service_definition")


def _status_filter(value: str) -> list[str] | None:
    if not value:
        return None
    wanted = {v.strip() for v in value.split(",") if v.strip()}
    if not wanted <= {"open", "closed"}:
        raise Open311Error(400, "status: dozwolone wartości to open i closed.")
    return sorted(wanted)


def _date(request, name: str) -> dt.datetime | None:
    value = _param(request, name, limit=40)
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise Open311Error(400, f"{name}: podaj datę w formacie ISO 8601, np. 2026-06-01T00:00:00Z.")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _request_ids(value: str) -> list[str]:
    ids = [v.strip() for v in value.split(",") if v.strip()]
    if len(ids) > MAX_REQUESTS:
        raise Open311Error(400, f"service_request_id: najwyżej {MAX_REQUESTS} identyfikatorów.")
    return [number_of(v) for v in ids]


def number_of(service_request_id: str) -> str:
    """The report number of a service_request_id (ZG-2026-000123 → ZG/2026/000123)."""
    return service_request_id.replace("-", "/")


def _request_item(row: dict, request) -> dict:
    is_open = row["status"] in OPEN_STATUSES
    label = Status(row["status"]).label
    status_notes = f"{label}: {row['last_note']}" if row.get("last_note") else label
    return {
        "service_request_id": row["number"].replace("/", "-"),
        "status": "open" if is_open else "closed",
        "status_notes": status_notes,
        "service_name": row["category__name"],
        "service_code": row["category__code"],
        "description": row["description"],
        "agency_responsible": row["responsible_unit__name"],
        "service_notice": row["routing_reason"],
        "requested_datetime": _when(row["created_at"]),
        "updated_datetime": _when(row["status_changed_at"]),
        "expected_datetime": "",
        "address": row["address"],
        "address_id": "",
        "zipcode": "",
        "lat": round(row["lat"], 7),
        "long": round(row["lon"], 7),
        "media_url": absolute(_media_url(row["photo"]), request) if row.get("photo") else "",
    }


def _media_url(name: str) -> str:
    from django.core.files.storage import default_storage

    return default_storage.url(name)


@open311("POST")
def requests_view(request, fmt):
    gmina = _jurisdiction(request)
    if request.method == "POST":
        return _post(request, fmt, gmina)
    ids = _param(request, "service_request_id", limit=30_000)
    if ids:
        rows = selectors.open311_requests(gmina, numbers=_request_ids(ids))
    else:
        start, end = _date(request, "start_date"), _date(request, "end_date")
        if end is None and start is None:
            start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
        code = _param(request, "service_code", limit=40)
        rows = selectors.open311_requests(
            gmina,
            service_code=code or None,
            start=start,
            end=end,
            open_closed=_status_filter(_param(request, "status", limit=20)),
            limit=MAX_REQUESTS,
        )
    return respond(fmt, [_request_item(r, request) for r in rows], root="service_requests", item="request")


@open311()
def request_detail(request, fmt, request_id: str):
    gmina = _jurisdiction(request)
    rows = list(selectors.open311_requests(gmina, numbers=[number_of(request_id[:30])]))
    if not rows:
        raise Open311Error(404, f"Nie ma zgłoszenia „{request_id[:30]}” w tej gminie.")
    return respond(fmt, [_request_item(rows[0], request)], root="service_requests", item="request")


@open311()
def token_detail(request, fmt, token: str):
    """GeoReport v2 "GET service_request_id from a token": the request the token was given for."""
    gmina = _jurisdiction(request)
    report = selectors.by_token(token)
    if report is None or report.gmina_id != gmina.pk:
        raise Open311Error(404, "Nie ma zgłoszenia z takim tokenem w tej gminie.")
    answer = {"service_request_id": report.number.replace("/", "-"), "token": report.token}
    return respond(fmt, [answer], root="service_requests", item="request")


def _float(request, name: str) -> float | None:
    value = _param(request, name, limit=40)
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, f"{name}: podaj liczbę.") from None
    if not math.isfinite(number):
        raise Open311Error(400, f"{name}: podaj skończoną liczbę.")
    return number


def _post(request, fmt, gmina: Gmina):
    key = check_key(_param(request, "api_key", limit=200))
    if key is None:
        raise Open311Error(403, "Brak albo nieprawidłowy api_key.")
    code = _param(request, "service_code", limit=40)
    if not code:
        raise Open311Error(400, "Brak parametru service_code.")
    category = _category(gmina, code, status=400)
    lat, lon = _float(request, "lat"), _float(request, "long")
    address = _param(request, "address_string", limit=250)
    if lat is not None and lon is not None:
        try:
            check_in_poland(lon, lat, 4326)
        except GeometryError as exc:
            raise Open311Error(400, str(exc)) from None
        point = Point(lon, lat, srid=4326).transform(2180, clone=True)
    elif address:
        found = addresses_matching(address, gmina)
        if not found:
            raise Open311Error(400, "Nie rozpoznano adresu (address_string); podaj lat i long.")
        point = found[0][0].geom
    else:
        raise Open311Error(400, "Podaj położenie: lat i long albo address_string.")
    if not gmina.boundary.intersects(point):
        raise Open311Error(400, "To miejsce nie leży w gminie wskazanej w jurisdiction_id.")
    description = _param(request, "description", limit=MAX_DESCRIPTION)
    extras = []
    number = _param(request, "attribute[object_number]", limit=60)
    if number:
        extras.append(f"Numer obiektu: {number}")
    place = _param(request, "attribute[place_kind]", limit=20)
    if place:
        if place not in PLACE_KINDS:
            raise Open311Error(400, "attribute[place_kind]: dozwolone wartości to public i private.")
        extras.append(f"Rodzaj terenu: {PLACE_KINDS[place]}")
    media = _param(request, "media_url", limit=500)
    if media:
        if not media.startswith(("https://", "http://")):
            raise Open311Error(400, "media_url: podaj adres http(s).")
        extras.append(f"Zdjęcie: {media}")
    if extras:
        description = (description + "\n\n" + "\n".join(extras)).strip()
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description: najwyżej {MAX_DESCRIPTION} znaków.")
    name = " ".join(
        p for p in (_param(request, "first_name", limit=70), _param(request, "last_name", limit=70)) if p
    )
    try:
        result = services.create_report(
            point=point,
            category=category,
            description=description or category.name,
            reporter_name=name,
            reporter_email=_param(request, "email", limit=254),
            reporter_phone=_param(request, "phone", limit=30),
            address=address,
            client_request_id=_param(request, "client_request_id", limit=64),
            source=Report.Source.OPEN311,
            api_key=key,
        )
    except RoutingError as exc:
        raise Open311Error(400, str(exc)) from None
    except ValidationError as exc:
        raise Open311Error(400, " ".join(exc.messages)) from None
    if result.report is None:
        answer = {"service_notice": result.decision.reason, "account_id": ""}
        return respond(fmt, [answer], root="service_requests", item="request", status=200)
    report = result.report
    answer = {"service_request_id": report.number.replace("/", "-")}
    # The token opens the report's tracking page: only the app that sent the report gets it
    # (services.create_report refuses someone else's client_request_id).
    if report.api_key_id == key.pk:
        answer["token"] = report.token
    answer.update(service_notice=report.routing_reason, account_id="")
    return respond(
        fmt, [answer], root="service_requests", item="request", status=201 if result.created else 200
    )
