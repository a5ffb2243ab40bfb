"""Every routing query of the app: building the alley graph and walking routes (pgRouting).

Like Geotrek-admin's PathRouter, one small module owns the SQL; values always travel as query
parameters. pgRouting takes its inner queries as text, so those are assembled by PostgreSQL's
own format() with %L (a quoted literal) from parameters, never by Python string formatting.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

EDGE_TABLE = "cemetery_routing_alleyedge"
# Coordinates are rounded to this grid before noding (metres).
NODE_GRID_M = 0.001
# Piece ends closer than this are one junction (metres): an alley crossing another a fraction of
# a millimetre from where two alleys join would otherwise leave a sliver between two nodes.
JUNCTION_M = 0.01
# pgr_withPoints finds no path when a point sits exactly on a vertex (fraction 0 or 1).
_FRACTION_MARGIN = 1e-7

# Alleys with their ends joined to nearby alleys, in a temporary table build() nodes next.
# An end within %(snap)s metres of another alley is moved to the nearest point of that alley, and
# that point becomes a vertex of the alley (ST_Snap inserts it into the segment): ST_Node splits
# lines only where they meet exactly, so a T-junction that misses the avenue by a fraction of a
# millimetre (or lies on it only up to rounding) would otherwise stay two separate paths. An end
# that already meets the alley is "moved" by 0 m and only made a vertex of it.
_SNAP_ENDS_SQL = """
CREATE TEMPORARY TABLE sip_snapped_alleys ON COMMIT DROP AS
WITH alleys AS (
    SELECT id, step_free, ST_SnapToGrid(geom, %(grid)s) AS geom
    FROM cemetery_routing_alley WHERE cemetery_id = %(cemetery)s
),
ends AS (
    SELECT a.id, e.first, e.pt
    FROM alleys a CROSS JOIN LATERAL (
        VALUES (true, ST_StartPoint(a.geom)), (false, ST_EndPoint(a.geom))
    ) AS e(first, pt)
    WHERE NOT ST_IsClosed(a.geom)
),
snaps AS (
    SELECT l.id, l.first, o.id AS onto, ST_Distance(o.geom, l.pt) AS distance,
           ST_ClosestPoint(o.geom, l.pt) AS pt
    FROM ends l CROSS JOIN LATERAL (
        SELECT id, geom FROM alleys o
        WHERE o.id <> l.id AND ST_DWithin(o.geom, l.pt, %(snap)s)
        ORDER BY o.geom <-> l.pt LIMIT 1
    ) o
),
moved AS (
    SELECT a.id, a.step_free,
           ST_SetPoint(
               ST_SetPoint(a.geom, 0, COALESCE(s1.pt, ST_StartPoint(a.geom))),
               ST_NPoints(a.geom) - 1, COALESCE(s2.pt, ST_EndPoint(a.geom))
           ) AS geom
    FROM alleys a
    LEFT JOIN snaps s1 ON s1.id = a.id AND s1.first
    LEFT JOIN snaps s2 ON s2.id = a.id AND NOT s2.first
)
SELECT m.id, m.step_free, ST_SnapToGrid(
    COALESCE(ST_Snap(m.geom, (SELECT ST_Collect(s.pt) FROM snaps s WHERE s.onto = m.id), %(grid)s), m.geom),
    %(grid)s) AS geom,
    (SELECT jsonb_agg(jsonb_build_array(s.first, s.onto, s.distance)) FROM snaps s WHERE s.id = m.id) AS snaps
