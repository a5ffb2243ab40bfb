"""Turn-by-turn walking directions in Polish from the pieces of a route.

"Skręć w lewo w aleję Lipową, 40 m": the alley name goes to the accusative after "w" and to
the instrumental after "idź". Names of the form "Aleja <adjective>" are declined by rule; an
alley's `name_accusative` overrides the rule when staff fill it in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# The head noun of an alley name: (accusative, instrumental).
_NOUNS = {
    "aleja": ("aleję", "aleją"),
    "alejka": ("alejkę", "alejką"),
    "ścieżka": ("ścieżkę", "ścieżką"),
    "droga": ("drogę", "drogą"),
    "dróżka": ("dróżkę", "dróżką"),
    "schody": ("schody", "schodami"),
}
# Unnamed pieces by kind of alley.
_UNNAMED = {"main": "aleja", "path": "ścieżka", "stairs": "schody"}
# Feminine adjective endings whose final -a becomes -ą in both cases (Lipowa -> Lipową).
_ADJECTIVE_ENDINGS = ("owa", "ewa", "na", "ska", "cka", "dzka", "ta", "cha", "ra", "ła", "wa", "ia", "ża")

STRAIGHT_DEG = 25.0
SLIGHT_DEG = 60.0
SHARP_DEG = 150.0
BEARING_SPAN_M = 4.0


def _decline(name: str, case: int) -> str:
    words = name.split()
    if not words:
        return name
    head = words[0].lower()
    if head not in _NOUNS:
        return name
    out = [_NOUNS[head][case]]
    for word in words[1:]:
        if word.lower().endswith(_ADJECTIVE_ENDINGS) and word[-1] == "a":
            out.append(word[:-1] + "ą")
        else:
            out.append(word)
    return " ".join(out)


def accusative(name: str, kind: str, override: str = "") -> str:
    """'Aleja Lipowa' -> 'aleję Lipową'; an unnamed path -> 'ścieżkę'."""
    if override:
        return override
    return _decline(name or _UNNAMED.get(kind, "ścieżka"), 0)


def instrumental(name: str, kind: str) -> str:
    """'Aleja Lipowa' -> 'aleją Lipową'; an unnamed path -> 'ścieżką'."""
    return _decline(name or _UNNAMED.get(kind, "ścieżka"), 1)


@dataclass
class Leg:
    """Consecutive pieces of the route along one alley."""

    alley_id: int
    name: str
    kind: str
    name_accusative: str
    coords: list[tuple[float, float]] = field(default_factory=list)
    length: float = 0.0


def _bearing(a, b) -> float:
    return math.degrees(math.atan2(b[0] - a[0], b[1] - a[1]))


def _point_back(coords, span):
    """A point about `span` metres before the end of the line (for the incoming direction)."""
    left = span
    for i in range(len(coords) - 1, 0, -1):
        d = math.dist(coords[i], coords[i - 1])
        if d >= left:
            t = left / d
            return (
                coords[i][0] + (coords[i - 1][0] - coords[i][0]) * t,
                coords[i][1] + (coords[i - 1][1] - coords[i][1]) * t,
            )
        left -= d
    return coords[0]


def _point_ahead(coords, span):
    return _point_back(list(reversed(coords)), span)


def turn_angle(incoming, outgoing) -> float:
    """Signed turn in degrees, positive to the right, from the end of one line to the start of
    the next (both as coordinate lists in a metric CRS)."""
    a = _bearing(_point_back(incoming, BEARING_SPAN_M), incoming[-1])
    b = _bearing(outgoing[0], _point_ahead(outgoing, BEARING_SPAN_M))
    return (b - a + 540.0) % 360.0 - 180.0


def turn_words(angle: float) -> tuple[str, str]:
    """(maneuver code, Polish verb phrase) for a turn angle."""
    side = "w prawo" if angle > 0 else "w lewo"
    code_side = "right" if angle > 0 else "left"
    magnitude = abs(angle)
    if magnitude < STRAIGHT_DEG:
        return "straight", "Idź prosto"
    if magnitude < SLIGHT_DEG:
        return f"slight_{code_side}", f"Skręć lekko {side}"
    if magnitude < SHARP_DEG:
        return code_side, f"Skręć {side}"
    return "u_turn", "Zawróć"


def metres(value: float) -> str:
    return f"{max(1, round(value))} m" if value >= 0.5 else "kilka kroków"


def merge_legs(legs: list[Leg]) -> list[Leg]:
    """Join neighbouring legs of the same alley, and straight continuations of unnamed paths."""
    out: list[Leg] = []
    for leg in legs:
        if out:
            prev = out[-1]
            same = prev.alley_id == leg.alley_id or (
                prev.name == leg.name
                and prev.kind == leg.kind
                and abs(turn_angle(prev.coords, leg.coords)) < STRAIGHT_DEG
            )
            if same:
                prev.coords.extend(leg.coords[1:])
                prev.length += leg.length
                continue
        out.append(leg)
    return out


def steps(
    legs: list[Leg],
    *,
    start_text: str,
    access_m: float,
    final_coords: list[tuple[float, float]],
    final_m: float,
    grave_label: str,
) -> list[dict]:
    """Polish turn-by-turn steps; each with maneuver, instruction, text, distance_m, alley and
    the EPSG:2180 point where it starts. Distances add up to the whole route's length."""
    out: list[dict] = []
    if access_m > 0:
        out.append(
            {
                "maneuver": "depart",
                "instruction": f"{start_text} dojdź do najbliższej alejki",
                "distance_m": access_m,
                "alley": None,
                "at": final_coords[0] if not legs else legs[0].coords[0],
            }
        )
    for i, leg in enumerate(legs):
        alley = leg.name or None
        if i == 0:
            lead = start_text if not out else "Następnie"
            maneuver, instruction = "depart", f"{lead} idź {instrumental(leg.name, leg.kind)}"
        else:
            maneuver, verb = turn_words(turn_angle(legs[i - 1].coords, leg.coords))
            target = accusative(leg.name, leg.kind, leg.name_accusative)
            if maneuver == "straight":
                instruction = (
                    f"{verb} {instrumental(leg.name, leg.kind)}" if not leg.name else f"{verb} w {target}"
                )
            else:
                instruction = f"{verb} w {target}"
        out.append(
            {
                "maneuver": maneuver,
                "instruction": instruction,
                "distance_m": leg.length,
                "alley": alley,
                "at": leg.coords[0],
            }
        )
    if legs and final_m >= 0.5:
        maneuver, verb = turn_words(turn_angle(legs[-1].coords, final_coords))
        if maneuver in ("straight", "u_turn"):
            instruction = f"Dojdź do grobu ({grave_label})"
        else:
            side = "po prawej" if "right" in maneuver else "po lewej"
            instruction = f"Grób ({grave_label}) jest {side} stronie: zejdź z alejki"
        out.append(
            {
                "maneuver": "arrive",
                "instruction": instruction,
                "distance_m": final_m,
                "alley": None,
                "at": final_coords[0],
            }
        )
    else:
        out.append(
            {
                "maneuver": "arrive",
                "instruction": f"Grób ({grave_label}) jest tuż przy alejce",
                "distance_m": final_m,
                "alley": None,
                "at": final_coords[-1],
            }
        )
    for step in out:
        step["text"] = f"{step['instruction']}, {metres(step['distance_m'])}"
    return out
