"""Limits on uploaded files, checked before a file is read: size, safe stored names, and the
extent of a spreadsheet.

A spreadsheet is small on disk and large in memory: an XLSX of 1.5 KB with cells A1 and
CV100000 makes a reader allocate ten million cells, and XFD1048576 would take the server's
memory. Readers (python-calamine, openpyxl) build the whole used range, so its rows, columns
and cells are found here first, by streaming the sheets' XML out of the ZIP without parsing it,
and a file over the limits is refused with a Polish message. Settings (see README):
SIP_UPLOAD_MAX_BYTES, SIP_IMPORT_MAX_ROWS, SIP_IMPORT_MAX_COLUMNS, SIP_IMPORT_MAX_CELLS,
SIP_IMPORT_MAX_UNCOMPRESSED_BYTES.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

CHUNK = 1 << 20
# Cell and row references of SpreadsheetML, with or without a namespace prefix (<x:c r="B2">).
_CELL_COLUMN = re.compile(rb' r="([A-Z]+)[0-9]')
# Row numbers of cell references: six or more digits, or exactly n.
_CELL_ROW_DIGITS = {
    n: re.compile(rb' r="[A-Z]+([0-9]{%d})"' % n if n < 6 else rb' r="[A-Z]+([0-9]{6,})"')
    for n in range(1, 7)
}
# A reference to a column after the n-th (n < 26: a later letter, or two letters or more).
_CELL_COLUMN_FROM = {
    n: re.compile(rb' r="(?:[%c-Z]|[A-Z]{2})' % (ord("A") + n) if n < 25 else rb' r="(?:Z|[A-Z]{2})')
    for n in range(26)
}
_WIDE_COLUMN = re.compile(rb' r="([A-Z]{2,})[0-9]')
_ROW_REF = re.compile(rb'<(?:\w+:)?row\s[^>]*?\br="([0-9]+)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s[^>]*?\bref="([^"]*)"')
_REF = re.compile(r"\$?([A-Z]+)\$?([0-9]+)")
# OpenDocument: rows and cells, with their repetition counts.
_ODS_TOKEN = re.compile(
    rb"<table:table\s|<table:table-row\b([^>]*?)(/?)>|</table:table-row>"
    rb"|<table:(?:covered-)?table-cell\b([^>]*?)(/?)>"
)
_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="([0-9]+)"')
_COLUMNS_REPEATED = re.compile(rb'table:number-columns-repeated="([0-9]+)"')


class UploadRefused(ValueError):
    """The file is over a limit; the message is Polish and says which limit and how to fix it."""


@dataclass(frozen=True)
class Limits:
    rows: int
    columns: int
    cells: int
    uncompressed_bytes: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            rows=settings.SIP_IMPORT_MAX_ROWS,
            columns=settings.SIP_IMPORT_MAX_COLUMNS,
            cells=settings.SIP_IMPORT_MAX_CELLS,
            uncompressed_bytes=settings.SIP_IMPORT_MAX_UNCOMPRESSED_BYTES,
        )


def check_upload_size(upload, *, limit: int | None = None) -> None:
    """Raise ValidationError (for a form field) when an uploaded file is larger than the limit."""
    limit = settings.SIP_UPLOAD_MAX_BYTES if limit is None else limit
    if upload is not None and upload.size > limit:
        raise ValidationError(
            f"Plik ma {filesizeformat(upload.size)}, a można przesłać najwyżej {filesizeformat(limit)}."
        )


def validate_new_upload(value) -> None:
    """A form field validator: check_upload_size for a file being uploaded now (a stored file
    already passed it)."""
    if isinstance(value, UploadedFile):
        check_upload_size(value)


class PrivateFileInput(forms.ClearableFileInput):
    """A file widget for a private file (sip.storage): shows that a file is set, by its name,
    never as a link, since a private file has no URL."""

    template_name = "sip/widgets/private_file_input.html"

    def is_initial(self, value):
        return bool(value and getattr(value, "name", None))


def safe_file_name(name: str, *, default: str = "plik", max_bytes: int = 120) -> str:
    """A name to store an uploaded file under: no folders, no control characters, at most
    max_bytes in UTF-8 (file systems allow 255 bytes; "ł" takes two), the extension kept."""
    name = unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C" and c not in '/:*?"<>|').strip(" .")
    if not name:
        return default
    stem, dot, suffix = name.rpartition(".")
    if not dot or len(suffix.encode()) > 10:
        stem, suffix = name, ""
    suffix = f".{suffix}" if suffix else ""
    room = max_bytes - len(suffix.encode())
    stem = stem.encode()[:room].decode("utf-8", errors="ignore").strip(" .") or default
    return stem + suffix


def _n(number: int) -> str:
    """1 048 576: thousands separated by a (non-breaking) space, as Polish writes them."""
    return f"{number:,}".replace(",", "\u00a0")


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _refuse_extent(rows: int, columns: int, limits: Limits, where: str) -> None:
    if rows > limits.rows:
        raise UploadRefused(
            f"{where}: arkusz sięga wiersza {_n(rows)}, a import przyjmuje najwyżej {_n(limits.rows)} "
            "wierszy. Podziel plik albo usuń puste wiersze i komórki poniżej danych."
        )
    if columns > limits.columns:
        raise UploadRefused(
            f"{where}: arkusz sięga kolumny {columns}, a import przyjmuje najwyżej {limits.columns} "
            "kolumn. Usuń zbędne kolumny i komórki na prawo od danych."
        )
    if rows * columns > limits.cells:
        raise UploadRefused(
            f"{where}: arkusz ma {_n(rows)} wierszy na {columns} kolumn, a import przyjmuje najwyżej "
            f"{_n(limits.cells)} komórek. Usuń puste wiersze i kolumny albo podziel plik."
        )


def _stream(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    """The member's bytes in chunks, each cut after its last '>' so no tag is split."""
    tail = b""
    with archive.open(info) as fh:
        while chunk := fh.read(CHUNK):
            data = tail + chunk
            cut = data.rfind(b">") + 1
            tail = data[cut:]
            if len(tail) > CHUNK:  # a megabyte without a tag end: not a sheet we would read
                raise UploadRefused(f"{info.filename}: nieprawidłowy arkusz (zbyt długi znacznik).")
            yield data[:cut]
    if tail:
        yield tail