FROM moved m
"""

_BUILD_SQL = """
WITH alleys AS (
    SELECT id, step_free, geom FROM sip_snapped_alleys
),
pieces AS (
    SELECT (ST_Dump(ST_Node(ST_Collect(geom)))).geom AS geom FROM alleys
),
attributed AS (
    SELECT p.geom, a.id AS alley_id, a.step_free
    FROM pieces p
    CROSS JOIN LATERAL (
        SELECT id, step_free FROM alleys
        ORDER BY alleys.geom <-> ST_LineInterpolatePoint(p.geom, 0.5)
        LIMIT 1
    ) a
    WHERE ST_Length(p.geom) > %(grid)s
),
ends AS (
    SELECT geom, alley_id, step_free, ST_StartPoint(geom) AS s, ST_EndPoint(geom) AS t FROM attributed
),
points AS (
    SELECT s AS pt FROM ends UNION SELECT t FROM ends
),
clustered AS (
    SELECT pt, ST_ClusterDBSCAN(pt, eps := %(junction)s, minpoints := 1) OVER () AS cid FROM points
),
junctions AS (
    SELECT cid, ST_SnapToGrid(ST_Centroid(ST_Collect(pt)), %(grid)s) AS pt FROM clustered GROUP BY cid
),
nodes AS (
    SELECT c.pt, j.pt AS node_pt, %(node_base)s + dense_rank() OVER (ORDER BY ST_X(j.pt), ST_Y(j.pt)) AS id
    FROM clustered c JOIN junctions j USING (cid)
)
INSERT INTO cemetery_routing_alleyedge
    (cemetery_id, alley_id, source, target, length, step_free, component, geom)
