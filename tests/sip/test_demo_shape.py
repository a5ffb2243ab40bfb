"""The demo looks like a real EGiB map: its shape statistics, measured in the database.

Real EGiB exports have about 60 % of urban parcels with 4 or 5 corners; lots face streets;
no street runs through a building or the cemetery; addresses stand on buildings by their
street; village field strips (łany) are long and narrow; neighbouring gminas share borders.
"""

import math

import pytest
from django.db import connection

pytestmark = [pytest.mark.django_db, pytest.mark.demo]
TOWN = "020101_1"
# Half of the widest town street strip (main road: 26 m) and a little: a lot "touches" a street
# when its street's centre line is this close.
STREET_REACH_M = 13.5


def sql(query, params=()):
    with connection.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def test_urban_parcels_are_mostly_four_or_five_sided_lots_on_streets(demo_data):
    total, regular, on_street = sql(
        """
        SELECT count(*),
               count(*) FILTER (WHERE ST_NPoints(ST_ExteriorRing(ST_GeometryN(
                   ST_SimplifyPreserveTopology(p.geom, 0.5), 1))) - 1 IN (4, 5)),
               count(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM sip_street s WHERE s.gmina_id = p.gmina_id
                   AND ST_DWithin(s.geom, p.geom, %s)))
        FROM sip_parcel p JOIN sip_gmina g ON g.id = p.gmina_id WHERE g.teryt = %s""",
        [STREET_REACH_M, TOWN],
    )[0]
    assert total > 5000
    assert regular / total >= 0.6, f"{regular}/{total} parcels with 4 or 5 corners"
    assert on_street / total >= 0.8, f"{on_street}/{total} parcels on a street"


def test_no_street_crosses_a_building_or_the_cemetery(demo_data):
    assert sql(
        "SELECT count(*) FROM sip_building b JOIN sip_street s ON s.gmina_id = b.gmina_id "
        "AND ST_Intersects(s.geom, b.geom)"
    ) == [(0,)]
    assert sql(
        "SELECT count(*) FROM cemetery_routing_cemetery c JOIN sip_street s ON s.gmina_id = c.gmina_id "
        "AND ST_Intersects(s.geom, c.boundary)"
    ) == [(0,)]
    # Each cemetery is land of its own: one parcel (or a few) covers it, no street parcel.
    for (covered,) in sql(
        "SELECT (SELECT sum(ST_Area(ST_Intersection(p.geom, c.boundary))) FROM sip_parcel p "
        "WHERE p.gmina_id = c.gmina_id AND ST_Intersects(p.geom, c.boundary) "
        "AND ST_Area(ST_Intersection(p.geom, c.boundary)) > 0.9 * ST_Area(p.geom)) / ST_Area(c.boundary) "
        "FROM cemetery_routing_cemetery c JOIN sip_gmina g ON g.id = c.gmina_id "
        "WHERE g.teryt IN ('020101_1', '020104_3')"
    ):
        assert covered > 0.999


def test_every_address_stands_on_a_building_on_a_parcel_of_its_street(demo_data):
    counts = sql(
        """
        SELECT count(*),
               count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM sip_building b
                   WHERE b.gmina_id = a.gmina_id AND ST_Contains(b.geom, a.geom))),
               count(*) FILTER (WHERE a.street_id IS NOT NULL AND NOT EXISTS (
                   SELECT 1 FROM sip_parcel p JOIN sip_street s ON s.id = a.street_id
                   WHERE p.gmina_id = a.gmina_id AND ST_Contains(p.geom, a.geom)
                   AND ST_DWithin(p.geom, s.geom, %s)))
        FROM sip_addresspoint a JOIN sip_gmina g ON g.id = a.gmina_id
        WHERE g.teryt IN ('020101_1', '020102_2', '020104_3')""",
        [STREET_REACH_M],
    )[0]
    total, off_building, off_street = counts
    assert total > 5000
    assert off_building == 0
    assert off_street == 0


