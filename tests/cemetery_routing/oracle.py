"""An independent oracle for walking routes: networkx over the alleys read back from the
database (or through the WFS), joined and noded here in Python (not by build_cemetery_graph),
with the same rules: an alley's end within the snapping tolerance (SIP_ALLEY_SNAP_M) of another
alley is moved to the nearest point of that alley; start at a gate or point, walk to the alley
nearest the grave, then a straight last step."""

from __future__ import annotations

import networkx as nx
import shapely
from shapely.geometry import LineString, Point
from shapely.ops import unary_union

from cemetery_routing.models import Alley, Gate


def _key(xy) -> tuple[float, float]:
    return (round(xy[0], 3), round(xy[1], 3))


def _rounded(coords) -> list[tuple[float, float]]:
    """Coordinates on a 1 mm grid, consecutive repeats dropped (as the build's ST_SnapToGrid)."""
    out = []
    for x, y in coords:
        p = (round(x, 3), round(y, 3))
        if not out or out[-1] != p:
            out.append(p)
    return out


def noded_pieces(alleys: list[tuple[list, bool]], tolerance: float) -> list[tuple[LineString, bool]]:
    """The alleys (coordinates, step-free) with their ends joined to alleys nearer than
    `tolerance`, cut at every crossing and joint: (piece, step-free) pairs."""
    lines = [[list(p) for p in _rounded(c)] for c, _ in alleys]
    shapes = [LineString(c) for c in lines]
    tree = shapely.STRtree(shapes)
    cuts: dict[int, list[tuple[float, float]]] = {i: [] for i in range(len(lines))}
    for i, coords in enumerate(lines):
        if shapes[i].is_closed:
            continue
        for end in (0, -1):
            p = Point(coords[end])
            near = [int(j) for j in tree.query(p.buffer(tolerance)) if int(j) != i]
            near = [j for j in near if shapes[j].distance(p) <= tolerance]
            if not near:
                continue
            j = min(near, key=lambda k: shapes[k].distance(p))
            foot = shapes[j].interpolate(shapes[j].project(p))
            coords[end] = [foot.x, foot.y]
            cuts[j].append((foot.x, foot.y))
    shapes = [LineString(c) for c in lines]
    tree = shapely.STRtree(shapes)
    for i, shape in enumerate(shapes):
        for j in tree.query(shape, predicate="intersects"):
            j = int(j)
            if j <= i:
                continue
            meet = shape.intersection(shapes[j])
            for part in getattr(meet, "geoms", [meet]):
                if part.geom_type == "Point":
                    cuts[i].append((part.x, part.y))
                    cuts[j].append((part.x, part.y))
                elif part.geom_type == "LineString":  # overlapping alleys: cut at both ends
                    for xy in (part.coords[0], part.coords[-1]):
                        cuts[i].append(xy)
                        cuts[j].append(xy)
    pieces = []
    for i, shape in enumerate(shapes):
        stops = {0.0: shape.coords[0], shape.length: shape.coords[-1]}
        for xy in cuts[i]:
            stops.setdefault(shape.project(Point(xy)), xy)
        # Every vertex keeps its place along the line; cut points go between them.
        along = [(shape.project(Point(v)), tuple(v)) for v in shape.coords]
        ordered = sorted(stops.items())
        for (d0, p0), (d1, p1) in zip(ordered, ordered[1:], strict=False):
            if d1 - d0 < 1e-3:
                continue
            inner = [v for d, v in along if d0 < d < d1]
            pieces.append((LineString([p0, *inner, p1]), alleys[i][1]))
    return pieces


JUNCTION_M = 0.01  # piece ends closer than this are one junction, as in the build


def junction_keys(lines: list[LineString]) -> list[tuple]:
    """(start key, end key) of each line, ends within JUNCTION_M of each other sharing a key."""
    points = [Point(line.coords[k]) for line in lines for k in (0, -1)]
    parent = list(range(len(points)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    tree = shapely.STRtree(points)
    for i, p in enumerate(points):
        for j in tree.query(p.buffer(JUNCTION_M)):
            if points[int(j)].distance(p) <= JUNCTION_M:
                parent[root(int(j))] = root(i)
    keys = [_key(points[root(i)].coords[0]) for i in range(len(points))]
    return [(keys[2 * n], keys[2 * n + 1]) for n in range(len(lines))]


class Oracle:
    def __init__(self, cemetery, *, step_free: bool = False, alleys=None, tolerance: float | None = None):
        """Over the cemetery's alleys, or over `alleys` given as (coordinates, step-free) pairs
        (e.g. read through the WFS)."""
        from django.conf import settings

        if alleys is None:
            alleys = [(a.geom.coords, a.step_free) for a in Alley.objects.filter(cemetery=cemetery)]
        if tolerance is None:
            tolerance = settings.SIP_ALLEY_SNAP_M
        pieces = noded_pieces(alleys, tolerance)
        self.lines = [line for line, free in pieces if free or not step_free]
        noded = unary_union(self.lines)
        self.tree = shapely.STRtree(self.lines)
        self.ends = junction_keys(self.lines)
        self.graph = nx.Graph()
        for i, line in enumerate(self.lines):
            a, b = self.ends[i]
            if a == b and line.length <= JUNCTION_M:
                continue
            if self.graph.has_edge(a, b) and self.graph[a][b]["weight"] <= line.length:
                continue
            self.graph.add_edge(a, b, weight=line.length, line=i)
        self.gates = {g.name: (g.geom.x, g.geom.y) for g in Gate.objects.filter(cemetery=cemetery)}
        self.alleys_union = noded
        self._corridor = None

    @property
    def corridor(self):
        """The alleys widened by 1 cm (computed once: buffering 19 km of lines is slow)."""
        if self._corridor is None:
            self._corridor = self.alleys_union.buffer(0.01)
            shapely.prepare(self._corridor)
        return self._corridor

    def snaps(self, xy):
        """Every nearest line (ties included) as (line index, distance along, distance off)."""
        p = Point(xy)
        idx = self.tree.query_nearest(p, all_matches=True)
        best = min(self.lines[i].distance(p) for i in idx)
        out = []
        for i in idx:
            d = self.lines[i].distance(p)
            if d <= best + 1e-6:
                out.append((int(i), self.lines[i].project(p), d))
        return out

    def _attach(self, graph, name, snap):
        i, along, _ = snap
        line = self.lines[i]
        graph.add_edge(name, self.ends[i][0], weight=along)
        graph.add_edge(name, self.ends[i][1], weight=line.length - along)

    def lengths(self, target_xy, starts: dict[str, tuple[float, float]]) -> set[float | None]:
        """Possible shortest lengths (one per tie of nearest alleys) from the best start to the
        target; None where no start is connected."""
        results = set()
        for t_snap in self.snaps(target_xy):
            g = self.graph.copy()
            self._attach(g, "target", t_snap)
            offsets = {}
            for name, xy in starts.items():
                s_snap = self.snaps(xy)[0]
                self._attach(g, ("start", name), s_snap)
                if s_snap[0] == t_snap[0]:
                    g.add_edge(("start", name), "target", weight=abs(s_snap[1] - t_snap[1]))
                offsets[name] = s_snap[2]
            dist = nx.single_source_dijkstra_path_length(g, "target", weight="weight")
            options = [dist[("start", n)] + offsets[n] for n in starts if ("start", n) in dist]
            results.add(min(options) + t_snap[2] if options else None)
        return results
