"""The map and the API read one rule of which register rows a visitor sees (the register's
public/internal default and each gmina's choice): the rows the WFS layer of a register returns
are the rows the register API returns, for a resident, the gmina's staff and another gmina's staff,
before and after the gmina changes its choice."""

from __future__ import annotations

import json

import pytest
from django.contrib.gis.db.models import Extent
from django.db import connection
from rest_framework.test import APIClient

from inventory import services
from inventory.registers import REGISTERS
from inventory.selectors import MAX_FEATURES

from .conftest import SAMPLES, run_import

pytestmark = pytest.mark.django_db

LAYERS = {"trees": "drzewa", "lighting-lines": "oswietlenie-linie", "lamps": "oswietlenie-latarnie"}


def map_ids(client, slug, box) -> set[int]:
    minx, miny, maxx, maxy = box
    resp = client.get(
        "/ows/wfs",
        {
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": LAYERS[slug],
            "OUTPUTFORMAT": "application/json",
            # EPSG:2180 in URN form: northing first.
            "BBOX": f"{miny},{minx},{maxy},{maxx},urn:ogc:def:crs:EPSG::2180",
        },
    )
    assert resp.status_code == 200, resp.content[:300]
    body = b"".join(resp.streaming_content) if resp.streaming else resp.content
    return {int(str(f["id"]).rsplit(".", 1)[-1]) for f in json.loads(body)["features"]}


def api_ids(client, slug, box) -> set[int]:
    """The ids of every row the API lists, page by page (other tests' demo data may be there)."""
    ids: set[int] = set()
    offset = 0
    bbox = ",".join(str(v) for v in box)
    while True:
        resp = client.get(
            f"/api/inventory/{slug}/",
            {"limit": MAX_FEATURES, "offset": offset, "bbox": bbox, "bbox_srid": 2180},
        )
        assert resp.status_code == 200, resp.content[:300]
        body = resp.json()
        ids |= {f["id"] for f in body["features"]}
        offset += MAX_FEATURES
        if offset >= body["numberMatched"]:
            return ids


@pytest.fixture
def registers(osiecznica):
    for slug, name in (("trees", "drzewa"), ("lamps", "latarnie")):
        run_import(
            slug, str(SAMPLES / f"{name}_osiecznica.xlsx"), "--gmina", "020105_2", "--errors", "/dev/null"
        )
    run_import("lighting-lines", str(SAMPLES / "linie_oswietlenia_osiecznica.geojson"), "--gmina", "020105_2")
    return osiecznica


@pytest.mark.parametrize("visitor", [None, "osiecznica_viewer", "other_editor"])
def test_map_shows_the_rows_the_api_returns(registers, visitor, request, osiecznica_editor):
    client = APIClient()
    if visitor:
        user = request.getfixturevalue(visitor)
        client.force_authenticate(user)
        client.force_login(user)
    staff = visitor == "osiecznica_viewer"
    # Both read the same box around the imported rows (with the demo's registers nearby): the
    # whole demo's tens of thousands of rows, read nine times over, made the test a minute long.
    extents = [
        REGISTERS[slug].model.objects.filter(gmina=registers).aggregate(e=Extent("geom"))["e"]
        for slug in LAYERS
    ]
    box = (
        min(e[0] for e in extents) - 200,
        min(e[1] for e in extents) - 200,
        max(e[2] for e in extents) + 200,
        max(e[3] for e in extents) + 200,
    )
    for choice in (None, False, True):
        if choice is not None:
            for register in REGISTERS.values():
                services.set_register_public(
                    actor=osiecznica_editor, register=register, gmina=registers, is_public=choice
                )
        for slug in LAYERS:
            on_map, in_api = map_ids(client, slug, box), api_ids(client, slug, box)
            assert on_map == in_api, (slug, choice)
            public = REGISTERS[slug].public_by_default if choice is None else choice
            own = set(REGISTERS[slug].model.objects.filter(gmina=registers).values_list("pk", flat=True))
            assert own and (own <= in_api if public or staff else not own & in_api), (slug, choice)


def test_the_default_lives_in_one_sql_rule_that_the_views_read():
    with connection.cursor() as cursor:
        for name in ("inventory_tree_map", "inventory_lamp_map", "inventory_lightingline_map"):
            cursor.execute("SELECT pg_get_viewdef(%s::regclass)", [name])
            view = cursor.fetchone()[0]
            assert "inventory_register_is_public" in view and "registervisibility" not in view, name
    assert REGISTERS["lighting-lines"].public_by_default is False
    assert all(r.public_by_default for slug, r in REGISTERS.items() if slug != "lighting-lines")
