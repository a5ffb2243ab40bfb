"""Reads of planning: which zones of which plans in force cover a parcel, with their shares.

Shares are computed in PostGIS on EPSG:2180 geometries. Where a plan in force is amended by
another plan in force, the amending plan's boundary is cut out of the amended plan: the
amendment wins there.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from sip.models import Parcel

from .models import IN_FORCE_SQL, ExtractCase, Plan, Zone

# Pieces of a zone this small are digitising slivers, not zoning (ustalenia nie obejmują 0,3 m²).
SLIVER_MAX_AREA_M2 = 0.5
SLIVER_MAX_SHARE_PCT = 0.05

_ZONING_SQL = """
WITH parcel AS (
    SELECT geom, ST_Area(geom) AS area FROM sip_parcel WHERE id = %(parcel)s
),
applying AS (
    SELECT pl.id, pl.boundary
      FROM planning_plan pl, parcel
     WHERE {plan_in_force}
       AND pl.boundary && parcel.geom AND ST_Intersects(pl.boundary, parcel.geom)
),
-- The amendments of those plans that apply today: both listed (amended_by) and cut out.
amending AS (
    SELECT am.amended_id, a.id, a.boundary
      FROM planning_amendment am JOIN planning_plan a ON a.id = am.amending_id
     WHERE am.amended_id IN (SELECT id FROM applying) AND {amending_in_force}
),
plans AS (
    SELECT pl.id,
           (SELECT ST_Union(a.boundary) FROM amending a
             WHERE a.amended_id = pl.id AND a.boundary && parcel.geom) AS replaced
      FROM applying pl, parcel
),
pieces AS (
    SELECT z.id AS zone_id, pl.id AS plan_id,
           CASE WHEN pl.replaced IS NULL THEN ST_Intersection(z.geom, parcel.geom)
                ELSE ST_Difference(ST_Intersection(z.geom, parcel.geom), pl.replaced) END AS geom
      FROM plans pl JOIN planning_zone z ON z.plan_id = pl.id, parcel
     WHERE z.geom && parcel.geom AND ST_Intersects(z.geom, parcel.geom)
)
SELECT 'plan' AS row, id, NULL::bigint, NULL::float8 FROM plans
UNION ALL
SELECT 'amended', amended_id, id, NULL FROM amending
UNION ALL
SELECT 'zone', plan_id, zone_id, ST_Area(geom) FROM pieces WHERE ST_Area(geom) > 0
UNION ALL
SELECT 'parcel', NULL, NULL, (SELECT area FROM parcel)
UNION ALL
SELECT 'covered', NULL, NULL, COALESCE((SELECT ST_Area(ST_Union(geom)) FROM pieces), 0)
""".replace("{amending_in_force}", IN_FORCE_SQL.format(p="a")).replace(
    "{plan_in_force}", IN_FORCE_SQL.format(p="pl")
)


@dataclass
class ZoneShare:
    zone: Zone
    area_m2: float
    share_pct: float


@dataclass
class PlanZoning:
    plan: Plan
    zones: list[ZoneShare] = field(default_factory=list)
    slivers: list[ZoneShare] = field(default_factory=list)
    # The plans in force that amend this one (the same rule that cuts them out of the shares).
    amended_by: list[Plan] = field(default_factory=list)


@dataclass
class ParcelZoning:
    parcel: Parcel
    area_m2: float
    plans: list[PlanZoning]
    uncovered_area_m2: float
    uncovered_share_pct: float

    @property
    def uncovered_is_sliver(self) -> bool:
        return is_sliver(self.uncovered_area_m2, self.uncovered_share_pct)

    @property
    def covered(self) -> bool:
        """Whether any zone of a plan in force applies to the parcel (beyond slivers)."""
        return any(p.zones for p in self.plans)

    @property
    def zone_shares(self) -> list[tuple[Plan, ZoneShare]]:
        return [(p.plan, z) for p in self.plans for z in p.zones]


def is_sliver(area_m2: float, share_pct: float) -> bool:
    return 0 < area_m2 and (area_m2 < SLIVER_MAX_AREA_M2 or share_pct < SLIVER_MAX_SHARE_PCT)


def parcel_zoning(parcel: Parcel, day: dt.date | None = None) -> ParcelZoning:
    """Return the zones of plans in force on `day` (today by default) covering the parcel, with
    areas (m²), shares (%) and the amending plans in force."""
    with connection.cursor() as cur:
        cur.execute(_ZONING_SQL, {"parcel": parcel.pk, "day": day or timezone.localdate()})
        rows = cur.fetchall()
    parcel_area = next(r[3] for r in rows if r[0] == "parcel")
    covered = next(r[3] for r in rows if r[0] == "covered")
    plan_ids = [r[1] for r in rows if r[0] == "plan"]
    zone_rows = [r for r in rows if r[0] == "zone"]
    plans = {p.pk: p for p in Plan.objects.filter(pk__in=plan_ids).select_related("gmina")}
    zones = {z.pk: z for z in Zone.objects.filter(pk__in=[r[2] for r in zone_rows])}
    by_plan = {pk: PlanZoning(plans[pk]) for pk in plan_ids}
    amended_rows = [r for r in rows if r[0] == "amended"]
    amending = Plan.objects.in_bulk([r[2] for r in amended_rows])
    for _, plan_id, amending_id, _ in amended_rows:
        by_plan[plan_id].amended_by.append(amending[amending_id])
    for pz in by_plan.values():
        pz.amended_by.sort(key=lambda p: (p.resolution_date, p.pk))
    for _, plan_id, zone_id, area in zone_rows:
        share = 100.0 * area / parcel_area
        item = ZoneShare(zones[zone_id], area, share)
        target = by_plan[plan_id].slivers if is_sliver(area, share) else by_plan[plan_id].zones
        target.append(item)
    for pz in by_plan.values():
        pz.zones.sort(key=lambda s: (-s.area_m2, s.zone.symbol))
        pz.slivers.sort(key=lambda s: (-s.area_m2, s.zone.symbol))
    ordered = sorted(
        by_plan.values(), key=lambda pz: (pz.plan.kind != Plan.Kind.POG, pz.plan.resolution_date, pz.plan.pk)
    )
    uncovered = max(parcel_area - covered, 0.0)
    return ParcelZoning(
        parcel=parcel,
        area_m2=parcel_area,
        plans=ordered,
        uncovered_area_m2=uncovered,
        uncovered_share_pct=100.0 * uncovered / parcel_area if parcel_area else 0.0,
    )


def geojson_of(queryset: QuerySet, field_name: str, srid: int, precision: int) -> dict[int, dict]:
    """Return {pk: GeoJSON geometry} of a geometry field, reprojected in the database."""
    rows = queryset.annotate(_gj=AsGeoJSON(Transform(field_name, srid), precision=precision)).values_list(
        "pk", "_gj"
    )
    return {pk: json.loads(gj) for pk, gj in rows}


def plans_in_force(gmina) -> QuerySet[Plan]:
    """Return the gmina's plans in force, newest first."""
    return Plan.objects.in_force().filter(gmina=gmina).order_by("-resolution_date")


