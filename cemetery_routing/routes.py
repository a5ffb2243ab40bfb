"""Walking routes to a grave: from the nearest gate (or a chosen gate, or the walker's own
position inside the cemetery) along the alleys, then the last straight step to the grave."""

from __future__ import annotations

import itertools
import math
import struct
from dataclasses import dataclass
from functools import lru_cache

from django.contrib.gis.geos import Point
from pyproj import Transformer

from . import directions
from .models import Gate, Grave
from .routing import PathRouter

WALKING_SPEED_M_S = 1.2
_TARGET_PID = 1
_WALKER_PID = 2


class RouteError(Exception):
    """A route that cannot be given; the message is Polish and meant for the walker."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


@dataclass
class Route:
    grave: GraveRef
    gate: tuple[int, str] | None  # (id, name)
    start: tuple[float, float]
    coords: list[tuple[float, float]]  # EPSG:2180
    length_m: float
    steps: list[dict]
    step_free: bool

    @property
    def walking_time_s(self) -> float:
        return self.length_m / WALKING_SPEED_M_S


@lru_cache(maxsize=16)
def _transformer(srid: int) -> Transformer:
    # Only EPSG integers from the allow-list (sip.geometry.parse_srid) reach this point.
    return Transformer.from_crs(2180, srid, always_xy=True)


def to_srid(coords, srid: int) -> list[list[float]]:
    """Coordinates from EPSG:2180 to `srid` (x/easting or longitude first, as in GeoJSON)."""
    if srid == 2180:
        return [[round(x, 3), round(y, 3)] for x, y in coords]
    xs, ys = _transformer(srid).transform([c[0] for c in coords], [c[1] for c in coords])
    digits = 7 if srid == 4326 else 3
    return [[round(x, digits), round(y, digits)] for x, y in zip(xs, ys, strict=True)]


def _pick_gate(gates: list[Gate], wanted: str) -> Gate:
    for gate in gates:
        if str(gate.pk) == wanted or gate.name.lower() == wanted.lower():
            return gate
    names = ", ".join(f"{g.name} ({g.pk})" for g in gates)
    raise RouteError(f"Ten cmentarz nie ma bramy „{wanted}”. Bramy: {names}.", status=400)


@dataclass(frozen=True)
class GraveRef:
    """What a route needs to know about its grave."""

    pk: int
    label: str
    cemetery_name: str
    x: float
    y: float


def route_to_grave(
    grave_id: int, *, gate: str | None = None, start: Point | None = None, step_free: bool = False
) -> Route:
    """Return the shortest walk to the grave, or raise Grave.DoesNotExist / RouteError."""
    gate_id = None
    if gate:
        gates = list(Gate.objects.filter(cemetery__graves=grave_id).order_by("pk"))
        if not gates:
            Grave.objects.get(pk=grave_id)  # 404 for an unknown grave
        gate_id = _pick_gate(gates, gate).pk
    start_xy = None
    if start is not None:
        start = start.transform(2180, clone=True) if start.srid != 2180 else start
        start_xy = (start.x, start.y)
    rows = PathRouter.route(grave_id, gate_id=gate_id, start=start_xy, step_free=step_free)
    if not rows:
        _explain_missing_route(grave_id, gate_id, start, step_free)
    section, row, number, cemetery_name, x, y = rows[0][13:19]
    ref = GraveRef(grave_id, f"kwatera {section}, rząd {row}, grób {number}", cemetery_name, x, y)
    return _assemble(ref, rows, step_free)


def _explain_missing_route(grave_id, gate_id, start, step_free) -> None:
    """Raise the reason why no route came back (unknown grave, start outside the cemetery,
    disconnected alleys, no step-free way)."""
    grave = Grave.objects.select_related("section", "cemetery").get(pk=grave_id)
    cemetery = grave.cemetery
    router = PathRouter(cemetery.pk)
    if start is not None:
        if not cemetery.boundary.contains(start):
            distance = cemetery.boundary.distance(start)
            raise RouteError(
                f"Punkt początkowy leży poza cmentarzem „{cemetery.name}” "
                f"({distance:.0f} m od jego granicy). "
                "Trasę od własnego położenia wyznaczamy tylko na terenie cmentarza; poza nim wybierz bramę.",
                status=400,
            )
        starts = [(_WALKER_PID, start.x, start.y)]
    else:
        gates = Gate.objects.filter(cemetery=cemetery).order_by("pk")
        if gate_id is not None:
            gates = gates.filter(pk=gate_id)
        if not gates:
            raise RouteError(f"Cmentarz „{cemetery.name}” nie ma w systemie żadnej bramy.")
        if step_free:
            gates = gates.filter(step_free=True)
            if not gates:
                raise RouteError("Ta brama ma schody; wybierz inną albo najbliższą bramę bez schodów.")
        starts = [(_WALKER_PID + k, g.geom.x, g.geom.y) for k, g in enumerate(gates)]
    snaps = router.snap([(_TARGET_PID, grave.geom.x, grave.geom.y), *starts], step_free=step_free)
    target = snaps.get(_TARGET_PID)
    if target is None:
        raise RouteError(
            f"Cmentarz „{cemetery.name}” nie ma jeszcze sieci alejek"
            + (" bez schodów." if step_free else ". Zarządca musi ją zbudować (build_cemetery_graph).")
        )
    if not any(pid in snaps and snaps[pid].component == target.component for pid, _, _ in starts):
        if start is not None:
            raise RouteError(
                "Grób i Twoje położenie leżą przy alejkach, które nie łączą się ze sobą. "
                "Wybierz trasę od bramy albo zapytaj obsługę cmentarza."
            )
        raise RouteError(
            f"Grób ({grave.label}) leży przy alejkach niepołączonych z żadną bramą cmentarza "
            "(np. kwatera w budowie). Nie da się wyznaczyć trasy – zapytaj obsługę cmentarza."
        )
    raise RouteError(
        "Nie ma trasy bez schodów do tego grobu." if step_free else "Nie udało się wyznaczyć trasy do grobu."
    )


def _piece_coords(wkb: bytes) -> list[tuple[float, float]]:
    """The coordinates of a 2D LineString, or of the Point that ST_LineSubstring gives for a
    piece of no length, from its WKB (read directly: a route has a handful of small pieces)."""
    order = "<" if wkb[0] == 1 else ">"
    (kind,) = struct.unpack_from(order + "I", wkb, 1)
    if kind == 1:
        return [struct.unpack_from(order + "2d", wkb, 5)]
    if kind != 2:
        raise ValueError(f"a route piece must be a LineString or a Point, not WKB type {kind}")
    (n,) = struct.unpack_from(order + "I", wkb, 5)
    flat = struct.unpack_from(f"{order}{2 * n}d", wkb, 9)
    return list(zip(flat[0::2], flat[1::2], strict=True))


def _assemble(grave: GraveRef, rows: list[tuple], step_free: bool) -> Route:
    gate_id, gate_name, sx, sy, access, final, nx, ny = rows[0][:8]
    legs = []
    for row in rows:
        piece = _piece_coords(row[12])
        length = sum(map(math.dist, piece, piece[1:]))
        legs.append(directions.Leg(row[8], row[9], row[10], row[11], piece, length))
    start_xy, on_net, grave_xy = (sx, sy), (nx, ny), (grave.x, grave.y)
    # The line: start, the pieces, the point on the network, the grave, without repeated points.
    coords: list[tuple[float, float]] = [start_xy]
    for c in itertools.chain((c for leg in legs for c in leg.coords), (on_net, grave_xy)):
        if math.dist(c, coords[-1]) > 1e-6:
            coords.append(c)
    if len(coords) == 1:
        coords.append(grave_xy)
    legs = directions.merge_legs([leg for leg in legs if leg.length > 1e-6])
    if access < 0.5 and legs:
        legs[0].length += access
        access = 0.0
    start_text = f"Od bramy „{gate_name}”" if gate_id else "Od miejsca, w którym stoisz,"
    steps = directions.steps(
        legs,
        start_text=start_text,
        access_m=access,
        final_coords=[on_net, grave_xy],
        final_m=final,
        grave_label=grave.label,
    )
    # access step + alleys + last step: the steps add up to the length by construction.
    length = sum(s["distance_m"] for s in steps)
    gate = (gate_id, gate_name) if gate_id else None
    return Route(grave, gate, start_xy, coords, length, steps, step_free)


def route_feature(route: Route, srid: int) -> dict:
    """Return the route as a GeoJSON Feature (LineString) with length, time and steps."""
    # One reprojection for the line, the step locations and the start.
    points = to_srid([*route.coords, *(s["at"] for s in route.steps), route.start], srid)
    line, at, start = points[: len(route.coords)], points[len(route.coords) : -1], points[-1]
    steps = [
        {
            "maneuver": s["maneuver"],
            "instruction": s["instruction"],
            "text": s["text"],
            "distance_m": round(s["distance_m"], 1),
            "alley": s["alley"],
            "location": location,
        }
        for s, location in zip(route.steps, at, strict=True)
    ]
    grave = route.grave
    feature = {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": line},
        "properties": {
            "grave": {"id": grave.pk, "label": grave.label, "cemetery": grave.cemetery_name},
            "gate": {"id": route.gate[0], "name": route.gate[1]} if route.gate else None,
            "from": None if route.gate else start,
            "length_m": round(route.length_m, 1),
            "walking_time_s": round(route.walking_time_s),
            "step_free": route.step_free,
            "steps": steps,
        },
    }
    if srid != 4326:
        feature["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{srid}"}}
    return feature