def _largest_row_number(data: bytes) -> int:
    """The largest row number of any cell reference in data. Only the references with the most
    digits are collected (searched from long to short), so a sheet of 100,000 rows makes a few
    dozen Python objects here, not a million."""
    for digits in (6, 5, 4, 3, 2, 1):
        found = _CELL_ROW_DIGITS[digits].findall(data)
        if found:
            return max(map(int, found))
    return 0


def _widest_column(data: bytes, known: int) -> int:
    """The largest column number of any cell reference in data: one search for a column beyond
    `known` (none in the usual sheet), and only then a collection of the columns."""
    if known >= 26 or not _CELL_COLUMN_FROM[known].search(data):
        wide = _WIDE_COLUMN.findall(data) if known >= 26 else ()
        return max((_column_number(c.decode()) for c in set(wide)), default=known)
    return max(_column_number(c.decode()) for c in set(_CELL_COLUMN.findall(data)))


def _xlsx_extent(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """(last row, last column) that any reference in the sheet names, the dimension included;
    rows of cells written without a reference count by their row's number and position."""
    rows = columns = 0
    for data in _stream(archive, info):
        found = _DIMENSION.search(data) if b"dimension" in data else None
        if found:
            for letters, number in _REF.findall(found.group(1).decode("ascii", "replace")):
                rows = max(rows, int(number))
                columns = max(columns, _column_number(letters))
        rows = max(rows, _largest_row_number(data))
        columns = max(columns, _widest_column(data, columns))
        cells = data.count(b"<c ") + data.count(b"<c>") + data.count(b":c ") + data.count(b":c>")
        row_tags = data.count(b"<row ") + data.count(b":row ")
        if cells > data.count(b' r="') - row_tags:
            # Cells without a reference take the next place in their row (rare: hand-written
            # or generated files); count by rows and by cells per row.
            numbers = _ROW_REF.findall(data)
            if numbers:
                rows = max(rows, max(map(int, numbers)))
            for row in re.split(rb"</(?:\w+:)?row>", data):
                width = row.count(b"<c ") + row.count(b"<c>") + row.count(b":c ") + row.count(b":c>")
                columns = max(columns, width)
    return rows, columns


def _ods_extent(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """(last row, last column) holding anything in any table, repetitions counted: a row
    repeated a million times with a value in it is a million rows to a reader."""
    rows = columns = 0
    row = col = last_col = repeat = 0
    filled = False
    for data in _stream(archive, info):
        for m in _ODS_TOKEN.finditer(data):
            text = m.group(0)
            if m.lastindex is None and text != b"</table:table-row>":  # a new table
                row = 0
            elif text.startswith(b"<table:table-row"):
                r = _ROWS_REPEATED.search(m.group(1) or b"")
                repeat, col, last_col, filled = int(r.group(1)) if r else 1, 0, 0, False
                if m.group(2):  # <table:table-row/>: an empty row
                    row += repeat
            elif text == b"</table:table-row>":
                if filled:
                    rows = max(rows, row + repeat)
                    columns = max(columns, last_col)
                row += repeat
            else:
                attrs = m.group(3) or b""
                c = _COLUMNS_REPEATED.search(attrs)
                span = int(c.group(1)) if c else 1
                if not m.group(4) or b"office:value-type" in attrs:  # content or a typed value
                    filled, last_col = True, col + span
                col += span
    return rows, columns


def check_archive(path: Path, *, limits: Limits | None = None) -> None:
    """Raise UploadRefused unless path is a ZIP whose members unpack to at most the limit."""
    limits = limits or Limits.from_settings()
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(i.file_size for i in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise UploadRefused(f"{path.name}: to nie jest poprawne archiwum ZIP ({exc}).") from None
    if total > limits.uncompressed_bytes:
        raise UploadRefused(
            f"{path.name}: po rozpakowaniu archiwum miałoby {filesizeformat(total)}, a import przyjmuje "
            f"najwyżej {filesizeformat(limits.uncompressed_bytes)}."
        )


def check_spreadsheet(source, *, limits: Limits | None = None, suffix: str | None = None) -> None:
    """Raise UploadRefused unless the spreadsheet (XLSX/XLSM, ODS or CSV; a path or an uploaded
    file) is within the limits; `suffix` (".xlsx") when the format does not follow the name.

    Cheap: a CSV is only measured (its rows are counted as it is read, check_row_count), a
    ZIP's sheets are streamed once through a few regular expressions (about 0.3 s for 100,000
    rows), nothing is built from them."""
    limits = limits or Limits.from_settings()
    is_path = isinstance(source, str | Path)
    name = Path(source if is_path else getattr(source, "name", "") or "plik").name
    suffix = suffix or Path(name).suffix.lower()
    if suffix in (".csv", ".txt"):
        size = Path(source).stat().st_size if is_path else source.size
        if size > limits.uncompressed_bytes:
            raise UploadRefused(
                f"{name}: plik ma {filesizeformat(size)}, a import przyjmuje najwyżej "
                f"{filesizeformat(limits.uncompressed_bytes)}."
            )
        return
    if suffix not in (".xlsx", ".xlsm", ".ods"):
        return
    if not is_path:
        source.seek(0)
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError):
        # Not a ZIP at all: nothing to unpack, and the reader says in its own words that the
        # file is not a spreadsheet.
        if not is_path:
            source.seek(0)
        return
    try:
        _check_sheets(archive, name, suffix, limits)
    finally:
        archive.close()
        if not is_path:
            source.seek(0)


def _check_sheets(archive: zipfile.ZipFile, name: str, suffix: str, limits: Limits) -> None:
    members = archive.infolist()
    total = sum(i.file_size for i in members)
    if total > limits.uncompressed_bytes:
        raise UploadRefused(
            f"{name}: po rozpakowaniu plik miałby {filesizeformat(total)}, a import przyjmuje "
            f"najwyżej {filesizeformat(limits.uncompressed_bytes)}. Podziel plik."
        )
    if suffix == ".ods":
        sheets = [i for i in members if i.filename == "content.xml"]
        extent = _ods_extent
    else:
        sheets = [i for i in members if re.fullmatch(r"xl/worksheets/[^/]+\.xml", i.filename)]
        extent = _xlsx_extent
    try:
        for info in sheets:
            rows, columns = extent(archive, info)
            _refuse_extent(rows, columns, limits, name)
    except UploadRefused:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        # Python's zipfile stops at the declared size and checks the CRC, so a member that
        # unpacks to more than it declares ends here.
        raise UploadRefused(f"{name}: uszkodzony plik ({exc}).") from None


def check_row_count(count: int, where: str, *, limits: Limits | None = None) -> None:
    """Raise UploadRefused when a reader streaming rows has gone past the row limit."""
    limits = limits or Limits.from_settings()
    if count > limits.rows:
        raise UploadRefused(
            f"{where}: plik ma więcej niż {_n(limits.rows)} wierszy, a import przyjmuje najwyżej "
            f"{_n(limits.rows)}. Podziel plik."
        )
