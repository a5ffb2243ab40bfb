"""Writing plans as APP GML: a gml:FeatureCollection valid against the APP 2.0 schema (act,
drawing, formal document with a gmd:CI_Date and its amendment links, and the zones as planning
zones), with references as identifier URIs, as the Ministry's QGIS plugin writes them."""

from __future__ import annotations

import re

from django.contrib.gis.geos import MultiPolygon
from lxml import etree

from .app_gml import APP_NS, GCO, GMD, GML, URI_BASE, XLINK
from .codelists import (
    CODELIST_BASE,
    INSPIRE_CODELIST,
    JOURNALS,
    ZONE_KIND_OF_SYMBOL,
    ZONE_KINDS,
    journal_code,
)

SRS = "http://www.opengis.net/def/crs/EPSG/0/2180"
STATUS_OUT = {
    "in_force": ("legalForce", "prawnie wiążący lub realizowany"),
    "in_preparation": ("elaboration", "w opracowaniu"),
    "repealed": ("obsolete", "nieaktualny"),
}
KIND_OUT = {
    "mpzp": ("miejscowyPlanZagospodarowaniaPrzestrzennego", "miejscowy plan zagospodarowania przestrzennego"),
    "pog": ("planOgolnyGminy", "plan ogólny gminy"),
}
LEVEL_OUT = {"mpzp": ("infraLocal", "sublokalny"), "pog": ("local", "lokalny")}
KPT = "https://www.gov.pl/static/zagospodarowanieprzestrzenne/ontology/KPT#KPT-MPZP-"


def _safe_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)


def _ring(ring, parent) -> None:
    # srsName in URI form: EPSG axis order, northing first for EPSG:2180. Coordinates as stored,
    # in the shortest form that reads back to the same double (rounding to millimetres moved a
    # reprojected 500 m zone's outline by 0.6 m² of symmetric difference).
    text = " ".join(f"{y!r} {x!r}" for x, y in ring.coords)
    lr = etree.SubElement(parent, f"{{{GML}}}LinearRing")
    etree.SubElement(lr, f"{{{GML}}}posList").text = text


def _polygon(parent, poly, gml_id: str, tag: str = "Polygon", srs: bool = True):
    attrs = {f"{{{GML}}}id": gml_id} if tag == "Polygon" else {}
    if srs:
        attrs["srsName"] = SRS
    p = etree.SubElement(parent, f"{{{GML}}}{tag}", attrs)
    _ring(poly.exterior_ring, etree.SubElement(p, f"{{{GML}}}exterior"))
    for hole in list(poly)[1:]:
        _ring(hole, etree.SubElement(p, f"{{{GML}}}interior"))
    return p


def _multisurface(parent, geom: MultiPolygon, gml_id: str) -> None:
    ms = etree.SubElement(parent, f"{{{GML}}}MultiSurface", {f"{{{GML}}}id": gml_id, "srsName": SRS})
    for i, poly in enumerate(geom):
        _polygon(etree.SubElement(ms, f"{{{GML}}}surfaceMember"), poly, f"{gml_id}-{i + 1}", srs=False)


def _surface(parent, geom: MultiPolygon, gml_id: str) -> None:
    """A zone's geometry (gml:SurfacePropertyType): a Polygon, or a Surface of several patches."""
    if len(geom) == 1:
        _polygon(parent, geom[0], gml_id)
        return
    surface = etree.SubElement(parent, f"{{{GML}}}Surface", {f"{{{GML}}}id": gml_id, "srsName": SRS})
    patches = etree.SubElement(surface, f"{{{GML}}}patches")
    for poly in geom:
        _polygon(patches, poly, "", tag="PolygonPatch", srs=False)


def _split_app_id(plan) -> tuple[str, str, str]:
    """(przestrzenNazw, lokalnyId, wersjaId) of a plan; built from the gmina and id if it has none."""
    app_id = plan.app_id or f"PL.ZIPPZP.9999/{plan.gmina.teryt[:6]}-{plan.kind.upper()}/{plan.pk}/1"
    parts = app_id.split("/")
    if len(parts) >= 4:
        return "/".join(parts[:2]), parts[2], "/".join(parts[3:])
    if len(parts) == 3:
        return "/".join(parts[:2]), parts[2], "1"
    return parts[0], parts[1] if len(parts) > 1 else str(plan.pk), "1"


