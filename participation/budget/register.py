"""Import of the resident register of an edition from CSV (`pesel,imie,nazwisko[,adres]`, comma or
semicolon, UTF-8 or Windows-1250), with a report naming each rejected row and why.

Identifiers are turned into keyed hashes as they are read and never stored or reported in clear.
Running an import again updates the rows of the same people (the key is unique per edition)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from django.db import transaction

from sip import audit, tenancy, uploads
from sip.imports import ImportReport, UnknownEncoding, decode_text
from sip.models import AuditLog

from ..models import BudgetEdition, RegisteredResident
from . import pesel as pesel_rules
from . import voterkeys

COLUMNS = {
    "identifier": ("pesel", "identyfikator", "numer"),
    "first_name": ("imie", "imię", "first_name"),
    "last_name": ("nazwisko", "last_name"),
    "address": ("adres", "address"),
}


class RegisterFileError(ValueError):
    """The file as a whole cannot be imported (encoding, header); nothing was stored."""


@dataclass
class RegisterReport(ImportReport):
    """The report of a resident register (sip.imports.ImportReport); rows are numbered as lines
    of the file, the header being line 1."""

    counts: ClassVar[str] = "odczytano {read}, nowe {created}, zaktualizowane {updated}, odrzucone {rejected}"


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """The header (folded names) and the rows of a CSV file in UTF-8 or Windows-1250."""
    try:
        text = decode_text(path.read_bytes(), path.name)
    except UnknownEncoding as exc:
        raise RegisterFileError(str(exc)) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        raise RegisterFileError(f"Plik {path.name} jest pusty.")
    try:
        uploads.check_row_count(len(rows), path.name)
    except uploads.UploadRefused as exc:
        raise RegisterFileError(str(exc)) from None
    header = [voterkeys.normalise_name(h) for h in rows[0]]
    return header, rows[1:]


def _columns(header: list[str], identifier_kind: str) -> dict[str, int]:
    columns = dict(COLUMNS)
    if identifier_kind == "pesel":
        columns["identifier"] = ("pesel",)
    found = {}
    for name, aliases in columns.items():
        for alias in aliases:
            folded = voterkeys.normalise_name(alias)
            if folded in header:
                found[name] = header.index(folded)
                break
    needed = {"identifier": "pesel" if identifier_kind == "pesel" else "identyfikator"}
    needed |= {"first_name": "imie", "last_name": "nazwisko"}
    missing = [label for name, label in needed.items() if name not in found]
    if missing:
        raise RegisterFileError(
            f"W nagłówku brakuje kolumn: {', '.join(missing)} (oczekiwano: pesel,imie,nazwisko[,adres])."
        )
    return found


def import_register(
    *,
    actor,
    edition: BudgetEdition,
    path: str | Path,
    dry_run: bool = False,
    progress: Callable[[Iterable], Iterable] = lambda it: it,
) -> RegisterReport:
    """Import (or update) the edition's resident register from a CSV file; return the report."""
    tenancy.require(actor, "participation.change_budgetedition", edition.gmina_id)
    path = Path(path)
    try:
        header, rows = read_rows(path)
    except OSError as exc:
        raise RegisterFileError(f"Nie można odczytać pliku {path.name}: {exc.strerror}.") from None
    cols = _columns(header, edition.identifier_kind)
    secret = voterkeys.gmina_secret(edition.gmina_id)
    report = RegisterReport(dry_run=dry_run, title=f"Rejestr mieszkańców „{edition}”")
    seen: dict[str, int] = {}
    entries: list[RegisteredResident] = []

    def cell(row: list[str], name: str) -> str:
        i = cols.get(name)
        return " ".join(row[i].split()) if i is not None and i < len(row) else ""

    for number, row in enumerate(progress(rows), start=2):
        if not any(c.strip() for c in row):
            continue
        report.read += 1
        raw = cell(row, "identifier")
        born = None
        if edition.identifier_kind == BudgetEdition.IdentifierKind.PESEL:
            try:
                ident, born = pesel_rules.validate(raw)
            except pesel_rules.PeselError as exc:
                reason = str(exc).replace("Numer PESEL", "PESEL").split(";")[0]
                report.reject(f"wiersz {number}", reason, row=number)
                continue
        else:
            ident = voterkeys.normalise_identifier(raw)
            if not ident:
                report.reject(f"wiersz {number}", "brak identyfikatora", row=number)
                continue
        first, last = cell(row, "first_name"), cell(row, "last_name")
        missing = [label for label, value in (("imienia", first), ("nazwiska", last)) if not value]
        if missing:
            report.reject(f"wiersz {number}", f"brak {' i '.join(missing)}", row=number)
            continue
        key = voterkeys.identifier_key(secret, ident)
        if key in seen:
            report.reject(
                f"wiersz {number}", f"duplikat: ta sama osoba jest już w wierszu {seen[key]}", row=number
            )
            continue
        seen[key] = number
        entries.append(
            RegisteredResident(
                edition=edition,
                key=key,
                first_name=voterkeys.normalise_name(first)[:100],
                last_name=voterkeys.normalise_name(last)[:150],
                address=voterkeys.normalise_address(cell(row, "address"))[:250],
                birth_date=born,
            )
        )
    with transaction.atomic():
        existing = set(RegisteredResident.objects.filter(edition=edition).values_list("key", flat=True))
        report.updated = sum(1 for e in entries if e.key in existing)
        report.created = len(entries) - report.updated
        RegisteredResident.objects.bulk_create(
            entries,
            batch_size=5000,
            update_conflicts=True,
            unique_fields=["edition", "key"],
            update_fields=["first_name", "last_name", "address", "birth_date"],
        )
        audit.record(
            actor=actor,
            action=AuditLog.Action.IMPORT,
            obj=edition,
            gmina=edition.gmina,
            changes={
                "rejestr mieszkańców": {
                    "nowe": report.created,
                    "zaktualizowane": report.updated,
                    "odrzucone": len(report.rejected),
                }
            },
        )
        if dry_run:
            transaction.set_rollback(True)
    return report
