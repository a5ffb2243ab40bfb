"""APP GML (akty planowania przestrzennego, schema 1.0 and 2.0): reading acts, drawings, formal
documents and planning zones, and writing a plan back as APP GML.

The parser never resolves entities, DTDs or network references, and takes the CRS only as an
EPSG integer from the allow-list (never hands srsName text to GDAL). For srsName in URI form
(urn:ogc:def:crs:EPSG::2180, http://www.opengis.net/def/crs/EPSG/0/2180) coordinates are in the
EPSG axis order, northing first for EPSG:2180, 2176–2179 and 4326; the short form EPSG:2180 is
read as easting first, as GDAL writes it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.gis.geos import GEOSException, LinearRing, MultiPolygon, Polygon
from lxml import etree

from sip.geometry import GeometryError, to_storage_multipolygon
from sip.imports import Rejected
from sip.text import plain_int

from .codelists import JOURNALS, ZONE_KINDS

APP_NS = {
    "1.0": "https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/1.0",
    "2.0": "https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0",
}
GML = "http://www.opengis.net/gml/3.2"
XLINK = "http://www.w3.org/1999/xlink"
GMD = "http://www.isotc211.org/2005/gmd"
GCO = "http://www.isotc211.org/2005/gco"
# Identifier URIs of APP features, as the Ministry's QGIS plugin writes them in xlink:href and
# gml:identifier: <base>/<feature type>/<przestrzenNazw>/<lokalnyId>[/<wersjaId>], where the
# namespace itself holds a slash (PL.ZIPPZP.9999/020102-POG).
URI_BASE = "https://www.gov.pl/zagospodarowanieprzestrzenne/app"
URI_RE = re.compile(r"^https?://[^/]+/(?:[^/]+/)*?(?:app)/(?P<type>[A-Za-z]+)/(?P<ident>PL\.[^?#]+?)/?$")
NORTHING_FIRST = {2176, 2177, 2178, 2179, 2180, 4326}
MAX_BYTES = 50 * 1024 * 1024

STATUS = {
    "in_force": ("legalforce", "prawniewiazacy", "prawnie wiazacy", "prawnie wiążący", "obowiazujacy"),
    "in_preparation": ("elaboration", "adoption", "wtrakcie", "w trakcie", "przystapienie", "projekt"),
    "repealed": ("obsolete", "nieobowiazujacy", "uchylony", "niewazny", "nieaktualny"),
}


class AppGmlError(ValueError):
    """The file as a whole cannot be read; the message is Polish."""


@dataclass
class Rejection(Rejected):
    """A rejected feature of the file (sip.imports.Rejected: `where` is "<type> <gml:id>")."""

    act_ref: str = field(default="", compare=False)  # the act a rejected zone belongs to, if known

    @property
    def feature(self) -> str:
        return self.where


@dataclass
class Act:
    gml_id: str
    app_id: str
    title: str
    kind: str
    status: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    boundary: MultiPolygon
    scale: int | None = None
    resolution_number: str = ""
    resolution_date: dt.date | None = None
    adopted_by: str = ""
    journal_entry: str = ""
    resolution_date_kind: str = ""  # CI_DateTypeCode of the formal document's date
    amends: list[tuple[str, str]] = field(default_factory=list)  # (reference, "change"|"repeal")
    drawing_refs: list[str] = field(default_factory=list, repr=False)
    document_refs: list[str] = field(default_factory=list, repr=False)


@dataclass
class PlanningZone:
    gml_id: str
    act_ref: str
    symbol: str
    name: str
    geom: MultiPolygon


@dataclass
class Parsed:
    version: str
    acts: list[Act]
    zones: list[PlanningZone]
    rejections: list[Rejection]


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )


def _local(el) -> str:
    return etree.QName(el).localname


def _text(el, name: str, ns: str) -> str:
    child = el.find(f"{{{ns}}}{name}")
    if child is None:
        return ""
    href = child.get(f"{{{XLINK}}}href")
    text = (child.text or "").strip()
    return text or (href or "").strip()


def _code(el, name: str, ns: str, titles: dict[str, str] | None = None) -> str:
    """The readable value of a code-list property: the Polish title from the local table for the
    value's URL, else its xlink:title, else its text; never the URL itself."""
    child = el.find(f"{{{ns}}}{name}")
    if child is None:
        return ""
    href = (child.get(f"{{{XLINK}}}href") or "").strip()
    value = href.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    if titles and value in titles:
        return titles[value]
    title = (child.get(f"{{{XLINK}}}title") or "").strip()
    text = (child.text or "").strip()
    if title or text:
        return title or text
    return titles.get(value, "") if titles else ""


