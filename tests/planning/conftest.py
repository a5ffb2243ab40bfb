"""Planning fixtures: hand-made plans and zones in a test gmina with known geometry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from planning.models import Amendment, ExtractOffice, Plan, Zone
from tests.conftest import ParcelFactory


def rect(x0: float, y0: float, x1: float, y1: float) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((x0, y0, x1, y1)), srid=2180)


def make_plan(
    gmina, boundary, *, resolution="I/1/2020", status=Plan.Status.IN_FORCE, scale=1000, **extra
) -> Plan:
    return Plan.objects.create(
        gmina=gmina,
        title=extra.pop("title", f"Miejscowy plan zagospodarowania przestrzennego testowy {resolution}"),
        resolution_number=resolution,
        resolution_date=extra.pop("resolution_date", dt.date(2020, 1, 15)),
        adopted_by="Rady Gminy Testowej",
        journal_entry="Dz. Urz. Woj. Dolnośląskiego z 2020 r. poz. 100",
        status=status,
        scale=scale,
        boundary=boundary,
        general_provisions=extra.pop("general_provisions", "§ 1. Ustalenia ogólne planu testowego."),
        **extra,
    )


def make_zone(plan, symbol, geom, provisions=None) -> Zone:
    zone = Zone(
        plan=plan,
        symbol=symbol,
        geom=geom,
        provisions=f"Ustalenia dla terenu {symbol}: dopuszcza się zabudowę."
        if provisions is None
        else provisions,
    )
    zone.save()
    return zone


@dataclass
class World:
    gmina: object
    x: float
    y: float
    base: Plan
    amendment: Plan

    def parcel(self, number: str, geom) -> object:
        obreb = self.gmina.obreb_set.first()
        return ParcelFactory(obreb=obreb, gmina=self.gmina, number=number, geom=geom)

    def at(self, x0, y0, x1, y1) -> MultiPolygon:
        return rect(self.x + x0, self.y + y0, self.x + x1, self.y + y1)


@pytest.fixture
def world(gmina):
    """A plan over (0..200, 0..200) m of the test gmina split into 1MN (x<100) and 1U (x>100),
    amended over (150..250, 0..200) by a plan with zone 1ZP; a repealed plan and a plan in
    preparation over everything (both to be ignored); an office with prefix RG.6727."""
    from tests.conftest import ObrebFactory

    ObrebFactory(gmina=gmina, code="0001", name="Testowo")
    x, y = gmina.boundary.extent[0] + 1000, gmina.boundary.extent[1] + 1000
    w = World(gmina, x, y, None, None)
    w.base = make_plan(gmina, w.at(0, 0, 200, 200), resolution="X/100/2015")
    make_zone(w.base, "1MN", w.at(0, 0, 100, 200))
    make_zone(w.base, "1U", w.at(100, 0, 200, 200))
    w.amendment = make_plan(
        gmina, w.at(150, 0, 250, 200), resolution="XX/200/2022", resolution_date=dt.date(2022, 3, 1)
    )
    make_zone(w.amendment, "1ZP", w.at(150, 0, 250, 200))
    Amendment.objects.create(amending=w.amendment, amended=w.base)
    old = make_plan(gmina, w.at(-500, -500, 500, 500), resolution="V/1/2001", status=Plan.Status.REPEALED)
    make_zone(old, "1R", w.at(-500, -500, 500, 500))
    draft = make_plan(gmina, w.at(-500, -500, 500, 500), resolution="", status=Plan.Status.IN_PREPARATION)
    make_zone(draft, "1P", w.at(-500, -500, 500, 500))
    ExtractOffice.objects.create(
        gmina=gmina,
        office_name="Urząd Gminy Testowej",
        office_address="ul. Testowa 1, 59-700 Testowo",
        place="Testowo",
        case_prefix="RG.6727",
        authority="Wójt Gminy Testowej",
        signatory_name="Anna Testowa",
        signatory_title="z up. Wójta – inspektor",
    )
    return w


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Issued PDFs of the tests go to a temporary private root (MEDIA_ROOT too, to see that
    nothing lands there)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SIP_PRIVATE_ROOT = str(tmp_path / "private")
    return tmp_path / "private"
