"""Finding the header row of an office spreadsheet and guessing what each column holds.

Offices put a title above the table, merge a "Współrzędne" cell over "X" and "Y", write
"Obwód pnia [cm]" or "obw. pnia na wys. 130 cm". Columns are matched word by word against
the register's field labels and Polish synonyms; the guess is only a proposal, the person
importing may change it (`--map` or the form of the staff page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sip.text import fold

from ..registers import Register
from ..values import is_blank

# Targets that are not register attributes: where the position comes from.
GEOMETRY_TARGETS: dict[str, tuple[str, ...]] = {
    "x": ("x", "wsp x", "wspolrzedna x", "wspolrzedne x", "easting"),
    "y": ("y", "wsp y", "wspolrzedna y", "wspolrzedne y", "northing"),
    "lat": ("szerokosc geograficzna", "szerokosc", "lat", "latitude", "szer geogr", "n"),
    "lon": ("dlugosc geograficzna", "dlugosc", "lon", "lng", "longitude", "dl geogr", "e"),
    "coords": (
        "wspolrzedne",
        "wspolrzedne gps",
        "polozenie",
        "lokalizacja",
        "gps",
        "wspolrzedne geograficzne",
    ),
    "wkt": ("wkt", "geometria", "geometria wkt", "przebieg"),
}
GEOMETRY_LABELS = {
    "x": "współrzędna X",
    "y": "współrzędna Y",
    "lat": "szerokość geograficzna",
    "lon": "długość geograficzna",
    "coords": "współrzędne w jednej kolumnie",
    "wkt": "geometria (WKT)",
}
# Words in a header that name a coordinate system, not the content; read as a hint.
_CRS_WORDS = {
    "epsg",
    "pl",
    "1992",
    "2000",
    "2176",
    "2177",
    "2178",
    "2179",
    "2180",
    "wgs",
    "84",
    "4326",
    "uklad",
}
_BRACKETS = re.compile(r"[\(\[\{][^\)\]\}]*[\)\]\}]")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_EPSG = re.compile(r"(?:epsg)\D{0,3}(\d{4,5})", re.IGNORECASE)


def normalize(header: str) -> str:
    """'Obwód pnia [cm]' -> 'obwod pnia'; 'X (PL-2000)' -> 'x'."""
    text = _BRACKETS.sub(" ", fold(str(header)))
    words = [w for w in _NON_WORD.sub(" ", text).split() if w not in _CRS_WORDS]
    return " ".join(words)


def srid_hint(header: str) -> int | None:
    """The coordinate system a header names: 'X [EPSG:2176]' -> 2176, 'Y (PL-1992)' -> 2180."""
    text = fold(str(header))
    found = _EPSG.search(text)
    if found:
        return int(found.group(1))
    if "1992" in text:
        return 2180
    if "wgs" in text or "gps" in text:
        return 4326
    return None


def _token_match(header_word: str, synonym_word: str) -> bool:
    if header_word == synonym_word:
        return True
    if header_word.isdigit() or synonym_word.isdigit():
        return False
    shorter = min(len(header_word), len(synonym_word))
    return shorter >= 3 and (header_word.startswith(synonym_word) or synonym_word.startswith(header_word))


def score(header: str, synonym: str) -> int:
    """How well a normalised header matches a normalised synonym; 0 means not at all."""
    if not header or not synonym:
        return 0
    if header == synonym:
        return 1000 + len(synonym)
    h_words, s_words = header.split(), synonym.split()
    if len(s_words) == 1 and len(s_words[0]) <= 2:
        return 0  # "x", "n", "e" only match a header that is exactly that
    used: set[int] = set()
    for s in s_words:
        hit = next((i for i, h in enumerate(h_words) if i not in used and _token_match(h, s)), None)
        if hit is None:
            return 0
        used.add(hit)
    extra = [h for i, h in enumerate(h_words) if i not in used]
    if any(w.isdigit() for w in extra):
        return 0  # "obwód na 5 cm" is not "obwód"
    return 100 * len(s_words) + len(synonym) - 5 * len(extra)


def synonyms(register: Register) -> dict[str, tuple[str, ...]]:
    """Return {target: normalised synonyms} for the register's attributes and the geometry."""
    out: dict[str, tuple[str, ...]] = {}
    for attr in register.all_attrs:
        names = (register.label(attr.name), attr.name, attr.shp, *attr.headers)
        out[attr.name] = tuple(dict.fromkeys(normalize(n) for n in names if n))
    for target, names in GEOMETRY_TARGETS.items():
        out[target] = tuple(normalize(n) or n for n in names)
    if register.geometry != "Point":
        for target in ("x", "y", "lat", "lon", "coords"):
            out.pop(target)
    return out


def target_label(register: Register, target: str) -> str:
    if target in GEOMETRY_LABELS:
        return GEOMETRY_LABELS[target]
    return register.label(target)


def guess_mapping(register: Register, columns: list[str]) -> dict[int, str]:
    """Return {column index: target} — each column and each target used at most once, best
    matches first."""
    table = synonyms(register)
    scored = []
    for index, column in enumerate(columns):
        header = normalize(column)
        for target, names in table.items():
            best = max((score(header, n) for n in names), default=0)
            if best > 0:
                scored.append((best, -index, index, target))
    scored.sort(reverse=True)
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for _, _, index, target in scored:
        if index in mapping or target in taken:
            continue
        mapping[index] = target
        taken.add(target)
    return mapping


@dataclass
class HeaderGuess:
    row_index: int  # index in the rows list of the (last) header row
    columns: list[str]


def find_header(register: Register, rows: list[list], look_at: int = 25) -> HeaderGuess | None:
    """Find the header row among the first rows (the one whose cells match most targets), and
    join a sub-header row under merged cells ('Współrzędne' over 'X', 'Y')."""
    table = synonyms(register)
    best: tuple[int, int] | None = None
    for i, row in enumerate(rows[:look_at]):
        hits = 0
        for cell in row:
            if is_blank(cell) or not isinstance(cell, str):
                continue
            header = normalize(cell)
            if any(score(header, n) > 0 for names in table.values() for n in names):
                hits += 1
        if hits >= 2 and (best is None or hits > best[1]):
            best = (i, hits)
    if best is None:
        return None
    index = best[0]
    header = [("" if is_blank(c) else str(c).strip()) for c in rows[index]]
    below = rows[index + 1] if index + 1 < len(rows) else []
    if _is_sub_header(below, header):
        width = max(len(header), len(below))
        header += [""] * (width - len(header))
        parent = ""
        columns = []
        for j in range(width):
            parent = header[j] or parent
            child = "" if j >= len(below) or is_blank(below[j]) else str(below[j]).strip()
            if child:
                columns.append(f"{parent} {child}".strip())
            else:
                columns.append(header[j])
        return HeaderGuess(index + 1, columns)
    return HeaderGuess(index, header)


def _is_sub_header(row: list, header: list[str]) -> bool:
    """A row of short labels, at least one of them under an empty (merged) header cell."""
    cells = [(j, c) for j, c in enumerate(row) if not is_blank(c)]
    if not cells or len(cells) > max(1, len(row) // 2 + 1):
        return False
    if not any(j >= len(header) or not header[j] for j, _ in cells):
        return False
    return all(isinstance(c, str) and not any(ch.isdigit() for ch in c) and len(c) <= 30 for _, c in cells)
