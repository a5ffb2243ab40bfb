"""Stamp duty table (ustawa o opłacie skarbowej, załącznik cz. I ust. 51)."""

from decimal import Decimal

import pytest

from planning.extracts.fees import compute_fee, money, no_plan_fee


@pytest.mark.parametrize(
    ("wypis_pages", "wyrys_pages", "cap", "expected"),
    [
        (1, 0, None, ("30", "0", "30", False)),
        (5, 0, None, ("30", "0", "30", False)),
        (6, 0, None, ("50", "0", "50", False)),
        (0, 1, None, ("0", "20", "20", False)),
        (0, 9, None, ("0", "180", "180", False)),
        (0, 10, None, ("0", "200", "200", False)),
        (0, 11, None, ("0", "200", "200", False)),
        (3, 2, None, ("30", "40", "70", False)),
        (6, 10, None, ("50", "200", "250", False)),
        (6, 12, Decimal("250"), ("50", "200", "250", False)),
        (5, 12, Decimal("220"), ("30", "200", "220", True)),
        (2, 1, Decimal("250"), ("30", "20", "50", False)),
    ],
)
def test_fee_table(wypis_pages, wyrys_pages, cap, expected):
    fee = compute_fee(wypis_pages=wypis_pages, wyrys_pages=wyrys_pages, combined_cap=cap)
    assert (fee.wypis, fee.wyrys, fee.total, fee.capped) == (*map(Decimal, expected[:3]), expected[3])


def test_negative_pages_are_refused():
    with pytest.raises(ValueError):
        compute_fee(wypis_pages=-1, wyrys_pages=0)


def test_certificate_that_no_plan_applies_costs_17_zl():
    assert no_plan_fee().total == Decimal("17.00")


def test_fee_text_on_the_document():
    fee = compute_fee(wypis_pages=6, wyrys_pages=2)
    assert fee.describe() == "wypis 50,00 zł + wyrys 40,00 zł = 90,00 zł"
    assert money(Decimal("1250.5")) == "1 250,50 zł"