SELECT %(cemetery)s, e.alley_id, ns.id, nt.id, ST_Length(x.geom), e.step_free, 0, x.geom
FROM ends e JOIN nodes ns ON ns.pt = e.s JOIN nodes nt ON nt.pt = e.t
CROSS JOIN LATERAL (
    SELECT ST_SetPoint(ST_SetPoint(e.geom, 0, ns.node_pt), ST_NPoints(e.geom) - 1, nt.node_pt) AS geom
) x
WHERE ns.id <> nt.id OR ST_Length(e.geom) > %(junction)s
"""

# What the snapping did: (alley, its start or end, the alley it was joined to, how far it was).
_SNAPS_REPORT_SQL = """
SELECT a.id, a.name, a.kind, (j.value ->> 0)::boolean, o.id, o.name, o.kind, (j.value ->> 2)::float8
FROM sip_snapped_alleys s
CROSS JOIN LATERAL jsonb_array_elements(s.snaps) AS j(value)
JOIN cemetery_routing_alley a ON a.id = s.id
JOIN cemetery_routing_alley o ON o.id = (j.value ->> 1)::bigint
WHERE (j.value ->> 2)::float8 > 1e-6  -- moved, not only made a vertex
ORDER BY (j.value ->> 2)::float8 DESC, a.id
"""

# Ends of alleys that still meet nothing after the build (a node of one edge), with the nearest
# other alley and how far it is: a dead-end path, or a gap wider than the snapping tolerance.
_DANGLING_SQL = """
WITH degree AS (
    SELECT node, count(*) AS n FROM (
        SELECT source AS node FROM cemetery_routing_alleyedge WHERE cemetery_id = %(cemetery)s
        UNION ALL
        SELECT target FROM cemetery_routing_alleyedge WHERE cemetery_id = %(cemetery)s
    ) u GROUP BY node
),
loose AS (
    SELECT e.alley_id, CASE WHEN d.node = e.source THEN ST_StartPoint(e.geom)
                            ELSE ST_EndPoint(e.geom) END AS pt
    FROM degree d JOIN cemetery_routing_alleyedge e
      ON e.cemetery_id = %(cemetery)s AND d.node IN (e.source, e.target)
    WHERE d.n = 1
)
SELECT a.id, a.name, a.kind, ST_X(l.pt), ST_Y(l.pt), o.id, o.name, o.kind, o.distance
FROM loose l JOIN cemetery_routing_alley a ON a.id = l.alley_id
LEFT JOIN LATERAL (
    SELECT x.id, x.name, x.kind, ST_Distance(x.geom, l.pt) AS distance
    FROM cemetery_routing_alley x
    WHERE x.cemetery_id = %(cemetery)s AND x.id <> l.alley_id
    ORDER BY x.geom <-> l.pt LIMIT 1
) o ON true
ORDER BY o.distance NULLS LAST, a.id
"""

_COMPONENTS_SQL = """
UPDATE cemetery_routing_alleyedge e SET component = c.component
FROM pgr_connectedComponents(
    format('SELECT id, source, target, length AS cost, length AS reverse_cost
            FROM cemetery_routing_alleyedge WHERE cemetery_id = %%L', %(cemetery)s)
) AS c
WHERE e.cemetery_id = %(cemetery)s AND c.node = e.source
"""

# Where every grave and gate meets the network, for all edges and for the step-free ones (an
# object whose nearest edge is step-free has the same answer for both: searched once).
ACCESS_SQL = """
WITH objects AS (
    SELECT id AS grave_id, NULL::bigint AS gate_id, geom FROM cemetery_routing_grave
    WHERE cemetery_id = %(cemetery)s
    UNION ALL
    SELECT NULL, id, geom FROM cemetery_routing_gate WHERE cemetery_id = %(cemetery)s
),
nearest AS (
    SELECT o.grave_id, o.gate_id, o.geom, e.id AS edge_id, e.geom AS edge_geom, e.component, e.step_free
    FROM objects o CROSS JOIN LATERAL (
        SELECT id, geom, component, step_free FROM cemetery_routing_alleyedge
        WHERE cemetery_id = %(cemetery)s ORDER BY geom <-> o.geom LIMIT 1
    ) e
),
nearest_step_free AS (
    SELECT grave_id, gate_id, geom, edge_id, edge_geom, component FROM nearest WHERE step_free
    UNION ALL
    SELECT n.grave_id, n.gate_id, n.geom, e.id, e.geom, e.component
    FROM nearest n CROSS JOIN LATERAL (
        SELECT id, geom, component FROM cemetery_routing_alleyedge
        WHERE cemetery_id = %(cemetery)s AND step_free ORDER BY geom <-> n.geom LIMIT 1
    ) e
    WHERE NOT n.step_free
)
INSERT INTO cemetery_routing_networkaccess
    (cemetery_id, grave_id, gate_id, step_free, geom, edge_id, fraction, distance, component, on_network)
SELECT %(cemetery)s, grave_id, gate_id, sf, geom, edge_id, ST_LineLocatePoint(edge_geom, geom),
       ST_Distance(edge_geom, geom), component, ST_ClosestPoint(edge_geom, geom)
FROM (
    SELECT false AS sf, grave_id, gate_id, geom, edge_id, edge_geom, component FROM nearest
    UNION ALL
    SELECT true, grave_id, gate_id, geom, edge_id, edge_geom, component FROM nearest_step_free
) AS a
"""

_REPORT_SQL = """
SELECT component, count(*), sum(length), count(DISTINCT source) + count(DISTINCT target)
FROM cemetery_routing_alleyedge WHERE cemetery_id = %(cemetery)s
GROUP BY component ORDER BY count(*) DESC
"""

_GATE_COMPONENTS_SQL = """
SELECT g.name, e.component, ST_Distance(e.geom, g.geom)
FROM cemetery_routing_gate g
CROSS JOIN LATERAL (
    SELECT component, geom FROM cemetery_routing_alleyedge
    WHERE cemetery_id = g.cemetery_id ORDER BY geom <-> g.geom LIMIT 1
) e
WHERE g.cemetery_id = %(cemetery)s ORDER BY g.name
"""

_SNAP_SQL = """
SELECT p.pid, e.id, ST_LineLocatePoint(e.geom, p.pt), e.component,
       ST_Distance(e.geom, p.pt), ST_X(ST_ClosestPoint(e.geom, p.pt)), ST_Y(ST_ClosestPoint(e.geom, p.pt))
FROM (
    SELECT pid, ST_SetSRID(ST_MakePoint(x, y), 2180) AS pt
    FROM unnest(%(pids)s::bigint[], %(xs)s::float8[], %(ys)s::float8[]) AS t(pid, x, y)
) p
CROSS JOIN LATERAL (
    SELECT id, geom, component FROM cemetery_routing_alleyedge
    WHERE cemetery_id = %(cemetery)s AND (step_free OR NOT %(step_free)s)
    ORDER BY geom <-> p.pt LIMIT 1
) e
"""

_EDGES_INNER = """format('SELECT id, source, target, length AS cost, length AS reverse_cost
    FROM cemetery_routing_alleyedge WHERE cemetery_id = %%L AND (step_free OR NOT %%L)',
    %(cemetery)s, %(step_free)s)"""
_POINTS_INNER = """format('SELECT pid, edge_id, fraction
    FROM unnest(%%L::bigint[], %%L::bigint[], %%L::float8[]) AS t(pid, edge_id, fraction)',
    %(pids)s, %(edges)s, %(fractions)s)"""

# The bare pgRouting call (the benchmark's baseline): costs from every start point to the target.
BARE_ROUTE_SQL = f"""
SELECT start_pid, path_seq, node, edge, cost, agg_cost
FROM pgr_withPoints({_EDGES_INNER}, {_POINTS_INNER}, %(starts)s::bigint[], %(target)s, directed => false)
"""

_ROUTE_SQL = f"""
WITH pts AS (
    SELECT * FROM unnest(%(pids)s::bigint[], %(fractions)s::float8[], %(access)s::float8[])
        AS t(pid, fraction, access)
),
path AS (
    SELECT start_pid, path_seq, node, edge, cost, agg_cost
    FROM pgr_withPoints({_EDGES_INNER}, {_POINTS_INNER}, %(starts)s::bigint[], %(target)s, directed => false)
),
best AS (
    SELECT p.start_pid FROM path p JOIN pts ON pts.pid = -p.start_pid
    WHERE p.edge = -1 ORDER BY p.agg_cost + pts.access LIMIT 1
),
legs AS (
    SELECT p.path_seq, p.node, p.edge, p.start_pid,
           lead(p.node) OVER (ORDER BY p.path_seq) AS next_node
    FROM path p JOIN best USING (start_pid)
)
SELECT l.start_pid, l.edge, e.alley_id, a.name, a.kind, a.name_accusative, ST_AsBinary(
    CASE WHEN f.a <= f.b THEN ST_LineSubstring(e.geom, f.a, f.b)
         ELSE ST_Reverse(ST_LineSubstring(e.geom, f.b, f.a)) END)
FROM legs l
JOIN cemetery_routing_alleyedge e ON e.id = l.edge
JOIN cemetery_routing_alley a ON a.id = e.alley_id
CROSS JOIN LATERAL (
    SELECT CASE WHEN l.node < 0 THEN (SELECT fraction FROM pts WHERE pid = -l.node)
                WHEN l.node = e.source THEN 0.0 ELSE 1.0 END AS a,
           CASE WHEN l.next_node < 0 THEN (SELECT fraction FROM pts WHERE pid = -l.next_node)
                WHEN l.next_node = e.source THEN 0.0 ELSE 1.0 END AS b
) f
ORDER BY l.path_seq
"""


# The whole route in one round trip. The grave and the starts (gates of its cemetery, one chosen
# gate, or the walker's point if it lies inside the cemetery) are moved onto their nearest edges
# (for graves and gates where they still stand, as build() stored it in networkaccess: the
# stored row comes first in `(stored) UNION ALL (search) LIMIT 1`, and the search never runs
# when it is found; a plan that calls pgr_withPoints, which is PARALLEL UNSAFE, is never
# parallel, so the Append reads its branches in order);
# starts in another connected part than the grave are dropped; pgRouting walks from every start
# to the grave; the best start (network plus its access step) wins; its edges come back cut at
# the points and turned in walking order. No row means no route: route_to_grave then asks why.
# It is a PL/pgSQL function so that PostgreSQL keeps its plan per connection: planning this
# query costs about as much as the walk itself. Its text is versioned in sql/route_vN.sql, each
# version pinned by the migration that installs it (v1: 0003, v2: 0004, v3: 0005), so a fresh
# database migrates through each version as it was; a change is a new route_vN+1.sql and a new
# migration that runs it (reverse: the previous file). route_to_grave expects this version:
ROUTE_FUNCTION_VERSION = 3
DROP_ROUTE_FUNCTION_SQL = (
    "DROP FUNCTION IF EXISTS cemetery_routing_route(bigint, bigint, float8, float8, boolean)"
)


@dataclass(frozen=True)
class Component:
    number: int
    edges: int
    length_m: float
    gates: tuple[str, ...]


@dataclass(frozen=True)
class AlleyEnd:
    """An alley's end that the build joined to another alley (snapped), or that still meets
    nothing (dangling; `other` is then the nearest alley, or None when there is no other)."""

    alley_id: int
    alley: str
    other_id: int | None
    other: str | None
    distance: float
    first: bool | None = None  # snapped: its start (True) or its end (False)
    x: float | None = None  # dangling: where it is (EPSG:2180)
    y: float | None = None


@dataclass(frozen=True)
class GraphReport:
    edges: int
    components: tuple[Component, ...]
    gates_off_network: tuple[tuple[str, float], ...]
    snapped: tuple[AlleyEnd, ...] = ()
    dangling: tuple[AlleyEnd, ...] = ()

    @property
    def disconnected(self) -> tuple[Component, ...]:
        """Parts of the network that no gate reaches."""
        return tuple(c for c in self.components if not c.gates)


@dataclass(frozen=True)
class Snap:
    """A point moved onto the nearest edge: which edge, where along it, how far it was."""

    pid: int
    edge_id: int
    fraction: float
    component: int
    distance: float
    x: float
    y: float


@dataclass(frozen=True)
class Piece:
    edge_id: int
    alley_id: int
    name: str
    kind: str
    name_accusative: str
    wkb: bytes


def _alley_label(name: str, kind: str) -> str:
    """An alley as a report names it: its name, or its kind for an unnamed path."""
    from .models import Alley

    if name:
        return name
    return str(Alley.Kind(kind).label) if kind in Alley.Kind.values else kind


def _cm(metres: float) -> str:
    return f"{metres * 100:.1f} cm".replace(".", ",")


def snap_lines(report: GraphReport) -> list[str]:
    """Polish lines of the report, one per alley end joined to another alley."""
    return [
        f"Połączono {'początek' if end.first else 'koniec'} alejki „{end.alley}” [{end.alley_id}] "
        f"z alejką „{end.other}” [{end.other_id}] (przesunięty o {_cm(end.distance)})."
        for end in report.snapped
    ]


def dangling_lines(report: GraphReport) -> list[str]:
    """Polish lines of the report, one per alley end that meets no other alley."""
    out = []
    for end in report.dangling:
        text = (
            f"Koniec alejki „{end.alley}” [{end.alley_id}] ({end.x:.2f}, {end.y:.2f}) "
            "nie łączy się z inną alejką"
        )
        if end.other is not None:
            text += f"; najbliższa: „{end.other}” [{end.other_id}] w odległości {_cm(end.distance)}"
        out.append(text + ".")
    return out


class PathRouter:
    """Walking routes over one cemetery's alley graph."""

    def __init__(self, cemetery_id: int):
        self.cemetery_id = cemetery_id

    def build(self) -> GraphReport:
        """Join alley ends to alleys they nearly meet, node the alleys at every crossing, replace
        the cemetery's edges, number the connected parts; return a report (parts, gates of each,
        gates far from every alley, ends joined, ends still meeting nothing)."""
        from .models import Cemetery

        params = {
            "cemetery": self.cemetery_id,
            "grid": NODE_GRID_M,
            "node_base": self.cemetery_id * 10**7,
            "junction": JUNCTION_M,
            "snap": float(getattr(settings, "SIP_ALLEY_SNAP_M", 0.5)),
        }
        # One rebuild of a cemetery at a time (two alley edits saved at once): the second waits
        # for the first and then replaces its edges, instead of failing on duplicate access rows.
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT 1 FROM cemetery_routing_cemetery WHERE id = %(cemetery)s FOR UPDATE", params
                )
                cur.execute(
                    "DELETE FROM cemetery_routing_networkaccess WHERE cemetery_id = %(cemetery)s", params
                )
                cur.execute(f"DELETE FROM {EDGE_TABLE} WHERE cemetery_id = %(cemetery)s", params)
                cur.execute("DROP TABLE IF EXISTS sip_snapped_alleys")
                cur.execute(_SNAP_ENDS_SQL, params)
                cur.execute(_BUILD_SQL, params)
                cur.execute(_SNAPS_REPORT_SQL, params)
                snapped = tuple(
                    AlleyEnd(
                        alley_id=r[0],
                        alley=_alley_label(r[1], r[2]),
                        first=r[3],
                        other_id=r[4],
                        other=_alley_label(r[5], r[6]),
                        distance=float(r[7]),
                    )
                    for r in cur.fetchall()
                )
                cur.execute("DROP TABLE sip_snapped_alleys")
                cur.execute(_COMPONENTS_SQL, params)
                # Statistics of the edges just written (this transaction's rows count): without
                # them a new cemetery's edges look like one row, and the planner sorts every
                # edge for each grave instead of asking the spatial index (5,000 graves: 13 s
                # instead of 1 s). Skipped with a warning where the role does not own the table.
                cur.execute(f"ANALYZE {EDGE_TABLE}")
                cur.execute(ACCESS_SQL, params)
            Cemetery.objects.filter(pk=self.cemetery_id).update(graph_built_at=timezone.now())
        return replace(self.report(), snapped=snapped)

    def report(self) -> GraphReport:
        """The connected parts of the current graph and the gates that reach each."""
        params = {"cemetery": self.cemetery_id}
        with connection.cursor() as cur:
            cur.execute(_GATE_COMPONENTS_SQL, params)
            gates = cur.fetchall()
            cur.execute(_REPORT_SQL, params)
            rows = cur.fetchall()
        components = tuple(
            Component(
                number=int(number),
                edges=int(edges),
                length_m=float(length),
                gates=tuple(name for name, comp, _ in gates if comp == number),
            )
            for number, edges, length, _ in rows
        )
        far = tuple((name, float(dist)) for name, _, dist in gates if dist > 5.0)
        with connection.cursor() as cur:
            cur.execute(_DANGLING_SQL, params)
            dangling = tuple(
                AlleyEnd(
                    alley_id=r[0],
                    alley=_alley_label(r[1], r[2]),
                    x=r[3],
                    y=r[4],
                    other_id=r[5],
                    other=_alley_label(r[6], r[7]) if r[5] is not None else None,
                    distance=float(r[8]) if r[8] is not None else float("inf"),
                )
                for r in cur.fetchall()
            )
        return GraphReport(
            edges=sum(c.edges for c in components),
            components=components,
            gates_off_network=far,
            dangling=dangling,
        )

    def snap(self, points: list[tuple[int, float, float]], *, step_free: bool) -> dict[int, Snap]:
        """Move each (pid, x, y) in EPSG:2180 onto its nearest edge; return {pid: Snap}."""
        params = {
            "cemetery": self.cemetery_id,
            "step_free": step_free,
            "pids": [p[0] for p in points],
            "xs": [p[1] for p in points],
            "ys": [p[2] for p in points],
        }
        with connection.cursor() as cur:
            cur.execute(_SNAP_SQL, params)
            rows = cur.fetchall()
        return {
            int(r[0]): Snap(int(r[0]), int(r[1]), float(r[2]), int(r[3]), float(r[4]), r[5], r[6])
            for r in rows
        }

    def _params(self, starts: list[Snap], target: Snap, step_free: bool) -> dict:
        snaps = [target, *starts]
        return {
            "cemetery": self.cemetery_id,
            "step_free": step_free,
            "pids": [s.pid for s in snaps],
            "edges": [s.edge_id for s in snaps],
            "fractions": [min(max(s.fraction, _FRACTION_MARGIN), 1 - _FRACTION_MARGIN) for s in snaps],
            "access": [s.distance for s in snaps],
            "starts": [-s.pid for s in starts],
            "target": -target.pid,
        }

    def shortest(
        self, starts: list[Snap], target: Snap, *, step_free: bool
    ) -> tuple[int | None, list[Piece]]:
        """The shortest walk from the best start (network length plus its access step) to the
        target: (pid of that start, pieces of edges in walking order); (None, []) if none."""
        with connection.cursor() as cur:
            cur.execute(_ROUTE_SQL, self._params(starts, target, step_free))
            rows = cur.fetchall()
        if not rows:
            return None, []
        return -int(rows[0][0]), [Piece(int(r[1]), int(r[2]), r[3], r[4], r[5], bytes(r[6])) for r in rows]

    @staticmethod
    def route(
        grave_id: int, *, gate_id: int | None, start: tuple[float, float] | None, step_free: bool
    ) -> list[tuple]:
        """The whole route to a grave in one query (see sql/route_v3.sql); [] when there is none."""
        x, y = start if start is not None else (None, None)
        with connection.cursor() as cur:
            cur.execute(
                "SELECT * FROM cemetery_routing_route(%s, %s, %s, %s, %s)",
                [grave_id, gate_id, x, y, step_free],
            )
            return cur.fetchall()

    def bare(self, starts: list[Snap], target: Snap, *, step_free: bool = False) -> list[tuple]:
        """Run only the pgRouting call (benchmark baseline); return its rows."""
        with connection.cursor() as cur:
            cur.execute(BARE_ROUTE_SQL, self._params(starts, target, step_free))
            return cur.fetchall()
