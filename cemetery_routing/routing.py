"""Every routing query of the app: building the alley graph and walking routes (pgRouting).

Like Geotrek-admin's PathRouter, one small module owns the SQL; values always travel as query
parameters. pgRouting takes its inner queries as text, so those are assembled by PostgreSQL's
own format() with %L (a quoted literal) from parameters, never by Python string formatting.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

EDGE_TABLE = "cemetery_routing_alleyedge"
# Junctions closer than this are one junction (metres).
NODE_GRID_M = 0.001
# pgr_withPoints finds no path when a point sits exactly on a vertex (fraction 0 or 1).
_FRACTION_MARGIN = 1e-7

_BUILD_SQL = """
WITH alleys AS (
    SELECT id, step_free, ST_SnapToGrid(geom, %(grid)s) AS geom
    FROM cemetery_routing_alley WHERE cemetery_id = %(cemetery)s
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
    SELECT geom, alley_id, step_free,
           ST_SnapToGrid(ST_StartPoint(geom), %(grid)s) AS s,
           ST_SnapToGrid(ST_EndPoint(geom), %(grid)s) AS t
    FROM attributed
),
nodes AS (
    SELECT pt, %(node_base)s + row_number() OVER (ORDER BY ST_X(pt), ST_Y(pt)) AS id
    FROM (SELECT s AS pt FROM ends UNION SELECT t FROM ends) AS u
)
INSERT INTO cemetery_routing_alleyedge
    (cemetery_id, alley_id, source, target, length, step_free, component, geom)
SELECT %(cemetery)s, e.alley_id, ns.id, nt.id, ST_Length(e.geom), e.step_free, 0, e.geom
FROM ends e JOIN nodes ns ON ns.pt = e.s JOIN nodes nt ON nt.pt = e.t
"""

_COMPONENTS_SQL = """
UPDATE cemetery_routing_alleyedge e SET component = c.component
FROM pgr_connectedComponents(
    format('SELECT id, source, target, length AS cost, length AS reverse_cost
            FROM cemetery_routing_alleyedge WHERE cemetery_id = %%L', %(cemetery)s)
) AS c
WHERE e.cemetery_id = %(cemetery)s AND c.node = e.source
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


@dataclass(frozen=True)
class Component:
    number: int
    edges: int
    length_m: float
    gates: tuple[str, ...]


@dataclass(frozen=True)
class GraphReport:
    edges: int
    components: tuple[Component, ...]
    gates_off_network: tuple[tuple[str, float], ...]

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


class PathRouter:
    """Walking routes over one cemetery's alley graph."""

    def __init__(self, cemetery_id: int):
        self.cemetery_id = cemetery_id

    def build(self) -> GraphReport:
        """Node the cemetery's alleys at every crossing, replace its edges, number the connected
        parts; return a report (parts, gates of each, gates far from every alley)."""
        from .models import Cemetery

        params = {"cemetery": self.cemetery_id, "grid": NODE_GRID_M, "node_base": self.cemetery_id * 10**7}
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {EDGE_TABLE} WHERE cemetery_id = %(cemetery)s", params)
            cur.execute(_BUILD_SQL, params)
            cur.execute(_COMPONENTS_SQL, params)
        Cemetery.objects.filter(pk=self.cemetery_id).update(graph_built_at=timezone.now())
        return self.report()

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
        return GraphReport(
            edges=sum(c.edges for c in components), components=components, gates_off_network=far
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

    def bare(self, starts: list[Snap], target: Snap, *, step_free: bool = False) -> list[tuple]:
        """Run only the pgRouting call (benchmark baseline); return its rows."""
        with connection.cursor() as cur:
            cur.execute(BARE_ROUTE_SQL, self._params(starts, target, step_free))
            return cur.fetchall()
