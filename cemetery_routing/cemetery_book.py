"""Import of a cemetery book (księga cmentarna) from XLSX: one burial a row.

Columns are found by their Polish header (case and diacritics do not matter): kwatera, rząd,
numer, imię, nazwisko (required); nazwisko rodowe, data urodzenia, data zgonu, data pochówku,
biogram, publiczny (tak/nie), dysponent, adres dysponenta, telefon dysponenta, e-mail
dysponenta, opłacono do. Every row ends up in the report: imported, skipped (already in the
book) or rejected with its reason; nothing is dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from openpyxl import load_workbook

from sip import audit, tenancy, uploads
from sip.text import fold

from .models import Burial, Cemetery, Grave, GraveHolder

COLUMNS = {
    "section": ("kwatera",),
    "row": ("rzad", "rząd"),
    "number": ("numer", "nr grobu", "numer grobu", "nr"),
    "first_name": ("imie", "imiona"),
    "surname": ("nazwisko",),
    "family_name": ("nazwisko rodowe",),
    "birth_date": ("data urodzenia",),
    "death_date": ("data zgonu", "data smierci"),
    "burial_date": ("data pochowku",),
    "record": ("biogram", "notka", "uwagi"),
    "is_public": ("publiczny", "widoczny publicznie"),
    "holder": ("dysponent", "dysponent grobu"),
    "holder_address": ("adres dysponenta",),
    "holder_phone": ("telefon dysponenta",),
    "holder_email": ("e-mail dysponenta", "email dysponenta"),
    "lease_expires": ("oplacono do", "oplacony do", "termin oplaty"),
}
REQUIRED = ("section", "row", "number", "first_name", "surname")
LABELS = {"section": "kwatera", "row": "rząd", "number": "numer", "first_name": "imię", "surname": "nazwisko"}
_DATE_PL = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


class BookError(ValueError):
    """The file cannot be read as a cemetery book at all (the message is Polish)."""


@dataclass
class RowResult:
    row: int
    status: str  # "imported", "skipped", "rejected"
    message: str
    burial_id: int | None = None


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)
    empty_rows: int = 0
    dry_run: bool = False

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def summary(self) -> str:
        text = (
            f"wierszy z danymi: {len(self.rows)}, zaimportowano: {self.count('imported')}, "
            f"pominięto (już w księdze): {self.count('skipped')}, odrzucono: {self.count('rejected')}"
        )
        if self.empty_rows:
            text += f", pustych wierszy: {self.empty_rows}"
        return text + (" (próba – nic nie zapisano)" if self.dry_run else "")


def _header_map(header: list) -> dict[str, int]:
    folded = [fold(str(h or "")).replace("_", " ") for h in header]
    found: dict[str, int] = {}
    for key, names in COLUMNS.items():
        for name in names:
            if fold(name) in folded:
                found[key] = folded.index(fold(name))
                break
    missing = [LABELS[k] for k in REQUIRED if k not in found]
    if missing:
        raise BookError(f"W pierwszym wierszu brakuje kolumn: {', '.join(missing)}.")
    return found


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value, label: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    m = _DATE_PL.match(text)
    try:
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{label}: „{text}” nie jest datą (DD.MM.RRRR albo RRRR-MM-DD)") from None


def _bool(value) -> bool:
    text = fold(_text(value))
    if text in ("", "tak", "t", "1", "true", "yes"):
        return True
    if text in ("nie", "n", "0", "false", "no"):
        return False
    raise ValueError(f"publiczny: „{_text(value)}” – wpisz tak albo nie")


def read_rows(path_or_file) -> list[tuple[int, dict]]:
    """Return (spreadsheet row number, {column: value}) for every row below the header."""
    try:
        # Before openpyxl: its reader walks every row and column up to the sheet's last
        # reference, so a tiny file naming cell XFD1048576 would keep it busy for hours.
        uploads.check_spreadsheet(path_or_file, suffix=".xlsx")
    except uploads.UploadRefused as exc:
        raise BookError(str(exc)) from None
    try:
        book = load_workbook(path_or_file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        raise BookError("To nie jest plik XLSX (Excel 2007 lub nowszy).") from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise BookError("Arkusz jest pusty.")
    columns = _header_map(list(header))
    out = []
    for number, values in enumerate(rows, start=2):
        values = list(values)
        out.append((number, {k: values[i] if i < len(values) else None for k, i in columns.items()}))
    book.close()
    return out


class _DryRun(Exception):
    pass


def import_book(*, actor, cemetery: Cemetery, path_or_file, dry_run: bool = False) -> ImportReport:
    """Import burials (and holders, lease dates) from a cemetery book; return the report."""
    tenancy.require(actor, "cemetery_routing.add_burial", cemetery.gmina_id)
    may_hold = tenancy.can(actor, "cemetery_routing.change_graveholder", cemetery.gmina_id)
    rows = read_rows(path_or_file)
    report = ImportReport(dry_run=dry_run)
    graves = {
        (fold(g.section.name), fold(g.row), fold(g.number)): g
        for g in Grave.objects.filter(cemetery=cemetery).select_related("section")
    }
    try:
        with transaction.atomic():
            for number, data in rows:
                if all(_text(v) == "" for v in data.values()):
                    report.empty_rows += 1
                    continue
                with transaction.atomic():
                    report.rows.append(_import_row(number, data, graves, may_hold))
            audit.record(
                actor=actor,
                action="import",
                obj=cemetery,
                gmina=cemetery.gmina,
                changes={"source": "księga cmentarna XLSX", "summary": report.summary},
            )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _import_row(number: int, data: dict, graves: dict, may_hold: bool) -> RowResult:
    missing = [LABELS[k] for k in REQUIRED if not _text(data.get(k))]
    if missing:
        return RowResult(number, "rejected", f"brak wartości: {', '.join(missing)}")
    key = (fold(_text(data["section"])), fold(_text(data["row"])), fold(_text(data["number"])))
    grave = graves.get(key)
    where = f"kwatera {_text(data['section'])}, rząd {_text(data['row'])}, grób {_text(data['number'])}"
    if grave is None:
        return RowResult(number, "rejected", f"nie ma grobu ({where}) na mapie cmentarza – dodaj go najpierw")
    try:
        fields = {
            "first_name": _text(data["first_name"]),
            "surname": _text(data["surname"]),
            "family_name": _text(data.get("family_name")),
            "birth_date": _date(data.get("birth_date"), "data urodzenia"),
            "death_date": _date(data.get("death_date"), "data zgonu"),
            "burial_date": _date(data.get("burial_date"), "data pochówku"),
            "record": _text(data.get("record")),
            "is_public": _bool(data.get("is_public")),
        }
        lease = _date(data.get("lease_expires"), "opłacono do")
    except ValueError as exc:
        return RowResult(number, "rejected", str(exc))
    duplicate = Burial.objects.filter(
        grave=grave,
        first_name__iexact=fields["first_name"],
        surname__iexact=fields["surname"],
        death_date=fields["death_date"],
    ).first()
    if duplicate is not None:
        return RowResult(
            number, "skipped", f"{duplicate.full_name} już jest w księdze ({where})", duplicate.pk
        )
    holder_name = _text(data.get("holder"))
    if holder_name and not may_hold:
        raise PermissionDenied("Twoja rola nie pozwala zapisywać danych dysponentów.")
    burial = Burial(grave=grave, **fields)
    try:
        burial.full_clean()
        if holder_name:
            holder = GraveHolder.objects.filter(grave=grave).first() or GraveHolder(grave=grave)
            holder.full_name = holder_name
            holder.address = _text(data.get("holder_address"))
            holder.phone = _text(data.get("holder_phone"))
            holder.email = _text(data.get("holder_email"))
            holder.full_clean()
    except ValidationError as exc:
        return RowResult(number, "rejected", _messages(exc))
    burial.save()
    if holder_name:
        holder.save()
    updates = {"status": Grave.Status.OCCUPIED}
    if lease is not None:
        updates["lease_expires"] = lease
    Grave.objects.filter(pk=grave.pk).update(**updates)
    return RowResult(number, "imported", f"{burial.full_name} ({where})", burial.pk)


_FIELD_LABELS = {
    "birth_date": "data urodzenia",
    "death_date": "data zgonu",
    "burial_date": "data pochówku",
    "first_name": "imię",
    "surname": "nazwisko",
    "email": "e-mail dysponenta",
    "__all__": "",
}


def _messages(exc: ValidationError) -> str:
    if not hasattr(exc, "error_dict"):
        return "; ".join(exc.messages)
    parts = []
    for name, errors in exc.message_dict.items():
        label = _FIELD_LABELS.get(name, name)
        parts.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return "; ".join(parts)
