"""Reads of the cemetery area. Public readers never touch GraveHolder (personal data)."""

from __future__ import annotations

import json
from datetime import date

from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from sip import tenancy
from sip.urls_public import site_path

from .models import (
    Alley,
    AlleyEdge,
    Burial,
    Cemetery,
    Gate,
    Grave,
    GravePhoto,
    NetworkAccess,
    Orthophoto,
    Section,
)
from .routes import to_srid


def public_burial(b: Burial) -> dict:
    """The public record of one burial (the holder of the grave is never part of it)."""
    return {
        "id": b.pk,
        "first_name": b.first_name,
        "surname": b.surname,
        "family_name": b.family_name or None,
        "full_name": b.full_name,
        "birth_date": b.birth_date.isoformat() if b.birth_date else None,
        "death_date": b.death_date.isoformat() if b.death_date else None,
        "burial_date": b.burial_date.isoformat() if b.burial_date else None,
        "record": b.record or None,
    }


def grave_urls(grave_id: int) -> dict:
    return {
        "url": reverse("cemetery-grave-detail", args=[grave_id]),
        "card_url": reverse("cemetery-grave-card", args=[grave_id]),
        "route_url": reverse("cemetery-grave-route", args=[grave_id]),
    }


def grave_location(grave: Grave) -> dict:
    return {
        "cemetery": {"id": grave.cemetery_id, "name": grave.cemetery.name, "slug": grave.cemetery.slug},
        "section": grave.section.name,
        "row": grave.row,
        "number": grave.number,
        "label": grave.label,
    }


def public_grave(grave_id: int) -> Grave | None:
    """Return the grave with its cemetery and section, or None."""
    return Grave.objects.select_related("section", "cemetery", "cemetery__gmina").filter(pk=grave_id).first()


def public_burials_of(grave: Grave) -> list[Burial]:
    """Return the grave's burials that are public, oldest first."""
    return list(grave.burials.filter(is_public=True).order_by("burial_date", "id"))


def photos_of(grave: Grave) -> list[GravePhoto]:
    return list(grave.photos.all())


def grave_feature(grave: Grave, srid: int) -> dict:
    """Return a public GeoJSON Feature of a grave: location, kind, status, public burials, photos."""
    feature = {
        "type": "Feature",
        "id": grave.pk,
        "geometry": {"type": "Point", "coordinates": to_srid([(grave.geom.x, grave.geom.y)], srid)[0]},
        "properties": {
            **grave_location(grave),
            "kind": grave.get_kind_display(),
            "status": grave.status,
            "status_label": grave.get_status_display(),
            "burials": [public_burial(b) for b in public_burials_of(grave)],
            "photos": [
                {
                    "url": site_path(p.image.url),
                    "kind": p.get_kind_display(),
                    "taken_on": p.taken_on.isoformat(),
                    "caption": p.caption,
                }
                for p in photos_of(grave)
            ],
            **grave_urls(grave.pk),
        },
    }
    if srid != 4326:
        feature["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{srid}"}}
    return feature


def search_feature(burial: Burial, srid: int) -> dict:
    """Return a burial search hit: the burial's public record (id: the burial's) at its grave's
    location, with the grave's id and URLs."""
    grave = burial.grave
    return {
        "type": "Feature",
        "id": burial.pk,
        "geometry": {"type": "Point", "coordinates": to_srid([(grave.geom.x, grave.geom.y)], srid)[0]},
        "properties": {
            **public_burial(burial),
            "grave": {"id": grave.pk, **grave_location(grave), **grave_urls(grave.pk)},
            "edits": burial.edits,
        },
    }


def grave_search_feature(burials: list[Burial], srid: int) -> dict:
    """Return a grave search hit (id: the grave's) from its matching burials, best first: the
    properties of the best burial's hit, and every matching burial under `burials`."""
    best = search_feature(burials[0], srid)
    best["id"] = burials[0].grave_id
    best["properties"]["burials"] = [{**public_burial(b), "edits": b.edits} for b in burials]
    return best


def cemeteries(gmina_id: int | None = None) -> QuerySet[Cemetery]:
    """Return the cemeteries (of one gmina if given) with counts of graves."""
    qs = Cemetery.objects.select_related("gmina").annotate(grave_count=Count("graves", distinct=True))
    if gmina_id is not None:
        qs = qs.filter(gmina_id=gmina_id)
    return qs.order_by("gmina__name", "name")


def _collection(queryset, props) -> dict:
    features = []
    for obj in queryset.annotate(out=AsGeoJSON(Transform("geom", 4326), precision=7)):
        features.append({"type": "Feature", "geometry": json.loads(obj.out), "properties": props(obj)})
    return {"type": "FeatureCollection", "features": features}


