"""Where each imported row lies: points from coordinate columns or GIS geometries, lines from
GIS geometries or WKT; all checked against the gmina. Points are reprojected and tested in
whole arrays (pyproj, shapely), so 100,000 rows take a fraction of a second."""

from __future__ import annotations

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from pyproj import Transformer

from sip.geometry import ACCEPTED_SRIDS, GeometryError
from sip.models import Gmina

from .. import services
from .. import values as v
from ..registers import Register
from . import coordinates as co
from .sources import ImportFileError

POSITION_TARGETS = ("x", "y", "lat", "lon", "coords", "wkt")


class Reject(Exception):
    """A row that cannot be imported; the message is Polish."""


def _fmt(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:.2f}"


class Positioner:
    def __init__(
        self, register: Register, gmina: Gmina, mapping: dict[int, str], hints: dict, srid, gis_srid
    ):
        self.register = register
        self.gmina = gmina
        self.srid = srid
        self.hints = hints
        self.index = {t: i for i, t in mapping.items() if t in POSITION_TARGETS}
        zone = shapely.from_wkb(bytes(gmina.boundary.buffer(services.GMINA_TOLERANCE_M).wkb))
        shapely.prepare(zone)
        self.zone = zone
        self.gis_srid = gis_srid

    def gis_srid_or_fail(self) -> int:
        if self.gis_srid not in ACCEPTED_SRIDS:
            raise ImportFileError(
                "Nie rozpoznano układu współrzędnych pliku; podaj go opcją --srid (2176–2180, 4326)."
            )
        return self.gis_srid

    # --- points ---------------------------------------------------------------------------
    def points(self, columns: list[list], shapes: list | None, n: int) -> tuple[np.ndarray, np.ndarray, dict]:
        """Return x and y in EPSG:2180 for every row (NaN where rejected) and {row: reason}."""
        xs = np.full(n, np.nan)
        ys = np.full(n, np.nan)
        errors: dict[int, str] = {}
        candidates: list[list[tuple[int, float, float]] | None] = [None] * n
        texts: list[tuple[float, float] | None] = [None] * n  # as written, for error messages
        use_shapes = shapes is not None and not ({"x", "lat", "coords"} & set(self.index))
        if use_shapes:
            srid = self.gis_srid_or_fail()
            geoms = shapely.from_wkb([s if s is not None else None for s in shapes])
            kinds = shapely.get_type_id(geoms)
            gx, gy = shapely.get_x(geoms), shapely.get_y(geoms)
            for i in range(n):
                if geoms[i] is None:
                    errors[i] = "brak geometrii"
                elif kinds[i] != 0:
                    errors[i] = f"oczekiwano punktu, otrzymano {geoms[i].geom_type}"
                else:
                    candidates[i] = [(srid, gx[i], gy[i])]
                    texts[i] = (gx[i], gy[i])
        else:
            fast = self._projected_pairs(columns, n, candidates, texts)
            for i in range(n):
                if fast[i]:
                    continue
                try:
                    candidates[i], texts[i] = self._candidates([col[i] for col in columns])
                except Reject as exc:
                    errors[i] = str(exc)
        for rank in range(2):
            todo = [
                i
                for i in range(n)
                if candidates[i] is not None and np.isnan(xs[i]) and len(candidates[i]) > rank
            ]
            by_srid: dict[int, list[int]] = {}
            for i in todo:
                by_srid.setdefault(candidates[i][rank][0], []).append(i)
            for srid, rows in by_srid.items():
                e = np.array([candidates[i][rank][1] for i in rows], dtype=float)
                nn = np.array([candidates[i][rank][2] for i in rows], dtype=float)
                if srid != 2180:
                    e, nn = (
                        np.asarray(a, dtype=float)
                        for a in _transformer(srid).transform(e.tolist(), nn.tolist())
                    )
                inside = shapely.contains_xy(self.zone, e, nn)
                rows_arr = np.array(rows)
                xs[rows_arr[inside]] = e[inside]
                ys[rows_arr[inside]] = nn[inside]
        for i in range(n):
            if candidates[i] is not None and np.isnan(xs[i]):
                a, b = texts[i]
                errors[i] = f"współrzędne ({_fmt(a)}; {_fmt(b)}) leżą poza gminą {self.gmina.name}"
        return xs, ys, errors

    def _projected_pairs(self, columns, n, candidates, texts) -> list[bool]:
        """The common case in arrays: X and Y cells that are plain numbers of a projected system
        (PL-1992 or PL-2000). Fills their candidates (both axis orders) and returns which rows
        were handled; the rest go through the row-by-row reading."""
        handled = [False] * n
        if "x" not in self.index or "y" not in self.index or {"coords", "lat", "lon"} & set(self.index):
            return handled
        if self.srid == 4326 or self.hints.get("x") == 4326:
            return handled
        xs_raw, ys_raw = columns[self.index["x"]], columns[self.index["y"]]
        numeric = np.fromiter(
            (
                type(a) in (int, float) and type(b) in (int, float)
                for a, b in zip(xs_raw, ys_raw, strict=True)
            ),
            dtype=bool,
            count=n,
        )
        if not numeric.any():
            return handled
        rows = np.flatnonzero(numeric)
        a = np.array([xs_raw[i] for i in rows], dtype=float)
        b = np.array([ys_raw[i] for i in rows], dtype=float)
        projected = (np.abs(a) >= 100_000) & (np.abs(b) >= 100_000)
        forced = self.srid or self.hints.get("x") or self.hints.get("y")
        for i, e1, n1, ok in zip(rows.tolist(), a.tolist(), b.tolist(), projected.tolist(), strict=True):
            if not ok:
                continue
            options = []
            for easting, northing in ((e1, n1), (n1, e1)):
                if forced:
                    options.append((forced, easting, northing))
                elif easting >= 1_000_000:
                    zone = co.PL2000_ZONES.get(int(easting // 1_000_000))
                    if zone is not None and 4_000_000 <= northing < 7_000_000:
                        options.append((zone, easting, northing))
                elif easting < 1_000_000 and 100_000 <= northing < 1_000_000:
                    options.append((2180, easting, northing))
            if options:
                candidates[i] = options
                texts[i] = (e1, n1)
                handled[i] = True
        return handled

    def _candidates(self, values: list) -> tuple[list[tuple[int, float, float]], tuple[float, float]]:
        pair = self._pair(values)
        if pair is None:
            raise Reject("brak współrzędnych")
        first, second, used = pair
        srid = self.srid or self.hints.get(used) or (self.hints.get("y") if used == "x" else None)
        if used == "lat":
            srid = 4326
        options = co.candidates(first, second, srid=srid)
        if not options:
            text = f"({_fmt(first.value)}; {_fmt(second.value)})"
            raise Reject(f"współrzędne {text} nie wyglądają na PL-1992, PL-2000 ani na stopnie w Polsce")
        return options, (first.value, second.value)

    def _pair(self, values: list):
        def cell(target):
            i = self.index.get(target)
            return values[i] if i is not None and i < len(values) else None

        try:
            if not v.is_blank(cell("coords")):
                return (*co.read_pair(cell("coords")), "coords")
            if not v.is_blank(cell("lat")) or not v.is_blank(cell("lon")):
                lat, lon = co.read_one(cell("lat")), co.read_one(cell("lon"))
                if lat is None or lon is None:
                    raise Reject("podano tylko jedną współrzędną geograficzną")
                return co.Reading(lat.value, True, "lat"), co.Reading(lon.value, True, "lon"), "lat"
            x, y = co.read_one(cell("x")), co.read_one(cell("y"))
        except v.ValueProblem as exc:
            raise Reject(str(exc)) from exc
        if x is None and y is None:
            return None
        if x is None or y is None:
            raise Reject("podano tylko jedną współrzędną (X albo Y)")
        return x, y, "x"

    # --- lines ----------------------------------------------------------------------------
    def line(self, values: list, shape: bytes | None) -> GEOSGeometry:
        """Return the row's line in EPSG:2180 inside the gmina, or raise Reject."""
        if shape is not None and "wkt" not in self.index:
            geom = GEOSGeometry(memoryview(shape), srid=self.gis_srid_or_fail())
        else:
            i = self.index.get("wkt")
            raw = values[i] if i is not None and i < len(values) else None
            if v.is_blank(raw):
                raise Reject("brak geometrii")
            srid = self.srid or self.hints.get("wkt")
            try:
                geom = GEOSGeometry(str(raw).strip())
            except (GEOSException, ValueError):
                raise Reject("nieprawidłowa geometria WKT") from None
            if not geom.srid:
                if srid is None:
                    x = geom.coords[0][0] if geom.geom_type == "LineString" else 0
                    srid = 2180 if x < 1_000_000 else co.PL2000_ZONES.get(int(x // 1_000_000), 2180)
                geom.srid = srid
        try:
            return services.storage_geometry(self.register, geom, self.gmina)
        except GeometryError as exc:
            raise Reject(str(exc).rstrip(".").lower()) from exc


_TRANSFORMERS: dict[int, Transformer] = {}


def _transformer(srid: int) -> Transformer:
    if srid not in _TRANSFORMERS:
        _TRANSFORMERS[srid] = Transformer.from_crs(srid, 2180, always_xy=True)
    return _TRANSFORMERS[srid]