def test_addresses_are_numbered_along_the_street_odd_and_even_sides(demo_data):
    """Along each street's longest line the odd numbers grow one way on one side and the even
    ones on the other, as real house numbers do."""
    rows = sql(
        """
        WITH line AS (
            SELECT s.id, (SELECT d.geom FROM ST_Dump(s.geom) d ORDER BY ST_Length(d.geom) DESC LIMIT 1) AS g
            FROM sip_street s JOIN sip_gmina gm ON gm.id = s.gmina_id WHERE gm.teryt = %s),
        located AS (
            SELECT l.id, a.house_number, a.geom, l.g, ST_LineLocatePoint(l.g, a.geom) AS t
            FROM sip_addresspoint a JOIN line l ON l.id = a.street_id WHERE ST_DWithin(a.geom, l.g, 60))
        SELECT id, house_number::int, t, ST_X(geom), ST_Y(geom),
               ST_X(ST_LineInterpolatePoint(g, greatest(t - 0.001, 0))),
               ST_Y(ST_LineInterpolatePoint(g, greatest(t - 0.001, 0))),
               ST_X(ST_LineInterpolatePoint(g, least(t + 0.001, 1))),
               ST_Y(ST_LineInterpolatePoint(g, least(t + 0.001, 1)))
        FROM located""",
        [TOWN],
    )
    by_street: dict = {}
    for street, number, along, x, y, x0, y0, x1, y1 in rows:
        side = 1 if (x1 - x0) * (y - y0) - (y1 - y0) * (x - x0) > 0 else -1
        by_street.setdefault(street, []).append((number, along, side))
    ordered = checked = 0
    for entries in by_street.values():
        for parity in (1, 0):
            side_entries = sorted((n, a, s) for n, a, s in entries if n % 2 == parity)
            if len(side_entries) < 4:
                continue
            checked += 1
            alongs = [a for _, a, _ in side_entries]
            rising = sum(b >= a for a, b in zip(alongs, alongs[1:], strict=False)) / (len(alongs) - 1)
            sides = [s for _, _, s in side_entries]
            one_side = max(sides.count(1), sides.count(-1)) / len(sides)
            if rising >= 0.8 and one_side >= 0.8:
                ordered += 1
    assert checked > 50
    assert ordered / checked >= 0.8, f"{ordered}/{checked} street sides numbered in order"


def test_village_field_strips_are_long_and_narrow(demo_data):
    from fixtures.demo.core import build_world

    strips = build_world()["020102_2"].strips
    assert len(strips) > 1000
    ratios = []
    for strip in strips[::10]:
        p = strip.representative_point()
        row = sql(
            "SELECT ST_Area(p.geom), ST_AsText(ST_OrientedEnvelope(p.geom)) FROM sip_parcel p "
            "JOIN sip_gmina g ON g.id = p.gmina_id WHERE g.teryt = '020102_2' "
            "AND ST_Contains(p.geom, ST_SetSRID(ST_MakePoint(%s, %s), 2180))",
            [p.x, p.y],
        )
        assert len(row) == 1
        area, envelope = row[0]
        assert abs(area - strip.area) < 1.0  # the strip is a parcel of its own
        xy = [tuple(map(float, c.split())) for c in envelope[len("POLYGON((") : -2].split(",")]
        sides = [math.dist(xy[0], xy[1]), math.dist(xy[1], xy[2])]
        ratios.append(max(sides) / min(sides))
    assert min(ratios) > 5, min(ratios)
    # Field and forest parcels are much larger than building plots.
    fields, plots = sql(
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ST_Area(p.geom)) FILTER (WHERE NOT EXISTS "
        "(SELECT 1 FROM sip_building b WHERE ST_Intersects(b.geom, p.geom)) AND ST_Area(p.geom) > 20000), "
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY ST_Area(p.geom)) FILTER (WHERE EXISTS "
        "(SELECT 1 FROM sip_addresspoint a WHERE ST_Contains(p.geom, a.geom))) "
        "FROM sip_parcel p JOIN sip_gmina g ON g.id = p.gmina_id WHERE g.teryt = '020102_2'"
    )[0]
    assert fields > 10 * plots


