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


class _Candidates:
    """Up to two readings per row: EPSG code (0 = none), easting, northing."""

    def __init__(self, n: int):
        self.srid = [np.zeros(n, dtype=int), np.zeros(n, dtype=int)]
        self.e = [np.zeros(n), np.zeros(n)]
        self.n = [np.zeros(n), np.zeros(n)]


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
        """Return x and y in EPSG:2180 for every row (NaN where rejected) and {row: reason}.

        Each row has up to two readings (both axis orders), kept as arrays per reading: EPSG
        (0 = none), easting, northing. The first reading that lands in the gmina wins."""
        cand = _Candidates(n)
        errors: dict[int, str] = {}
        use_shapes = shapes is not None and not ({"x", "lat", "coords"} & set(self.index))
        if use_shapes:
            srid = self.gis_srid_or_fail()
            geoms = shapely.from_wkb(shapes)
            kinds = shapely.get_type_id(geoms)
            point = kinds == 0
            cand.srid[0][point] = srid
            cand.e[0][point] = shapely.get_x(geoms[point])
            cand.n[0][point] = shapely.get_y(geoms[point])
            for i in np.flatnonzero(~point).tolist():
                errors[i] = (
                    "brak geometrii"
                    if geoms[i] is None
                    else (f"oczekiwano punktu, otrzymano {geoms[i].geom_type}")
                )
        else:
            fast = self._projected_pairs(columns, n, cand)
            for i in np.flatnonzero(~fast).tolist():
                try:
                    options = self._candidates([col[i] for col in columns])
                except Reject as exc:
                    errors[i] = str(exc)
                    continue
                for rank, (srid, e, nn) in enumerate(options[:2]):
                    cand.srid[rank][i], cand.e[rank][i], cand.n[rank][i] = srid, e, nn
        xs = np.full(n, np.nan)
        ys = np.full(n, np.nan)
        for rank in range(2):
            open_rows = np.isnan(xs) & (cand.srid[rank] != 0)
            for srid in np.unique(cand.srid[rank][open_rows]).tolist():
                rows = np.flatnonzero(open_rows & (cand.srid[rank] == srid))
                e, nn = cand.e[rank][rows], cand.n[rank][rows]
                if srid != 2180:
                    e, nn = (
                        np.asarray(a, dtype=float)
                        for a in _transformer(srid).transform(e.tolist(), nn.tolist())
                    )
                inside = shapely.contains_xy(self.zone, e, nn)
                xs[rows[inside]] = e[inside]
                ys[rows[inside]] = nn[inside]
        outside = np.flatnonzero(np.isnan(xs) & (cand.srid[0] != 0)).tolist()
        for i in outside:
            a, b = cand.e[0][i], cand.n[0][i]
            errors[i] = f"współrzędne ({_fmt(a)}; {_fmt(b)}) leżą poza gminą {self.gmina.name}"
        return xs, ys, errors

    def _projected_pairs(self, columns, n, cand: _Candidates) -> np.ndarray:
        """The common case in arrays: X and Y cells that are plain numbers of a projected system
        (PL-1992 or PL-2000), both axis orders. Returns which rows were handled; the rest go
        through the row-by-row reading (text, degrees, DMS, one cell)."""
        handled = np.zeros(n, dtype=bool)
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
        a = np.array([x if ok else 0.0 for x, ok in zip(xs_raw, numeric.tolist(), strict=True)], dtype=float)
        b = np.array([y if ok else 0.0 for y, ok in zip(ys_raw, numeric.tolist(), strict=True)], dtype=float)
        projected = numeric & (np.abs(a) >= 100_000) & (np.abs(b) >= 100_000)
        forced = self.srid or self.hints.get("x") or self.hints.get("y")
        for rank, (east, north) in enumerate(((a, b), (b, a))):
            if forced:
                srid = np.where(projected, forced, 0)
            else:
                zone = np.floor(east / 1_000_000).astype(int)
                pl2000 = (zone >= 5) & (zone <= 8) & (north >= 4_000_000) & (north < 7_000_000)
                pl1992 = (east >= 100_000) & (east < 1_000_000) & (north >= 100_000) & (north < 1_000_000)
                srid = np.where(pl2000, 2171 + zone, np.where(pl1992, 2180, 0))
                srid = np.where(projected, srid, 0)
            cand.srid[rank][:] = np.where(projected, srid, cand.srid[rank])
            cand.e[rank][:] = np.where(projected, east, cand.e[rank])
            cand.n[rank][:] = np.where(projected, north, cand.n[rank])
        handled = projected & ((cand.srid[0] != 0) | (cand.srid[1] != 0))
        # A row with only the second reading valid keeps it as its first.
        swap = handled & (cand.srid[0] == 0)
        for arr in (cand.srid, cand.e, cand.n):
            arr[0][swap], arr[1][swap] = arr[1][swap], arr[0][swap]
        return handled

    def _candidates(self, values: list) -> list[tuple[int, float, float]]:
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
        return options

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
