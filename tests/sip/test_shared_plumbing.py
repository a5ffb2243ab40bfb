"""The plumbing every app shares: the import report (one text on the command line and the
page), the command-line options, and the one parcel lookup by identifier (always validated)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string

from sip import selectors
from sip.commands import actor_from_option, gmina_from_option, srid_from_option
from sip.imports import ImportReport, UnknownEncoding, decode_text
from tests.conftest import ParcelFactory

pytestmark = pytest.mark.django_db


def test_report_says_the_same_on_the_command_line_and_the_page():
    report = ImportReport(read=5, created=2, updated=1, dry_run=True, title="Tereny planu 1/2020")
    report.reject("wiersz 4", "brak geometrii", row=4)
    report.reject("obiekt 5 (020101_1.0001.5)", "działka <poza> gminą", row=5)
    report.notes.append("1ZZ: nieznana kategoria przeznaczenia")
    summary = report.summary()
    assert summary == (
        "Tereny planu 1/2020: odczytano: 5, zaimportowano: 3 (nowe: 2, zaktualizowane: 1), odrzucono: 2."
        " Próba: niczego nie zapisano."
    )
    command = BaseCommand(stdout=io.StringIO())
    report.write_to(command)
    printed = command.stdout._out.getvalue().splitlines()
    assert printed == [
        "  odrzucono wiersz 4: brak geometrii",
        "  odrzucono obiekt 5 (020101_1.0001.5): działka <poza> gminą",
        "  1ZZ: nieznana kategoria przeznaczenia",
        summary,
    ]
    page = render_to_string("sip/import_report.html", {"report": report})
    assert summary in page and "1ZZ: nieznana kategoria przeznaczenia" in page
    assert "<td>obiekt 5 (020101_1.0001.5)</td><td>działka &lt;poza&gt; gminą</td>" in page
    assert "Pobierz odrzucone" not in page  # no download without its address


def test_command_options_name_what_is_missing(gmina):
    with pytest.raises(CommandError, match="Nie ma konta nikt."):
        actor_from_option("nikt")
    assert actor_from_option(None).username == "system"
    with pytest.raises(CommandError, match="Nie ma w systemie gminy o kodzie TERYT 999999_9."):
        gmina_from_option("999999_9")
    assert gmina_from_option(gmina.teryt) == gmina
    assert srid_from_option(None) is None and srid_from_option("2176") == 2176
    with pytest.raises(CommandError):
        srid_from_option("EPSG:9999")


def test_text_of_an_office_file_in_either_encoding():
    assert decode_text("Łąka;ź".encode("cp1250"), "a.csv") == "Łąka;ź"
    assert decode_text("\ufeffŁąka".encode(), "a.csv") == "Łąka"
    with pytest.raises(UnknownEncoding, match="a.csv"):
        decode_text(b"\x81\x98\xff", "a.csv")


def test_every_parcel_lookup_validates_the_identifier(gmina, client):
    parcel = ParcelFactory(obreb__gmina=gmina)
    assert selectors.parcel_by_identifier(f" {parcel.identifier} ") == parcel
    assert selectors.parcel_by_identifier(parcel.identifier, 2180).geojson
    with pytest.raises(ValidationError, match="Nieprawidłowy identyfikator działki"):
        selectors.parcel_by_identifier("020101_1.0001.123/4' OR 1=1")
    named = selectors.parcels_by_identifiers([parcel.identifier, "020101_1.0009.1", parcel.identifier])
    assert named == {parcel.identifier: parcel, "020101_1.0009.1": None}
    # The print looked a parcel up without validating it: now a malformed one is a 400.
    resp = client.get("/api/geoportal/print/", {"gmina": gmina.slug, "parcel": "nie-działka"})
    assert resp.status_code == 400 and "Nieprawidłowy identyfikator działki" in resp.json()["detail"]