def identifier(ref: str) -> str:
    """The idIIP form (przestrzenNazw/lokalnyId[/wersjaId]) of a reference: an identifier URI,
    a bare identifier, or a local #gml:id (returned without the #)."""
    ref = (ref or "").strip()
    match = URI_RE.match(ref)
    if match:
        return match["ident"]
    return ref.lstrip("#")


def versionless(app_id: str) -> str:
    """przestrzenNazw/lokalnyId of a full idIIP (the namespace itself holds one slash)."""
    parts = app_id.split("/")
    return "/".join(parts[:3]) if len(parts) >= 4 else app_id


class _Refs:
    """Finds a feature by any of the ways APP references it: #gml:id, gml:identifier URI,
    idIIP with or without wersjaId (then the newest version in the file)."""

    def __init__(self):
        self._by: dict[str, object] = {}
        self._latest: dict[str, tuple[str, object]] = {}

    def add(self, obj, *, gml_id: str, app_id: str, uri: str = "") -> None:
        for key in (gml_id, app_id, identifier(uri) if uri else ""):
            if key:
                self._by[key] = obj
        if app_id:
            base = versionless(app_id)
            if base not in self._latest or app_id > self._latest[base][0]:
                self._latest[base] = (app_id, obj)

    def get(self, ref: str):
        key = identifier(ref)
        if not key:
            return None
        if key in self._by:
            return self._by[key]
        hit = self._latest.get(key)
        return hit[1] if hit else None


def _href(el, name: str, ns: str) -> list[str]:
    return [
        c.get(f"{{{XLINK}}}href", "").strip()
        for c in el.findall(f"{{{ns}}}{name}")
        if c.get(f"{{{XLINK}}}href")
    ]


