"""Reading positions as offices write them and finding where they really are.

A row may give X/Y in PL-1992 or PL-2000 (in either axis order: Polish surveyors call the
northing X), latitude/longitude in decimal degrees or degrees-minutes-seconds
(51°15'49.0"N), or both in one cell. Every reading that the numbers allow is tried and the
one that lands in the gmina wins; if none does, the row is rejected with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..values import ValueProblem, is_blank, parse_number

_DMS = re.compile(
    r"(?P<h1>[NSEWnsew])?\s*"
    r"(?P<deg>\d{1,3}(?:[.,]\d+)?)\s*(?:°|º|deg|st\.?)\s*"
    r"(?:(?P<min>\d{1,2}(?:[.,]\d+)?)\s*(?:'|′|’|min)\s*)?"
    r"(?:(?P<sec>\d{1,2}(?:[.,]\d+)?)\s*(?:\"|″|”|''|sek)\s*)?"
    r"(?P<h2>[NSEWnsew])?"
)
# Poland's extent with a margin: latitude and longitude in degrees.
LAT_RANGE = (48.5, 55.5)
LON_RANGE = (13.5, 24.5)
PL2000_ZONES = {5: 2176, 6: 2177, 7: 2178, 8: 2179}


@dataclass(frozen=True)
class Reading:
    value: float
    degrees: bool  # written in degrees (with °) or as a small decimal number
    axis: str | None  # "lat" / "lon" when a hemisphere letter said so


def parse_dms(text: str) -> list[Reading]:
    """Return the degree readings in a text: '51°15'49.0"N 15°34'10.9"E' gives two."""
    out = []
    for m in _DMS.finditer(text):
        value = float(m.group("deg").replace(",", "."))
        minutes = float(m.group("min").replace(",", ".")) if m.group("min") else 0.0
        seconds = float(m.group("sec").replace(",", ".")) if m.group("sec") else 0.0
        if minutes >= 60 or seconds >= 60:
            raise ValueProblem(f"„{text.strip()}”: minuty i sekundy muszą być mniejsze od 60")
        value += minutes / 60 + seconds / 3600
        hemisphere = (m.group("h1") or m.group("h2") or "").upper()
        if hemisphere in ("S", "W"):
            value = -value
        axis = {"N": "lat", "S": "lat", "E": "lon", "W": "lon"}.get(hemisphere)
        out.append(Reading(value, True, axis))
    return out


def read_one(raw) -> Reading | None:
    """One coordinate value: a number (decimal comma allowed) or degrees-minutes-seconds."""
    if is_blank(raw):
        return None
    if isinstance(raw, str) and any(ch in raw for ch in "°º"):
        readings = parse_dms(raw)
        if len(readings) != 1:
            raise ValueProblem(f"„{raw.strip()}” nie jest współrzędną")
        return readings[0]
    try:
        number = parse_number(raw)
    except ValueProblem:
        raise ValueProblem(f"„{str(raw).strip()}” nie jest współrzędną") from None
    return Reading(number, abs(number) <= 180, None)


def read_pair(raw) -> tuple[Reading, Reading] | None:
    """Both coordinates from one cell: DMS pair, '51.2636, 15.5697', '51,2636 15,5697',
    '5681128,16; 5539761,39'."""
    if is_blank(raw):
        return None
    text = str(raw).strip()
    if any(ch in text for ch in "°º"):
        readings = parse_dms(text)
        if len(readings) != 2:
            raise ValueProblem(f"„{text}”: oczekiwano dwóch współrzędnych")
        return readings[0], readings[1]
    for separator in (";", ", ", "\t", " ", ","):
        parts = [p for p in text.split(separator) if p.strip()]
        if len(parts) == 2:
            first, second = read_one(parts[0]), read_one(parts[1])
            if first is not None and second is not None:
                return first, second
    raise ValueProblem(f"„{text}”: oczekiwano dwóch współrzędnych")


def candidates(first: Reading, second: Reading, *, srid: int | None = None) -> list[tuple[int, float, float]]:
    """Every (EPSG, easting or longitude, northing or latitude) the two values may mean, the most
    likely first. `srid` fixes the system (from --srid or the column header)."""
    a, b = first.value, second.value
    out: list[tuple[int, float, float]] = []
    if srid == 4326 or (srid is None and (first.degrees or second.degrees)):
        if first.axis == "lat" or second.axis == "lon":
            return [(4326, b, a)]
        if first.axis == "lon" or second.axis == "lat":
            return [(4326, a, b)]
        # Latitude in Poland (49-55) is always larger than longitude (14-24).
        pairs = [(4326, b, a), (4326, a, b)] if a > b else [(4326, a, b), (4326, b, a)]
        return [
            p for p in pairs if LON_RANGE[0] <= p[1] <= LON_RANGE[1] and LAT_RANGE[0] <= p[2] <= LAT_RANGE[1]
        ]
    for easting, northing in ((a, b), (b, a)):
        if srid is not None and srid != 4326:
            out.append((srid, easting, northing))
        elif easting >= 1_000_000:
            zone = PL2000_ZONES.get(int(easting // 1_000_000))
            if zone is not None and 4_000_000 <= northing < 7_000_000:
                out.append((zone, easting, northing))
        elif 100_000 <= easting < 1_000_000 and 100_000 <= northing < 1_000_000:
            out.append((2180, easting, northing))
    return out
