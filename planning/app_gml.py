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

APP_NS = {
    "1.0": "https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/1.0",
    "2.0": "https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0",
}
GML = "http://www.opengis.net/gml/3.2"
XLINK = "http://www.w3.org/1999/xlink"
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
class Rejection:
    feature: str
    reason: str

    def __str__(self) -> str:
        return f"{self.feature}: {self.reason}"


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
    amends: list[tuple[str, str]] = field(default_factory=list)  # (reference, "change"|"repeal")


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
    drawings: dict[str, int] = {}
    for el in root.iter(f"{{{ns}}}RysunekAktuPlanowaniaPrzestrzennego"):
        scale = _text(el, "rozdzielczoscPrzestrzenna", ns)
        for ref in [*_href(el, "plan", ns), *_href(el, "aktPlanowaniaPrzestrzennego", ns)]:
            if scale.isdigit():
                drawings[ref.lstrip("#")] = int(scale)
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
            for ref in _href(el, "rysunek", ns):
                act.scale = act.scale or drawings.get(ref.lstrip("#"))
            act.scale = act.scale or drawings.get(gml_id) or drawings.get(act.app_id)
            acts.append(act)
        except ValueError as exc:
            rejections.append(Rejection(label, str(exc)))
    by_ref = {a.gml_id: a for a in acts} | {a.app_id: a for a in acts if a.app_id}
    for el in root.iter(f"{{{ns}}}DokumentFormalny"):
        gml_id = el.get(f"{{{GML}}}id", "?")
        adopted = [by_ref.get(r.lstrip("#")) for r in _href(el, "uchwala", ns)]
        adopted = [a for a in adopted if a is not None]
        if not adopted:
            rejections.append(
                Rejection(f"DokumentFormalny {gml_id}", "nie wskazuje uchwalanego aktu (uchwala)")
            )
            continue
        for act in adopted:
            act.resolution_number = _text(el, "numerIdentyfikacyjny", ns)
            try:
                act.resolution_date = _date(_text(el, "data", ns), "uchwały")
            except ValueError as exc:
                rejections.append(Rejection(f"DokumentFormalny {gml_id}", str(exc)))
            act.adopted_by = _text(el, "organUstanawiajacy", ns)
            act.journal_entry = _text(el, "dziennikUrzedowy", ns)
            act.amends += [(r.lstrip("#"), "change") for r in _href(el, "zmienia", ns)]
            act.amends += [(r.lstrip("#"), "repeal") for r in _href(el, "uchyla", ns)]
    zones: list[PlanningZone] = []
    for el in root.iter(f"{{{ns}}}StrefaPlanistyczna"):
        gml_id = el.get(f"{{{GML}}}id", "?")
        try:
            symbol = _text(el, "oznaczenie", ns) or _text(el, "symbol", ns)
            if not symbol:
                raise ValueError("brak oznaczenia strefy (oznaczenie)")
            refs = [*_href(el, "plan", ns), *_href(el, "aktPlanowaniaPrzestrzennego", ns)]
            act_ref = refs[0].lstrip("#") if refs else (acts[0].gml_id if len(acts) == 1 else "")
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
                    _text(el, "nazwa", ns) or _text(el, "symbol", ns),
                    read_geometry(geom_el),
                )
            )
        except ValueError as exc:
            rejections.append(Rejection(f"StrefaPlanistyczna {gml_id}", str(exc)))
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


# --- writing -----------------------------------------------------------------------------------


def _pos_list(ring, parent, northing_first: bool) -> None:
    coords = ring.coords
    text = " ".join(f"{y:.3f} {x:.3f}" if northing_first else f"{x:.3f} {y:.3f}" for x, y in coords)
    etree.SubElement(parent, f"{{{GML}}}posList").text = text


def _multisurface(parent, geom: MultiPolygon, gml_id: str) -> None:
    ms = etree.SubElement(
        parent,
        f"{{{GML}}}MultiSurface",
        {f"{{{GML}}}id": gml_id, "srsName": "http://www.opengis.net/def/crs/EPSG/0/2180"},
    )
    for i, poly in enumerate(geom):
        member = etree.SubElement(ms, f"{{{GML}}}surfaceMember")
        p = etree.SubElement(member, f"{{{GML}}}Polygon", {f"{{{GML}}}id": f"{gml_id}-{i + 1}"})
        ext = etree.SubElement(etree.SubElement(p, f"{{{GML}}}exterior"), f"{{{GML}}}LinearRing")
        _pos_list(poly.exterior_ring, ext, True)
        for hole in list(poly)[1:]:
            inner = etree.SubElement(etree.SubElement(p, f"{{{GML}}}interior"), f"{{{GML}}}LinearRing")
            _pos_list(hole, inner, True)