def extract_register(gmina_ids, *, query: str = "", year: int | None = None, kind: str = "") -> QuerySet:
    """Return the register of extract cases of these gminas, filtered, newest first."""
    cases = (
        ExtractCase.objects.filter(gmina_id__in=gmina_ids)
        .select_related("gmina", "created_by")
        .prefetch_related("documents")
        .order_by("-year", "-number")
    )
    if year:
        cases = cases.filter(year=year)
    if kind:
        cases = cases.filter(kind=kind)
    for word in query.split():
        cases = cases.filter(
            Q(case_number__icontains=word)
            | Q(applicant__icontains=word)
            | Q(parcel_identifiers__icontains=word)
            | Q(purpose__icontains=word)
        )
    return cases


# --- draft plans: read by participation (comments during the public inspection) --------------


def draft_plans(gmina_ids=None) -> QuerySet[Plan]:
    """Return the plans in preparation (projekty planów) of these gminas (all when None)."""
    qs = Plan.objects.filter(status=Plan.Status.IN_PREPARATION).select_related("gmina")
    return qs.filter(gmina_id__in=gmina_ids) if gmina_ids is not None else qs


def is_draft_plan(plan_id: int) -> bool:
    """Whether the plan is a draft (status in preparation), the only kind laid out for comments."""
    return draft_plans().filter(pk=plan_id).exists()


def plan_outline(plan_id: int, srid: int = 4326) -> dict | None:
    """Return the boundary of a plan as a GeoJSON geometry in `srid`, or None."""
    return geojson_of(Plan.objects.filter(pk=plan_id), "boundary", srid, 6 if srid == 4326 else 2).get(
        plan_id
    )