def test_town_obreby_are_whole_blocks_bordered_by_streets(demo_data):
    """A town obręb is a union of whole blocks: its borders with the neighbouring obręby run
    along street centre lines (through road parcels), so no lot or building is cut or touched
    by one."""
    total, off_street, lots_on_border = sql(
        """
        WITH town AS (SELECT id FROM sip_gmina WHERE teryt = %s),
        -- The borders inside the town; the last 20 m where a main road leaves the town are
        -- left out (its strip ends square across the road, the town's outline runs aslant).
        border AS (
            SELECT ST_Difference(ST_Union(ST_CollectionExtract(
                ST_Intersection(ST_Boundary(a.geom), ST_Boundary(b.geom)), 2)),
                (SELECT ST_Buffer(ST_Boundary(boundary), 20) FROM sip_gmina WHERE teryt = %s)) AS geom
            FROM sip_obreb a JOIN sip_obreb b ON b.gmina_id = a.gmina_id AND a.id < b.id
            AND ST_Intersects(a.geom, b.geom) WHERE a.gmina_id = (SELECT id FROM town)),
        streets AS (SELECT ST_Union(geom) AS geom FROM sip_street WHERE gmina_id = (SELECT id FROM town))
        SELECT ST_Length(border.geom),
               ST_Length(ST_Difference(border.geom, ST_Buffer(streets.geom, 1.0))),
               (SELECT count(*) FROM sip_parcel p WHERE p.gmina_id = (SELECT id FROM town)
                AND ST_DWithin(p.geom, border.geom, 1.0)
                AND (EXISTS (SELECT 1 FROM sip_building b WHERE b.gmina_id = p.gmina_id
                             AND ST_Intersects(b.geom, p.geom))
                     OR EXISTS (SELECT 1 FROM sip_landcover c WHERE c.gmina_id = p.gmina_id
                                AND ST_Intersects(c.geom, ST_PointOnSurface(p.geom)))))
        FROM border, streets""",
        [TOWN, TOWN],
    )[0]
    assert total > 10_000  # six obręby, borders of some kilometres
    assert off_street / total < 0.001, f"{off_street:.0f} of {total:.0f} m of obręb border off the streets"
    assert lots_on_border == 0, f"{lots_on_border} lots (not road parcels) on an obręb border"


def _angle(line, other, point) -> float:
    """The acute angle (degrees) between two lines where they meet at `point`."""

    def direction(g):
        s = g.project(point)
        a, b = g.interpolate(max(0.0, s - 10)), g.interpolate(min(g.length, s + 10))
        return b.x - a.x, b.y - a.y

    (ux, uy), (vx, vy) = direction(line), direction(other)
    cos = abs(ux * vx + uy * vy) / (math.hypot(ux, uy) * math.hypot(vx, vy))
    return math.degrees(math.acos(min(1.0, cos)))