# The tiled WMS background of the cemetery maps (SIP's base map and the graves), 256-pixel tiles
# of /ows/wms; the offline download stores these same tiles.
MAP_TILE_LAYERS = ("dzialki", "ulice", "adresy", "groby")


def cemetery_map(cemetery: Cemetery) -> dict:
    """Return the public map layers of a cemetery in EPSG:4326: outline, sections, alleys, gates,
    the newest orthophoto's corners."""
    outline = Cemetery.objects.filter(pk=cemetery.pk).annotate(
        out=AsGeoJSON(Transform("boundary", 4326), precision=7)
    )
    ortho = Orthophoto.objects.filter(cemetery=cemetery).order_by("-taken_on").first()
    ortho_data = None
    if ortho is not None:
        # The image is north-up in Web Mercator: its corners, back in degrees, bound it exactly.
        corners = to_srid(ortho.extent.exterior_ring.coords[:4], 4326)
        lons, lats = [c[0] for c in corners], [c[1] for c in corners]
        ortho_data = {
            "url": site_path(ortho.image.url),
            "bounds": [[min(lats), min(lons)], [max(lats), max(lons)]],
            "taken_on": ortho.taken_on.isoformat(),
        }
    return {
        "outline": json.loads(outline.get().out),
        "sections": _collection(Section.objects.filter(cemetery=cemetery), lambda s: {"name": s.name}),
        "alleys": _collection(
            Alley.objects.filter(cemetery=cemetery),
            lambda a: {"name": a.name, "kind": a.kind, "step_free": a.step_free},
        ),
        "gates": _collection(Gate.objects.filter(cemetery=cemetery), lambda g: {"id": g.pk, "name": g.name}),
        "orthophoto": ortho_data,
        "tiles": {
            "url": reverse("ows-wms"),
            "layers": ",".join(MAP_TILE_LAYERS),
            "max_native_zoom": 20,
        },
    }


# Staff reads (scoped by gmina through sip.tenancy).


def expiring_leases(user, *, until: date, cemetery_id: int | None = None) -> QuerySet[Grave]:
    """Return the user's graves whose lease ends on or before `until`, soonest first, with holders."""
    qs = tenancy.scope_queryset(Grave.objects.all(), user, "cemetery__gmina")
    if cemetery_id is not None:
        qs = qs.filter(cemetery_id=cemetery_id)
    return (
        qs.filter(lease_expires__isnull=False, lease_expires__lte=until)
        .exclude(status=Grave.Status.FREE)
        .select_related("section", "cemetery", "holder")
        .order_by("lease_expires", "cemetery__name", "section__name", "row", "number")
    )


def free_graves(user, cemetery_id: int) -> QuerySet[Grave]:
    """Return the user's free graves of one cemetery."""
    qs = tenancy.scope_queryset(Grave.objects.all(), user, "cemetery__gmina")
    return qs.filter(cemetery_id=cemetery_id, status=Grave.Status.FREE).select_related("section")


def status_counts(cemetery: Cemetery) -> dict[str, int]:
    """Return {status: number of graves} for a cemetery."""
    rows = Grave.objects.filter(cemetery=cemetery).values("status").annotate(n=Count("id"))
    out = {s: 0 for s in Grave.Status.values}
    out.update({r["status"]: r["n"] for r in rows})
    return out


def burial_counts(cemetery: Cemetery) -> dict[str, int]:
    agg = Burial.objects.filter(grave__cemetery=cemetery).aggregate(
        all=Count("id"), public=Count("id", filter=Q(is_public=True))
    )
    return agg


# The offline package: what a phone stores to search, show and route in a cemetery without
# network. It holds only what the public grave card shows (public burials, never the holder or
# the lease), the map layers and the alley graph.

OFFLINE_PACKAGE_VERSION = 1


def _rounded(coords, digits: int) -> list[list[float]]:
    return [[round(x, digits), round(y, digits)] for x, y in coords]


def _access(rows) -> dict:
    """{"0"|"1": [edge, fraction, distance, component, x, y]} of NetworkAccess rows, by step_free."""
    return {
        "1" if a.step_free else "0": [
            a.edge_id,
            a.fraction,
            round(a.distance, 4),
            a.component,
            round(a.on_network.x, 4),
            round(a.on_network.y, 4),
        ]
        for a in rows
    }


