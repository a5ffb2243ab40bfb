"""manage.py import_voters: the resident register from CSV, with a report of rejected rows."""

import pytest
from django.core.management import CommandError, call_command

from participation.budget import pesel, voterkeys
from participation.models import RegisteredResident

from .budget_fixtures import make_edition, resident_pesel

pytestmark = pytest.mark.django_db


def run(path, edition, *extra) -> str:
    from io import StringIO

    out = StringIO()
    call_command(
        "import_voters",
        str(path),
        "--gmina",
        edition.gmina.teryt,
        "--budget",
        str(edition.pk),
        *extra,
        stdout=out,
        verbosity=1,
    )
    return out.getvalue()


def test_import_reports_rejected_rows_and_reruns_update(tmp_path, gmina):
    edition = make_edition(gmina)
    good = [resident_pesel(n) for n in range(3)]
    bad_checksum = good[0][:10] + str((int(good[0][10]) + 1) % 10)
    rows = [
        "pesel;imie;nazwisko;adres",
        f"{good[0]};Łucja;Żak-Wiśniewska;ul. Długa 5",  # line 2
        f"{bad_checksum};Jan;Nowak;",  # 3
        f"{good[1]};;Nowak;",  # 4: no first name
        f"{good[0]};Łucja;Żak;",  # 5: the same person again
        "44133101354;Ala;Kot;",  # 6: month 13
        f"{good[2]};Piotr;Zieliński",  # 7: no address column at all
    ]
    path = tmp_path / "rejestr.csv"
    path.write_bytes("\r\n".join(rows).encode("cp1250"))
    out = run(path, edition)
    assert "wiersz 3: PESEL ma błędną cyfrę kontrolną" in out
    assert "wiersz 4: brak imienia" in out
    assert "wiersz 5: duplikat: ta sama osoba jest już w wierszu 2" in out
    assert "wiersz 6: PESEL zawiera niemożliwą datę urodzenia" in out
    assert "nowe 2, zaktualizowane 0, odrzucone 4" in out
    assert bad_checksum not in out and good[0] not in out  # the report names rows, not PESELs
    entry = RegisteredResident.objects.filter(edition=edition).get(first_name="lucja")
    assert entry.last_name == "zak wisniewska" and entry.address == "dluga 5"
    assert entry.birth_date == pesel.birth_date(good[0])

    # Again, in UTF-8 with commas and a corrected surname: updated, never duplicated.
    path.write_text(
        f"pesel,imie,nazwisko\n{good[0]},Łucja,Żak\n{good[2]},Piotr,Zieliński\n", encoding="utf-8"
    )
    out = run(path, edition)
    assert "nowe 0, zaktualizowane 2, odrzucone 0" in out
    assert RegisteredResident.objects.filter(edition=edition).count() == 2
    assert RegisteredResident.objects.filter(edition=edition).get(first_name="lucja").last_name == "zak"
    secret = voterkeys.gmina_secret(gmina.pk)
    assert RegisteredResident.objects.filter(key=voterkeys.identifier_key(secret, good[2])).exists()


def test_import_refuses_a_file_without_the_columns_or_another_gmina(tmp_path, gmina, other_gmina):
    edition = make_edition(gmina)
    path = tmp_path / "zly.csv"
    path.write_text("numer;nazwisko\n1;Nowak\n", encoding="utf-8")
    with pytest.raises(CommandError, match="brakuje kolumn: pesel, imie"):
        run(path, edition)
    path.write_text("pesel,imie,nazwisko\n", encoding="utf-8")
    with pytest.raises(CommandError, match="należy do gminy"):
        call_command("import_voters", str(path), "--gmina", other_gmina.teryt, "--budget", str(edition.pk))
    assert not RegisteredResident.objects.filter(edition=edition).exists()


def test_dry_run_stores_nothing(tmp_path, gmina):
    edition = make_edition(gmina)
    path = tmp_path / "r.csv"
    path.write_text(f"pesel,imie,nazwisko\n{resident_pesel(1)},Ala,Kot\n", encoding="utf-8")
    assert "niczego nie zapisano" in run(path, edition, "--dry-run")
    assert not RegisteredResident.objects.filter(edition=edition).exists()
