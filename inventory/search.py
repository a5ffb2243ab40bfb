"""Register objects in the geoportal's search box: found by their number in the register."""

from __future__ import annotations

import json

from django.contrib.gis.db.models.functions import AsGeoJSON, PointOnSurface, Transform

from . import selectors
from .registers import REGISTERS


def geoportal_register_items(query: str, gmina, user, limit: int) -> list:
    """Items of the registers the user may see in the gmina whose register number starts with
    the query (e.g. "D-0012" for a tree, "L-105" for a lamp)."""
    from sip.search import SearchResult

    q = query.strip()
    if len(q) < 2:
        return []
    out = []
    for register in REGISTERS.values():
        if len(out) >= limit:
            break
        # The register's visibility rule for one gmina (as selectors.items applies it), without
        # the items' references into other registers, which a result does not show: reading
        # them asked every gmina of the region whether its register is public.
        if not selectors.can_view(user, register, gmina):
            continue
        qs = (
            register.model.objects.filter(gmina=gmina, external_id__istartswith=q)
            .only("id", "external_id")
            .annotate(point=AsGeoJSON(Transform(PointOnSurface("geom"), 4326), precision=7))
            .order_by("external_id")[: limit - len(out)]
        )
        for obj in qs:
            out.append(
                SearchResult(
                    kind="register",
                    label=f"{register.item_title.capitalize()} {obj.external_id}",
                    detail=f"{register.title}: {obj}",
                    geojson=json.loads(obj.point),
                )
            )
    return out