def offline_package(cemetery: Cemetery) -> dict:
    """Return the cemetery's offline package: map layers, alley graph (EPSG:2180 and 4326), gates,
    and the graves with public burials, each with its public burials and photo references."""
    access_of_grave: dict[int, list] = {}
    access_of_gate: dict[int, list] = {}
    for a in NetworkAccess.objects.filter(cemetery=cemetery).only(
        "grave_id",
        "gate_id",
        "step_free",
        "geom",
        "edge_id",
        "fraction",
        "distance",
        "component",
        "on_network",
    ):
        (access_of_grave if a.grave_id else access_of_gate).setdefault(a.grave_id or a.gate_id, []).append(a)

    def still_there(rows, geom) -> list:
        # A grave or gate moved since the build is snapped afresh (as the route query does).
        return [a for a in rows if a.geom.equals_exact(geom, 1e-6)]

    edges = []
    for e in (
        AlleyEdge.objects.filter(cemetery=cemetery)
        .annotate(ll=AsGeoJSON(Transform("geom", 4326), precision=7))
        .order_by("id")
    ):
        edges.append(
            [
                e.pk,
                e.source,
                e.target,
                round(e.length, 4),
                e.step_free,
                e.component,
                e.alley_id,
                _rounded(e.geom.coords, 4),
                json.loads(e.ll)["coordinates"],
            ]
        )
    alleys = {
        a.pk: [a.name, a.kind, a.name_accusative]
        for a in Alley.objects.filter(cemetery=cemetery).order_by("pk")
    }
    gates = []
    for g in Gate.objects.filter(cemetery=cemetery).order_by("pk"):
        lon, lat = to_srid([(g.geom.x, g.geom.y)], 4326)[0]
        gates.append(
            {
                "id": g.pk,
                "name": g.name,
                "step_free": g.step_free,
                "x": round(g.geom.x, 4),
                "y": round(g.geom.y, 4),
                "lon": lon,
                "lat": lat,
                "access": _access(still_there(access_of_gate.get(g.pk, []), g.geom)),
            }
        )
    burials: dict[int, list[dict]] = {}
    for b in Burial.objects.filter(grave__cemetery=cemetery, is_public=True).order_by("burial_date", "id"):
        burials.setdefault(b.grave_id, []).append(public_burial(b))
    photos: dict[int, list[dict]] = {}
    for p in GravePhoto.objects.filter(grave__cemetery=cemetery, grave_id__in=burials):
        photos.setdefault(p.grave_id, []).append(
            {
                "url": p.image.url,
                "kind": p.get_kind_display(),
                "taken_on": p.taken_on.isoformat(),
                "caption": p.caption,
            }
        )
    graves = []
    found = list(
        Grave.objects.filter(pk__in=burials)
        .select_related("section")
        .only("id", "row", "number", "kind", "status", "geom", "section__name")
    )
    lonlat = to_srid([(g.geom.x, g.geom.y) for g in found], 4326) if found else []
    for g, (lon, lat) in zip(found, lonlat, strict=True):
        graves.append(
            {
                "id": g.pk,
                "section": g.section.name,
                "row": g.row,
                "number": g.number,
                "label": g.label,
                "kind": g.get_kind_display(),
                "status": g.status,
                "status_label": g.get_status_display(),
                "x": round(g.geom.x, 4),
                "y": round(g.geom.y, 4),
                "lon": lon,
                "lat": lat,
                "access": _access(still_there(access_of_grave.get(g.pk, []), g.geom)),
                "burials": burials[g.pk],
                "photos": photos.get(g.pk, []),
            }
        )
    graves.sort(key=lambda g: g["id"])
    return {
        "version": OFFLINE_PACKAGE_VERSION,
        "cemetery": {
            "id": cemetery.pk,
            "name": cemetery.name,
            "slug": cemetery.slug,
            "address": cemetery.address,
            "gmina": {
                "name": cemetery.gmina.name,
                "teryt": cemetery.gmina.teryt,
                "slug": cemetery.gmina.slug,
            },
            "graph_built_at": cemetery.graph_built_at.isoformat() if cemetery.graph_built_at else None,
        },
        "outline_2180": [[_rounded(ring.coords, 3) for ring in polygon] for polygon in cemetery.boundary],
        "map": cemetery_map(cemetery),
        "alleys": alleys,
        "edges": edges,
        "gates": gates,
        "graves": graves,
    }


def cemeteries_at(point) -> QuerySet[Cemetery]:
    """Return the cemeteries whose boundary holds the point (EPSG:2180), without counts: the
    routing of residents' reports asks this for every report."""
    return Cemetery.objects.filter(boundary__intersects=point).order_by("name", "pk")