def _date(value: str, what: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError as exc:
        raise ValueError(f"nieprawidłowa data {what} „{value}”") from exc


# CI_DateTypeCode values that date a resolution itself: ISO 19139 "creation" (the day the council
# adopted it, which is the date in "uchwała nr … z dnia …") and ISO 19115-1 "adopted". A
# "publication" or "revision" date is accepted too, since the plugin offers it, with a note.
RESOLUTION_DATE_TYPES = ("creation", "adopted")


def document_date(el, ns: str) -> tuple[dt.date | None, str]:
    """The date of a DokumentFormalny and its CI_DateTypeCode ("" for the plain form), read from
    the nested gmd:CI_Date the APP 2.0 schema requires, or from plain text as older files have it."""
    data = el.find(f"{{{ns}}}data")
    if data is None:
        return None, ""
    ci_date = data.find(f"{{{GMD}}}CI_Date")
    if ci_date is None:
        return _date((data.text or "").strip(), "uchwały"), ""
    value = ci_date.findtext(f"{{{GMD}}}date/{{{GCO}}}Date") or ci_date.findtext(
        f"{{{GMD}}}date/{{{GCO}}}DateTime"
    )
    code = ci_date.find(f"{{{GMD}}}dateType/{{{GMD}}}CI_DateTypeCode")
    kind = "" if code is None else (code.get("codeListValue") or code.text or "").strip()
    date = _date((value or "").strip(), "uchwały")
    if date is None:
        raise ValueError("data dokumentu (gmd:CI_Date) bez wartości gco:Date")
    return date, kind


def parse_srs(srs_name: str | None) -> tuple[int, bool]:
    """Return (EPSG code, northing first) of a GML srsName; ValueError for anything else."""
    if not srs_name:
        raise ValueError("geometria bez układu współrzędnych (srsName)")
    text = srs_name.strip()
    match = re.fullmatch(
        r"(?:urn:ogc:def:crs:EPSG:[\d.]*:|https?://www\.opengis\.net/def/crs/EPSG/0/|EPSG:)(\d{4,5})", text
    )
    if not match:
        raise ValueError(f"nieobsługiwany zapis układu współrzędnych „{text[:80]}”")
    code = int(match[1])
    if code not in settings.SIP_ACCEPTED_SRIDS:
        raise ValueError(f"nieobsługiwany układ współrzędnych EPSG:{code}")
    return code, (not text.startswith("EPSG:")) and code in NORTHING_FIRST


def _ring(el, northing_first: bool) -> LinearRing:
    pos_list = el.find(f"{{{GML}}}posList")
    if pos_list is not None:
        numbers = [float(v) for v in (pos_list.text or "").split()]
    else:
        numbers = [float(v) for p in el.findall(f"{{{GML}}}pos") for v in (p.text or "").split()]
    if len(numbers) % 2 or len(numbers) < 8:
        raise ValueError("pierścień wielokąta ma za mało współrzędnych albo nie są one parami (2D)")
    pairs = list(zip(numbers[0::2], numbers[1::2], strict=True))
    if northing_first:
        pairs = [(e, n) for n, e in pairs]
    return LinearRing(pairs)


def _polygons(el, northing_first: bool) -> list[Polygon]:
    name = _local(el)
    if name in ("Polygon", "PolygonPatch"):
        exterior = el.find(f"{{{GML}}}exterior/{{{GML}}}LinearRing")
        if exterior is None:
            raise ValueError("wielokąt bez obwodu zewnętrznego")
        holes = [_ring(r, northing_first) for r in el.findall(f"{{{GML}}}interior/{{{GML}}}LinearRing")]
        return [Polygon(_ring(exterior, northing_first), *holes)]
    if name in ("MultiSurface", "MultiPolygon", "Surface", "CompositeSurface"):
        out = []
        for child in el.iter(f"{{{GML}}}Polygon", f"{{{GML}}}PolygonPatch"):
            out.extend(_polygons(child, northing_first))
        if not out:
            raise ValueError(f"pusta geometria {name}")
        return out
    raise ValueError(f"nieobsługiwany typ geometrii gml:{name} (oczekiwano wielokąta)")


def read_geometry(container, inherited_srs: str | None = None) -> MultiPolygon:
    """The surface geometry inside an element, in EPSG:2180, valid and inside Poland."""
    geom_el = next((c for c in container if isinstance(c.tag, str)), None)
    if geom_el is None:
        raise ValueError("brak geometrii")
    srs = geom_el.get("srsName") or inherited_srs
    srid, northing_first = parse_srs(srs)
    try:
        polys = _polygons(geom_el, northing_first)
        multi = MultiPolygon(*polys, srid=srid)
    except (GEOSException, TypeError) as exc:
        raise ValueError(f"geometrii nie da się odczytać ({exc})") from exc
    try:
        return to_storage_multipolygon(multi)
    except GeometryError as exc:
        raise ValueError(str(exc)) from exc


def _kind(value: str) -> str | None:
    v = value.lower().replace(" ", "")
    if "miejscowy" in v or "mpzp" in v:
        return "mpzp"
    if "ogolny" in v or "ogólny" in v or "pog" == v:
        return "pog"
    return None


def _status(value: str) -> str | None:
    v = value.rsplit("/", 1)[-1].lower()
    for status, needles in STATUS.items():
        if any(n.replace(" ", "") in v.replace(" ", "") for n in needles):
            return status
    return None


def _app_id(el, ns: str) -> str:
    ident = el.find(f"{{{ns}}}idIIP/{{{ns}}}Identyfikator")
    if ident is None:
        return ""
    parts = [_text(ident, p, ns) for p in ("przestrzenNazw", "lokalnyId", "wersjaId")]
    return "/".join(p for p in parts if p)


def _uri(el) -> str:
    return (el.findtext(f"{{{GML}}}identifier") or "").strip()


def parse(data: bytes) -> Parsed:
    """Read an APP GML document; return acts, planning zones and every rejected feature."""
    if len(data) > MAX_BYTES:
        raise AppGmlError("Plik jest większy niż 50 MB.")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise AppGmlError(f"To nie jest poprawny dokument XML/GML: {exc.msg} (wiersz {exc.lineno}).") from exc
    version = next((v for v, ns in APP_NS.items() if root.find(f".//{{{ns}}}*") is not None), None)
    if version is None:
        raise AppGmlError(
            "W pliku nie ma obiektów w przestrzeni nazw APP "
            "(https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/1.0 lub 2.0)."
        )
    ns = APP_NS[version]
    rejections: list[Rejection] = []
    acts: list[Act] = []
    refs = _Refs()
    for el in root.iter(f"{{{ns}}}AktPlanowaniaPrzestrzennego"):
        gml_id = el.get(f"{{{GML}}}id", "?")
        label = f"AktPlanowaniaPrzestrzennego {gml_id}"
        try:
            title = _text(el, "tytul", ns)
            if not title:
                raise ValueError("brak tytułu (tytul)")
            kind = _kind(_text(el, "typPlanu", ns))
            if kind is None:
                raise ValueError(
                    f"nieobsługiwany typ aktu „{_text(el, 'typPlanu', ns)}” (obsługiwane: MPZP, plan ogólny)"
                )
            status = _status(_text(el, "status", ns))
            if status is None:
                raise ValueError(f"nieznany status „{_text(el, 'status', ns)}”")
            zasieg = el.find(f"{{{ns}}}zasiegPrzestrzenny")
            if zasieg is None:
                raise ValueError("brak zasięgu przestrzennego (zasiegPrzestrzenny)")
            boundary = read_geometry(zasieg)
            act = Act(
                gml_id=gml_id,
                app_id=_app_id(el, ns),
                title=title,
                kind=kind,
                status=status,
                valid_from=_date(_text(el, "obowiazujeOd", ns), "obowiązywania od"),
                valid_to=_date(_text(el, "obowiazujeDo", ns), "obowiązywania do"),
                boundary=boundary,
            )
            act.drawing_refs = _href(el, "rysunek", ns)
            act.document_refs = _href(el, "dokumentUchwalajacy", ns)
            acts.append(act)
            refs.add(act, gml_id=gml_id, app_id=act.app_id, uri=_uri(el))
        except ValueError as exc:
            rejections.append(Rejection(label, str(exc)))
    # A drawing names its act (plan), or the act names its drawings (rysunek).
    drawings = _Refs()
    for el in root.iter(f"{{{ns}}}RysunekAktuPlanowaniaPrzestrzennego"):
        scale = plain_int(_text(el, "rozdzielczoscPrzestrzenna", ns))
        if scale is None:
            continue
        drawings.add(scale, gml_id=el.get(f"{{{GML}}}id", ""), app_id=_app_id(el, ns), uri=_uri(el))
        for ref in [*_href(el, "plan", ns), *_href(el, "aktPlanowaniaPrzestrzennego", ns)]:
            act = refs.get(ref)
            if act is not None and not act.scale:
                act.scale = scale
    for act in acts:
        for ref in act.drawing_refs:
            act.scale = act.scale or drawings.get(ref)
    # A formal document names the act it adopts (uchwala), or the act names it (dokumentUchwalajacy).
    documents = list(root.iter(f"{{{ns}}}DokumentFormalny"))
    doc_refs = _Refs()
    for el in documents:
        doc_refs.add(el, gml_id=el.get(f"{{{GML}}}id", ""), app_id=_app_id(el, ns), uri=_uri(el))
    adopted_by_doc: dict[int, list[Act]] = {}
    for act in acts:
        for ref in act.document_refs:
            doc = doc_refs.get(ref)
            if doc is not None:
                adopted_by_doc.setdefault(id(doc), []).append(act)
    for el in documents:
        gml_id = el.get(f"{{{GML}}}id", "?")
        label = f"DokumentFormalny {gml_id}"
        adopted = [refs.get(r) for r in _href(el, "uchwala", ns)]
        adopted = [a for a in adopted if a is not None]
        adopted += [a for a in adopted_by_doc.get(id(el), []) if a not in adopted]
        if not adopted:
            named = ", ".join(_href(el, "uchwala", ns))
            rejections.append(
                Rejection(
                    label,
                    f"nie wskazuje uchwalanego aktu w tym pliku (uchwala: {named})"
                    if named
                    else "nie wskazuje uchwalanego aktu (uchwala)",
                )
            )
            continue
        try:
            date, date_kind = document_date(el, ns)
        except ValueError as exc:
            rejections.append(Rejection(label, str(exc)))
            date, date_kind = None, ""
        journal = _code(el, "dziennikUrzedowy", ns, JOURNALS)
        for act in adopted:
            act.resolution_number = _text(el, "numerIdentyfikacyjny", ns)
            act.resolution_date = date
            act.resolution_date_kind = date_kind
            act.adopted_by = _text(el, "organUstanawiajacy", ns)
            act.journal_entry = journal
            act.amends += [(identifier(r), "change") for r in _href(el, "zmienia", ns)]
            act.amends += [(identifier(r), "repeal") for r in _href(el, "uchyla", ns)]
    zones: list[PlanningZone] = []
    for el in root.iter(f"{{{ns}}}StrefaPlanistyczna"):
        gml_id = el.get(f"{{{GML}}}id", "?")
        act_ref = ""
        try:
            # The act first, so that every rejected zone is counted against its plan.
            named = [*_href(el, "plan", ns), *_href(el, "aktPlanowaniaPrzestrzennego", ns)]
            if named:
                act = refs.get(named[0])
                act_ref = act.gml_id if act is not None else identifier(named[0])
            else:
                act_ref = acts[0].gml_id if len(acts) == 1 else ""
            symbol = _text(el, "oznaczenie", ns) or _text(el, "symbol", ns)
            if not symbol:
                raise ValueError("brak oznaczenia strefy (oznaczenie)")
            if not act_ref:
                raise ValueError("strefa nie wskazuje aktu planowania (plan)")
            geom_el = el.find(f"{{{ns}}}geometria")
            if geom_el is None:
                raise ValueError("brak geometrii strefy (geometria)")
            zones.append(
                PlanningZone(
                    gml_id,
                    act_ref,
                    symbol,
                    _code(el, "nazwa", ns, ZONE_KINDS),
                    read_geometry(geom_el),
                )
            )
        except ValueError as exc:
            rejections.append(Rejection(f"StrefaPlanistyczna {gml_id}", str(exc), act_ref=act_ref))
    for act in acts:
        missing = [
            w
            for w, v in (("numer uchwały", act.resolution_number), ("data uchwały", act.resolution_date))
            if not v
        ]
        if missing:
            rejections.append(
                Rejection(
                    f"AktPlanowaniaPrzestrzennego {act.gml_id}",
                    f"brak dokumentu formalnego: {', '.join(missing)}",
                )
            )
    complete = [a for a in acts if a.resolution_number and a.resolution_date]
    return Parsed(version, complete, zones, rejections)
