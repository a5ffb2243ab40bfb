"""Building the PDF of one issue of a case: wypis and/or wyrys, or the certificate that no plan
applies; the fee follows from the page counts and is printed on the document."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from ..models import ExtractCase, ExtractOffice, IssuedDocument, Plan
from ..selectors import ParcelZoning
from . import drawing, fees, pdf


@dataclass
class BuiltDocument:
    content: bytes
    kind: str
    wypis_pages: int
    wyrys_pages: int
    fee: fees.Fee


def office_for(gmina) -> ExtractOffice:
    """The gmina's extract settings, or defaults made from the gmina's name."""
    office = ExtractOffice.objects.filter(gmina=gmina).first()
    if office is None:
        office = ExtractOffice(
            gmina=gmina,
            office_name=f"Urząd Gminy {gmina.name}",
            place=gmina.name,
            authority=f"Wójt Gminy {gmina.name}",
        )
    return office


def _sections(zonings: list[ParcelZoning]) -> list[dict]:
    """Per plan (in order of adoption) the zones covering any parcel, each with its parcels."""
    plans: dict[int, dict] = {}
    for z in zonings:
        for pz in z.plans:
            if not pz.zones:
                continue
            section = plans.setdefault(
                pz.plan.pk,
                {
                    "plan": pz.plan,
                    "zones": {},
                    "amended_by": pz.amended_by,
                },
            )
            for share in pz.zones:
                entry = section["zones"].setdefault(share.zone.pk, {"zone": share.zone, "rows": []})
                entry["rows"].append(
                    {"parcel": z.parcel, "area_m2": share.area_m2, "share_pct": share.share_pct}
                )
    out = []
    for section in sorted(plans.values(), key=lambda s: (s["plan"].resolution_date, s["plan"].pk)):
        section["adoption"] = adoption_sentence(section["plan"])
        section["zones"] = sorted(section["zones"].values(), key=lambda e: _symbol_key(e["zone"].symbol))
        out.append(section)
    return out


def adoption_sentence(plan: Plan) -> str:
    """E.g. 'Uchwała nr X/1/2020 Rady Gminy … z dnia 15.01.2020 r., ogłoszona w …, obowiązuje od
    … r. Skala rysunku planu 1:1000. Identyfikator APP: ….'"""
    text = f"Uchwała nr {plan.resolution_number} {plan.adopted_by} z dnia {plan.resolution_date:%d.%m.%Y} r."
    if plan.journal_entry:
        text += f", ogłoszona w {plan.journal_entry}"
    if plan.valid_from:
        text += f", obowiązuje od {plan.valid_from:%d.%m.%Y} r."
    if not text.endswith("."):
        text += "."
    text += f" Skala rysunku planu 1:{plan.scale}."
    if plan.app_id:
        text += f" Identyfikator APP: {plan.app_id}."
    return text


def _symbol_key(symbol: str):
    digits = "".join(ch for ch in symbol if ch.isdigit())
    letters = "".join(ch for ch in symbol if not ch.isdigit())
    return (letters, int(digits) if digits else 0)


def scale_bar_svg(scale: int) -> str:
    """An SVG scale bar (millimetres on paper) of 50–100 mm in four or five segments, labelled in metres."""
    for metres in (10, 20, 25, 40, 50, 100, 200, 250, 400, 500, 1000, 2000, 2500, 5000, 10000):
        bar_mm = metres * 1000 / scale
        if bar_mm >= 50:
            break
    segments = 5 if metres % 5 == 0 else 4
    seg = bar_mm / segments
    width = bar_mm + 14
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.3f}mm" height="8mm" '
        f'viewBox="0 0 {width:.3f} 8">'
    ]
    for i in range(segments):
        fill = "#000" if i % 2 == 0 else "#fff"
        parts.append(
            f'<rect x="{2 + i * seg:.3f}" y="1" width="{seg:.3f}" height="1.6" fill="{fill}" '
            'stroke="#000" stroke-width="0.2"/>'
        )
    for i in range(segments + 1):
        label = f"{metres * i / segments:g}"
        parts.append(
            f'<text x="{2 + i * seg:.3f}" y="5.8" font-size="2.6" text-anchor="middle" '
            f'font-family="DejaVu Sans">{label}</text>'
        )
    parts.append(
        f'<text x="{bar_mm + 4:.3f}" y="2.8" font-size="2.6" font-family="DejaVu Sans">m</text></svg>'
    )
    return "".join(parts)


def _wyrys_sheets(sections: list[dict], zonings: list[ParcelZoning]) -> list[dict]:
    """Rendered sheets for each plan of the wypis (one group per plan)."""
    groups = []
    for section in sections:
        plan = section["plan"]
        parcels = [z.parcel for z in zonings if any(pz.plan.pk == plan.pk and pz.zones for pz in z.plans)]
        sheets = drawing.draw_plan(plan, parcels)
        items = []
        for s in sheets:
            items.append(
                {
                    "number": s.number,
                    "overview": s.overview,
                    "scale": s.scale,
                    "image": pdf.png_data_uri(s.png),
                    "legend": drawing.legend_items(s.purposes, plan.gmina_id),
                    "amended": s.amended,
                    "scale_bar": scale_bar_svg(s.scale),
                }
            )
        groups.append({"plan": plan, "parcels": parcels, "sheets": items})
    return groups