def write(plans, version: str = "2.0") -> bytes:
    """Return an APP GML document (gml:FeatureCollection) describing the plans: act, drawing,
    formal document with its amendment links, and (APP 2.0) the zones as planning zones."""
    ns = APP_NS[version]
    nsmap = {"gml": GML, "app": ns, "xlink": XLINK, "gmd": GMD, "gco": GCO}
    root = etree.Element(f"{{{GML}}}FeatureCollection", nsmap=nsmap)
    root.set(f"{{{GML}}}id", "SIP-APP")

    def member():
        return etree.SubElement(root, f"{{{GML}}}featureMember")

    def sub(parent, name, text=None, **attrs):
        el = etree.SubElement(parent, f"{{{ns}}}{name}", {f"{{{XLINK}}}{k}": v for k, v in attrs.items()})
        if text is not None:
            el.text = str(text)
        return el

    def feature(kind: str, gml_id: str, space: str, local: str, ver: str):
        el = sub(member(), kind)
        el.set(f"{{{GML}}}id", gml_id)
        uri = f"{URI_BASE}/{kind}/{space}/{local}/{ver}"
        etree.SubElement(el, f"{{{GML}}}identifier", codeSpace=URI_BASE).text = uri
        ident = sub(sub(el, "idIIP"), "Identyfikator")
        sub(ident, "przestrzenNazw", space)
        sub(ident, "lokalnyId", local)
        sub(ident, "wersjaId", ver)
        return el, uri

    def act_uri(plan) -> str:
        return f"{URI_BASE}/AktPlanowaniaPrzestrzennego/{'/'.join(_split_app_id(plan))}"

    for plan in plans:
        pid = _safe_id(f"PLAN-{plan.pk}")
        space, local, ver = _split_app_id(plan)
        since = f"{plan.resolution_date.isoformat()}T00:00:00Z"
        status, status_title = STATUS_OUT[plan.status]
        act, uri = feature("AktPlanowaniaPrzestrzennego", pid, space, local, ver)
        sub(act, "poczatekWersjiObiektu", since)
        sub(act, "tytul", plan.title)
        code, title = KIND_OUT[plan.kind]
        sub(act, "typPlanu", href=f"{CODELIST_BASE}/TypAktuPlanowaniaPrzestrzennegoKod/{code}", title=title)
        code, title = LEVEL_OUT[plan.kind]
        sub(act, "poziomHierarchii", href=f"{INSPIRE_CODELIST}/LevelOfSpatialPlanValue/{code}", title=title)
        if plan.valid_from:
            sub(act, "obowiazujeOd", plan.valid_from.isoformat())
        if plan.valid_to:
            sub(act, "obowiazujeDo", plan.valid_to.isoformat())
        sub(act, "status", href=f"{INSPIRE_CODELIST}/ProcessStepGeneralValue/{status}", title=status_title)
        _multisurface(sub(act, "zasiegPrzestrzenny"), plan.boundary, f"{pid}-ZASIEG")
        drawing_uri = f"{URI_BASE}/RysunekAktuPlanowaniaPrzestrzennego/{space}/{local}-RYS/{ver}"
        sub(act, "rysunek", href=drawing_uri)
        rys, _ = feature("RysunekAktuPlanowaniaPrzestrzennego", f"{pid}-RYS", space, f"{local}-RYS", ver)
        sub(rys, "poczatekWersjiObiektu", since)
        sub(rys, "tytul", f"Rysunek – {plan.title}")
        sub(rys, "lacze", plan.drawing_raster.url if plan.drawing_raster else drawing_uri)
        sub(rys, "ukladOdniesieniaPrzestrzennego", SRS)
        sub(rys, "rozdzielczoscPrzestrzenna", plan.scale)
        sub(rys, "plan", href=uri)
        doc, _ = feature("DokumentFormalny", f"{pid}-DOK", space, f"{local}-UCHWALA", ver)
        sub(doc, "tytul", f"Uchwała nr {plan.resolution_number} {plan.adopted_by}")
        sub(doc, "numerIdentyfikacyjny", plan.resolution_number)
        sub(doc, "organUstanawiajacy", plan.adopted_by)
        # The resolution's own date: ISO 19139 CI_DateTypeCode "creation" (see app_gml).
        ci_date = etree.SubElement(sub(doc, "data"), f"{{{GMD}}}CI_Date")
        date = etree.SubElement(ci_date, f"{{{GMD}}}date")
        etree.SubElement(date, f"{{{GCO}}}Date").text = plan.resolution_date.isoformat()
        etree.SubElement(
            etree.SubElement(ci_date, f"{{{GMD}}}dateType"),
            f"{{{GMD}}}CI_DateTypeCode",
            codeList="http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#CI_DateTypeCode",
            codeListValue="creation",
        ).text = "utworzenie"
        journal = journal_code(plan.journal_entry)
        if journal:
            sub(
                doc,
                "dziennikUrzedowy",
                href=f"{CODELIST_BASE}/DziennikUrzedowyKod/{journal}",
                title=JOURNALS[journal],
            )
        sub(doc, "uchwala", href=uri)
        for amendment in plan.amendments_made.select_related("amended", "amended__gmina"):
            sub(doc, "zmienia" if amendment.kind == "change" else "uchyla", href=act_uri(amendment.amended))
        if version != "2.0":
            continue
        for zone in plan.zones.all():
            zid = _safe_id(f"{pid}-STREFA-{zone.symbol}")
            z, _ = feature("StrefaPlanistyczna", zid, space, _safe_id(f"{local}-{zone.symbol}"), ver)
            sub(z, "oznaczenie", zone.symbol)
            sub(z, "symbol", zone.purpose)
            sub(z, "poczatekWersjiObiektu", since)
            sub(z, "obowiazujeOd", (plan.valid_from or plan.resolution_date).isoformat())
            sub(z, "status", href=f"{INSPIRE_CODELIST}/ProcessStepGeneralValue/{status}", title=status_title)
            sub(
                z,
                "charakterUstalenia",
                href=f"{INSPIRE_CODELIST}/RegulationNatureValue/generallyBinding",
                title="ogólnie wiążące",
            )
            _surface(sub(z, "geometria"), zone.geom, f"{zid}-GEOM")
            sub(z, "plan", href=uri)
            kind = ZONE_KIND_OF_SYMBOL.get(zone.purpose)
            if kind:
                href = f"{CODELIST_BASE}/RodzajStrefyPlanistycznejKod/{kind}"
                sub(z, "nazwa", href=href, title=ZONE_KINDS[kind])
            else:
                sub(z, "nazwa", title=zone.name)
            if plan.kind == "pog":
                # Profiles of a plan ogólny's zones are not kept in SIP.
                sub(z, "profilPodstawowy").set("nilReason", "unknown")
            else:
                sub(z, "profilPodstawowy", href=f"{KPT}{zone.purpose}", title=zone.name)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
