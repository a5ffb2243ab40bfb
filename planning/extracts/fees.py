"""Stamp duty for extracts (ustawa o opłacie skarbowej, załącznik cz. I ust. 51).

wypis: 30 zł up to 5 pages, 50 zł above 5 pages; wyrys: 20 zł for each started A4 page, at
most 200 zł; an office may cap wypis and wyrys together (e.g. 250 zł).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WYPIS_UP_TO_5_PAGES = Decimal("30.00")
WYPIS_ABOVE_5_PAGES = Decimal("50.00")
WYRYS_PER_PAGE = Decimal("20.00")
WYRYS_MAX = Decimal("200.00")


@dataclass(frozen=True)
class Fee:
    wypis: Decimal
    wyrys: Decimal
    total: Decimal
    capped: bool

    def describe(self) -> str:
        """The fee as printed on the document, e.g. 'wypis 30,00 zł + wyrys 20,00 zł = 50,00 zł'."""
        parts = []
        if self.wypis:
            parts.append(f"wypis {money(self.wypis)}")
        if self.wyrys:
            parts.append(f"wyrys {money(self.wyrys)}")
        text = " + ".join(parts) + f" = {money(self.total)}" if len(parts) > 1 else f"{money(self.total)}"
        if self.capped:
            text += " (łączny limit opłaty)"
        return text


def money(value: Decimal) -> str:
    return f"{value:,.2f}".replace(",", " ").replace(".", ",") + " zł"


def compute_fee(*, wypis_pages: int, wyrys_pages: int, combined_cap: Decimal | None = None) -> Fee:
    """Return the stamp duty for a wypis of `wypis_pages` and a wyrys of `wyrys_pages` A4 pages
    (0 when not issued)."""
    if wypis_pages < 0 or wyrys_pages < 0:
        raise ValueError("Liczba stron nie może być ujemna.")
    wypis = (
        Decimal(0) if wypis_pages == 0 else WYPIS_UP_TO_5_PAGES if wypis_pages <= 5 else WYPIS_ABOVE_5_PAGES
    )
    wyrys = min(WYRYS_PER_PAGE * wyrys_pages, WYRYS_MAX)
    total = wypis + wyrys
    capped = combined_cap is not None and total > combined_cap
    if capped:
        total = Decimal(combined_cap)
    return Fee(wypis=wypis, wyrys=wyrys, total=total, capped=capped)


# A certificate (zaświadczenie) that no plan applies: załącznik, część II ust. 21.
NO_PLAN_CERTIFICATE = Decimal("17.00")


def no_plan_fee() -> Fee:
    """Return the stamp duty for a certificate that no local plan applies."""
    return Fee(wypis=Decimal(0), wyrys=Decimal(0), total=NO_PLAN_CERTIFICATE, capped=False)


def record_fee(case, fee: Fee) -> None:
    """Save the fee of the case's latest document on the case (call inside the transaction that
    stores the document)."""
    case.fee_wypis, case.fee_wyrys, case.fee_total = fee.wypis, fee.wyrys, fee.total
    case.save(update_fields=["fee_wypis", "fee_wyrys", "fee_total"])