def build(
    *, case: ExtractCase, office: ExtractOffice, zonings: list[ParcelZoning], version: int, verify_url: str
) -> BuiltDocument:
    """Render the PDF of this issue of the case with the office's settings (office_for); return
    its bytes, kind, pages and fee."""
    combined_cap = office.combined_fee_cap
    issued_on = timezone.localdate()
    base = {
        "case": case,
        "office": office,
        "issued_on": issued_on,
        "version": version,
        "verify_url": verify_url,
        "qr": pdf.qr_data_uri(verify_url),
        "legal_basis": pdf.LEGAL_BASIS,
        "zonings": zonings,
    }
    sections = _sections(zonings)
    if not sections:
        fee = fees.no_plan_fee()
        rendered = pdf.render(
            "planning/pdf/no_plan.html",
            {
                **base,
                "part_name": "zaświadczenie",
                "fee_text": fees.money(fee.total),
                "fee_basis": pdf.NO_PLAN_FEE_BASIS,
            },
        )
        return BuiltDocument(pdf.combine([rendered]), IssuedDocument.Kind.NO_PLAN, 0, 0, fee)

    with_wypis = case.kind in (ExtractCase.Kind.WYPIS, ExtractCase.Kind.BOTH)
    with_wyrys = case.kind in (ExtractCase.Kind.WYRYS, ExtractCase.Kind.BOTH)
    groups = _wyrys_sheets(sections, zonings) if with_wyrys else []
    wyrys_pages = sum(len(g["sheets"]) for g in groups)

    parts = []
    wypis_pages = 0
    if with_wypis:
        # The wypis fee depends on its page count; the two possible fee texts are equally long,
        # so the layout does not change when the first guess (up to 5 pages) was wrong.
        for guess in (1, 6):
            fee = fees.compute_fee(wypis_pages=guess, wyrys_pages=wyrys_pages, combined_cap=combined_cap)
            rendered = _render_wypis(base, case, sections, zonings, fee, with_wyrys, wyrys_pages)
            actual = fees.compute_fee(
                wypis_pages=rendered.pages, wyrys_pages=wyrys_pages, combined_cap=combined_cap
            )
            if actual == fee:
                break
        wypis_pages = rendered.pages
        parts.append(rendered)
    fee = fees.compute_fee(wypis_pages=wypis_pages, wyrys_pages=wyrys_pages, combined_cap=combined_cap)
    for group in groups:
        plan = group["plan"]
        parts.append(
            pdf.render(
                "planning/pdf/wyrys.html",
                {
                    **base,
                    "part_name": f"wyrys z planu {plan.resolution_number}",
                    "plan": plan,
                    "plan_kind_upper": _kind_genitive(plan).upper(),
                    "sheets": group["sheets"],
                    "sheet_count": sum(1 for s in group["sheets"] if not s["overview"]),
                    "parcel_list": _parcel_list(group["parcels"]),
                    "fee_text": fee.describe(),
                },
            )
        )
    return BuiltDocument(pdf.combine(parts), IssuedDocument.Kind.EXTRACT, wypis_pages, wyrys_pages, fee)


def _parcel_list(parcels) -> str:
    """Parcels for the title block: listed when few, else counted per obręb (the wypis lists them)."""
    if len(parcels) <= 6:
        return ", ".join(f"{p.obreb.name} dz. nr {p.number}" for p in parcels)
    per_obreb: dict[str, int] = {}
    for p in parcels:
        per_obreb[p.obreb.name] = per_obreb.get(p.obreb.name, 0) + 1
    counts = ", ".join(f"{name}: {n}" for name, n in sorted(per_obreb.items()))
    return f"{len(parcels)} działek ({counts}) – wykaz w wypisie i w rejestrze sprawy"


def _kind_genitive(plan: Plan) -> str:
    if plan.kind == Plan.Kind.POG:
        return "planu ogólnego gminy"
    return "miejscowego planu zagospodarowania przestrzennego"


def _render_wypis(base, case, sections, zonings, fee, with_wyrys, wyrys_pages) -> pdf.Rendered:
    kinds = {s["plan"].kind for s in sections}
    plan_words = (
        "planu ogólnego gminy"
        if kinds == {Plan.Kind.POG}
        else "miejscowego planu zagospodarowania przestrzennego"
        if kinds == {Plan.Kind.MPZP}
        else "aktów planowania przestrzennego"
    )
    heading = ("WYPIS I WYRYS Z " if with_wyrys else "WYPIS Z ") + plan_words.upper()
    slivers = [
        {"symbol": s.zone.symbol, "parcel": z.parcel.number, "area_m2": s.area_m2}
        for z in zonings
        for pz in z.plans
        for s in pz.slivers
    ]
    uncovered = [z for z in zonings if z.uncovered_area_m2 > 0 and not z.uncovered_is_sliver]
    return pdf.render(
        "planning/pdf/wypis.html",
        {
            **base,
            "part_name": "wypis",
            "heading": heading,
            "heading_short": ("wypis i wyrys z " if with_wyrys else "wypis z ") + plan_words,
            "sections": sections,
            "uncovered": uncovered,
            "slivers": slivers,
            "fee_text": fee.describe(),
            "fee_basis": pdf.FEE_BASIS,
            "with_wyrys": with_wyrys,
            "wyrys_pages": wyrys_pages,
            "wyrys_pages_word": "strona"
            if wyrys_pages == 1
            else "strony"
            if 2 <= wyrys_pages % 10 <= 4 and not 12 <= wyrys_pages % 100 <= 14
            else "stron",
        },
    )