def test_streets_run_in_road_parcels_and_meet_main_roads_at_a_fair_angle(demo_data):
    """No street line runs through a lot (more than 0.5 m inside a parcel that is not a road
    parcel); a town's local street ends on the main road it meets, crossing it at 40° or so at
    least, not running on alongside it through the main road's frontage lots."""
    import shapely
    from shapely.ops import unary_union

    from fixtures.demo.core import build_world

    for teryt, gw in build_world().items():
        lots = [p.geom for pieces in gw.pieces for p in pieces if p.use != "road"]
        tree = shapely.STRtree(lots)
        inner = shapely.buffer(lots, -0.25)
        through = []
        for road in gw.roads:
            for line in road.lines:
                for i in tree.query(line, predicate="intersects"):
                    length = line.intersection(inner[i]).length
                    if length > 0.5:
                        through.append((road.name, round(length, 1)))
        assert through == [], (teryt, through[:10])
        mains = [ln for road in gw.roads if road.priority <= 1 for ln in road.lines]
        if teryt not in ("020101_1", "020104_3"):
            continue
        main = unary_union(mains)
        angles = []
        for road in gw.roads:
            if road.priority != 6:  # the local streets
                continue
            for line in road.lines:
                met = line.intersection(main.buffer(12))
                for part in getattr(met, "geoms", [met]):
                    if part.is_empty:
                        continue
                    point = part.centroid
                    near = min(mains, key=lambda m, p=point: m.distance(p))
                    angles.append(_angle(line, near, point))
        assert len(angles) > 30, (teryt, len(angles))
        shallow = [round(a) for a in angles if a < 35]
        assert shallow == [], (teryt, shallow)
        # Each local street lies in one district, so in one obręb: none crosses an obręb border.
        in_two = [
            road.name
            for road in gw.roads
            if road.priority == 6
            and sum(1 for o in gw.obreby if unary_union(road.lines).intersection(o).length > 15) > 1
        ]
        assert in_two == [], (teryt, in_two)


def shared_border(a: str, b: str) -> tuple[float, float, int]:
    """Of two gminas (TERYT): the length of their common border, the area both cover, and how
    many corners of b's border lie near a's border but not on it (0: one common line)."""
    return sql(
        """
        WITH x AS (SELECT boundary FROM sip_gmina WHERE teryt = %s),
             y AS (SELECT boundary FROM sip_gmina WHERE teryt = %s)
        SELECT ST_Length(ST_Intersection(ST_Boundary(x.boundary), ST_Boundary(y.boundary))),
               ST_Area(ST_Intersection(x.boundary, y.boundary)),
               (SELECT count(*) FROM ST_DumpPoints(ST_Boundary(y.boundary)) d
                WHERE ST_DWithin(d.geom, ST_Boundary(x.boundary), 0.05)
                AND ST_Distance(d.geom, ST_Boundary(x.boundary)) > 1e-6)
        FROM x, y""",
        [a, b],
    )[0]


def test_neighbouring_gminas_share_their_borders_exactly(demo_data):
    for a, b in (("020101_1", "020102_2"), ("020102_2", "020104_3")):
        shared, overlap, loose = shared_border(a, b)
        assert shared > 5000, (a, b, shared)
        assert overlap < 0.01, (a, b, overlap)
        # Every corner of one border that comes near the other lies on it: one common line.
        assert loose == 0, (a, b, loose)


def test_buildings_and_land_cover(demo_data):
    kinds = dict(
        sql(
            "SELECT l.kind, sum(ST_Area(l.geom)) FROM sip_landcover l JOIN sip_gmina g ON g.id = l.gmina_id "
            "WHERE g.teryt IN ('020101_1', '020102_2', '020104_3') GROUP BY 1"
        )
    )
    assert {"las", "woda", "zabudowa", "pola", "park"} <= set(kinds)
    assert kinds["pola"] > kinds["zabudowa"] > kinds["woda"]
    # Buildings stand on lots, set back from the road land.
    assert sql(
        "SELECT count(*) FROM sip_building b WHERE NOT EXISTS (SELECT 1 FROM sip_parcel p "
        "WHERE p.gmina_id = b.gmina_id AND p.geom && b.geom "
        "AND ST_CoveredBy(b.geom, ST_Buffer(p.geom, 0.01)))"
    ) == [(0,)]
    assert (
        sql(
            "SELECT count(*) FROM sip_building b JOIN sip_gmina g ON g.id = b.gmina_id WHERE g.teryt = %s",
            [TOWN],
        )[0][0]
        > 5000
    )
