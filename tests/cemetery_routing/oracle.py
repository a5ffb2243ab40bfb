"""An independent oracle for walking routes: networkx over the alleys read back from the
database, noded by shapely (not by build_cemetery_graph), with the same rules: start at a gate
or point, walk to the alley nearest the grave, then a straight last step."""

from __future__ import annotations

import networkx as nx
import shapely
from shapely.geometry import LineString, Point
from shapely.ops import unary_union

from cemetery_routing.models import Alley, Gate


def _key(xy) -> tuple[float, float]:
    return (round(xy[0], 3), round(xy[1], 3))


class Oracle:
    def __init__(self, cemetery, *, step_free: bool = False):
        alleys = Alley.objects.filter(cemetery=cemetery)
        if step_free:
            alleys = alleys.filter(step_free=True)
        lines = [LineString(a.geom.coords) for a in alleys]
        noded = unary_union(lines)
        self.lines = [g for g in getattr(noded, "geoms", [noded]) if g.length > 1e-3]
        self.tree = shapely.STRtree(self.lines)
        self.graph = nx.Graph()
        for i, line in enumerate(self.lines):
            a, b = _key(line.coords[0]), _key(line.coords[-1])
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
        graph.add_edge(name, _key(line.coords[0]), weight=along)
        graph.add_edge(name, _key(line.coords[-1]), weight=line.length - along)

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