STATUS_OUT = {
    "in_force": "prawnieWiazacy",
    "in_preparation": "wTrakcieSporzadzania",
    "repealed": "nieobowiazujacy",
}
KIND_OUT = {"mpzp": "miejscowy plan zagospodarowania przestrzennego", "pog": "plan ogólny gminy"}


def _safe_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)


def write(plans, version: str = "2.0") -> bytes:
    """Return an APP GML document (FeatureCollection) describing the plans: act, drawing, formal
    document with its amendment links, and (APP 2.0) the zones as planning zones."""
    ns = APP_NS[version]
    nsmap = {"gml": GML, "app": ns, "xlink": XLINK}
    root = etree.Element(f"{{{GML}}}FeatureCollection", nsmap=nsmap)
    root.set(f"{{{GML}}}id", "SIP-APP")

    def member():
        return etree.SubElement(root, f"{{{GML}}}featureMember")

    def sub(parent, name, text=None, **attrs):
        el = etree.SubElement(parent, f"{{{ns}}}{name}", {f"{{{XLINK}}}{k}": v for k, v in attrs.items()})
        if text is not None:
            el.text = str(text)
        return el

    for plan in plans:
        pid = _safe_id(f"PLAN-{plan.pk}")
        act = sub(member(), "AktPlanowaniaPrzestrzennego")
        act.set(f"{{{GML}}}id", pid)
        ident = sub(sub(act, "idIIP"), "Identyfikator")
        parts = (
            plan.app_id or f"PL.ZIPPZP.9999/{plan.gmina.teryt[:6]}-{plan.kind.upper()}/{plan.pk}/1"
        ).split("/")
        namespace = "/".join(parts[:2]) if len(parts) >= 3 else parts[0]
        rest = parts[2:] if len(parts) >= 3 else parts[1:]
        sub(ident, "przestrzenNazw", namespace)
        sub(ident, "lokalnyId", rest[0] if rest else str(plan.pk))
        sub(ident, "wersjaId", rest[1] if len(rest) > 1 else "1")
        sub(act, "tytul", plan.title)
        sub(act, "typPlanu", KIND_OUT[plan.kind])
        sub(act, "poziomHierarchii", "lokalny" if plan.kind == "mpzp" else "gminny")
        sub(act, "status", STATUS_OUT[plan.status])
        if plan.valid_from:
            sub(act, "obowiazujeOd", plan.valid_from.isoformat())
        if plan.valid_to:
            sub(act, "obowiazujeDo", plan.valid_to.isoformat())
        _multisurface(sub(act, "zasiegPrzestrzenny"), plan.boundary, f"{pid}-ZASIEG")
        sub(act, "rysunek", href=f"#{pid}-RYS")
        rys = sub(member(), "RysunekAktuPlanowaniaPrzestrzennego")
        rys.set(f"{{{GML}}}id", f"{pid}-RYS")
        sub(rys, "tytul", f"Rysunek – {plan.title}")
        sub(rys, "ukladOdniesieniaPrzestrzennego", "http://www.opengis.net/def/crs/EPSG/0/2180")
        sub(rys, "rozdzielczoscPrzestrzenna", plan.scale)
        sub(rys, "plan", href=f"#{pid}")
        doc = sub(member(), "DokumentFormalny")
        doc.set(f"{{{GML}}}id", f"{pid}-DOK")
        sub(doc, "tytul", f"Uchwała nr {plan.resolution_number}")
        sub(doc, "numerIdentyfikacyjny", plan.resolution_number)
        sub(doc, "organUstanawiajacy", plan.adopted_by)
        sub(doc, "data", plan.resolution_date.isoformat())
        if plan.journal_entry:
            sub(doc, "dziennikUrzedowy", plan.journal_entry)
        sub(doc, "uchwala", href=f"#{pid}")
        for amendment in plan.amendments_made.select_related("amended"):
            target = amendment.amended
            ref = target.app_id or f"#PLAN-{target.pk}"
            sub(doc, "zmienia" if amendment.kind == "change" else "uchyla", href=ref)
        if version == "2.0":
            for zone in plan.zones.all():
                zid = _safe_id(f"{pid}-STREFA-{zone.symbol}")
                z = sub(member(), "StrefaPlanistyczna")
                z.set(f"{{{GML}}}id", zid)
                sub(z, "oznaczenie", zone.symbol)
                sub(z, "symbol", zone.purpose)
                sub(z, "nazwa", zone.name)
                sub(z, "plan", href=f"#{pid}")
                _multisurface(sub(z, "geometria"), zone.geom, f"{zid}-GEOM")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
