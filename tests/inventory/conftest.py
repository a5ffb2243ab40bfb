"""Fixtures of the register tests: Osiecznica (the sample files lie there) and its staff."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from sip.models import Gmina, Unit
from sip.tenancy import EDITOR, VIEWER
from tests.conftest import make_user, square

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "inventory"
OSIECZNICA_2180 = (249_443.934, 393_535.505)


@pytest.fixture
def osiecznica(db):
    """Osiecznica with its office, around the register samples (fixtures/inventory)."""
    gmina = Gmina.objects.create(
        teryt="020105_2",
        name="Osiecznica",
        kind="rural",
        slug="osiecznica",
        boundary=square(245_000, 388_000, 10_000),
    )
    Unit.objects.create(name="Urząd Gminy Osiecznica", kind="gmina_office", gmina=gmina)
    return gmina


@pytest.fixture
def osiecznica_editor(osiecznica):
    return make_user("redaktor-osiecznica", EDITOR, osiecznica)


@pytest.fixture
def osiecznica_viewer(osiecznica):
    return make_user("przegladajacy-osiecznica", VIEWER, osiecznica)


def run_import(*args) -> str:
    """Run import_register; the rejected-rows sheet goes nowhere unless a test asks for it
    (by default it is written beside the imported file, here: in fixtures/)."""
    if "--errors" not in args:
        args = (*args, "--errors", "/dev/null")
    out = StringIO()
    call_command("import_register", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def rejected_rows(output: str) -> dict[int, str]:
    """{row number: reason} from the command's output."""
    out = {}
    for line in output.splitlines():
        line = line.strip()
        if line.startswith("odrzucono wiersz "):
            number, _, reason = line[len("odrzucono wiersz ") :].partition(": ")
            out[int(number)] = reason
    return out
