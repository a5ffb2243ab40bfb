"""Hostile import files: a tiny spreadsheet naming a far cell, a ZIP that unpacks to a lot, too
many rows or columns, a 500-byte file name, a ZIP with a broken Shapefile. Each is refused with a
Polish message before it is read, in small memory; none is a 500."""

from __future__ import annotations

import io
import resource
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError

from sip import uploads

from .conftest import OSIECZNICA_2180, run_import

pytestmark = pytest.mark.django_db

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
    'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def hand_made_xlsx(path: Path, cells: dict[str, str], *, dimension: str | None = None) -> Path:
    """An XLSX written by hand as a ZIP of XML: only the given cells (reference: text), so a
    far cell keeps the file at about 1.5 KB."""
    by_row: dict[int, list[str]] = {}
    for ref, text in cells.items():
        row = int("".join(ch for ch in ref if ch.isdigit()))
        by_row.setdefault(row, []).append(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
    rows = "".join(f'<row r="{r}">{"".join(c)}</row>' for r, c in sorted(by_row.items()))
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    files = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" Type="{RELS}/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets><sheet name="Drzewa" '
        'sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
        f'Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{MAIN}">{dim}<sheetData>{rows}</sheetData>'
        "</worksheet>",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return path


HEADER = {"A1": "Nr inw.", "B1": "Gatunek", "C1": "Obwód pnia [cm]", "D1": "X", "E1": "Y"}
ROW_2 = {"A2": "K-1", "B2": "lipa drobnolistna", "C2": "120", "D2": "249443", "E2": "393535"}


@pytest.fixture
def staff(client, osiecznica_editor, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(osiecznica_editor)
    return client


def _refused_in_small_memory(action) -> str:
    """Run action, which must raise; return its message. Python allocations (tracemalloc) and
    the process's peak RSS stay small, and it is quick."""
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    try:
        action()
    except Exception as exc:  # noqa: BLE001 - the caller checks the message
        message = str(exc)
    else:
        raise AssertionError("the file was not refused")
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.perf_counter() - started < 5
    assert peak < 20 * 1024 * 1024, peak
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < 50 * 1024  # KiB
    return message


def test_far_cell_xfd1048576_is_refused_fast_by_the_command(osiecznica, tmp_path):
    bomb = hand_made_xlsx(tmp_path / "drzewa.xlsx", {**HEADER, **ROW_2, "XFD1048576": "x"})
    assert bomb.stat().st_size < 2000
    message = _refused_in_small_memory(
        lambda: run_import("trees", str(bomb), "--gmina", "020105_2", "--dry-run")
    )
    assert "arkusz sięga wiersza 1\u00a0048\u00a0576" in message
    assert "najwyżej 200\u00a0000 wierszy" in message


@pytest.mark.parametrize(
    "cells,dimension,expected",
    [
        ({"CV100000": "x"}, None, "najwyżej 5\u00a0000\u00a0000 komórek"),  # 100 x 100,000 cells
        ({"HHH2": "x"}, None, "sięga kolumny 5624, a import przyjmuje najwyżej 200 kolumn"),
        ({}, "A1:XFD1048576", "sięga wiersza 1\u00a0048\u00a0576"),  # a dimension that lies
    ],
    ids=["CV100000", "far-column", "dimension"],
)
def test_far_cells_are_refused_by_the_preview(staff, osiecznica, tmp_path, cells, dimension, expected):
    bomb = hand_made_xlsx(tmp_path / "drzewa.xlsx", {**HEADER, **ROW_2, **cells}, dimension=dimension)
    with bomb.open("rb") as fh:
        resp = staff.post("/rejestry/osiecznica/trees/import/", {"file": fh})
    assert resp.status_code == 302

    def preview():
        text = staff.get(resp["Location"]).content.decode()
        raise ValueError(text)

    text = _refused_in_small_memory(preview)
    assert expected.replace("\u00a0", "&nbsp;") in text or expected in text, text[-3000:]


def test_a_sheet_within_the_limits_still_imports(osiecznica, tmp_path, settings):
    x, y = OSIECZNICA_2180
    sheet = hand_made_xlsx(
        tmp_path / "drzewa.xlsx", {**HEADER, **ROW_2, "D2": str(x), "E2": str(y), "E300": ""}
    )
    out = run_import("trees", str(sheet), "--gmina", "020105_2", "--dry-run")
    assert "zaimportowano: 1" in out


def test_far_cell_after_the_first_megabyte_of_a_sheet_is_found(tmp_path):
    """The sheet's XML is streamed in chunks of a megabyte: references in every chunk count."""
    cells = {f"{col}{row}": "wartość" for row in range(1, 15_001) for col in "ABC"}
    sheet = hand_made_xlsx(tmp_path / "duzy.xlsx", cells)
    uploads.check_spreadsheet(sheet)  # 45,000 cells, 2.5 MB of XML: within the limits
    sheet = hand_made_xlsx(tmp_path / "duzy.xlsx", {**cells, "IV15000": "x", "A250000": "x"})
    with pytest.raises(uploads.UploadRefused, match="sięga kolumny 256|sięga wiersza 250"):
        uploads.check_spreadsheet(sheet, limits=uploads.Limits(200_000, 200, 10**9, 10**9))
    with pytest.raises(uploads.UploadRefused, match="sięga kolumny 256"):
        uploads.check_spreadsheet(sheet, limits=uploads.Limits(300_000, 200, 10**9, 10**9))


def test_limits_are_settings(osiecznica, tmp_path, settings):
    settings.SIP_IMPORT_MAX_ROWS = 3
    x, y = OSIECZNICA_2180
    rows = "".join(f"K-{i};lipa drobnolistna;120;{x};{y}\n" for i in range(4))
    csv = tmp_path / "drzewa.csv"
    csv.write_text("Nr inw.;Gatunek;Obwód pnia [cm];X;Y\n" + rows, encoding="utf-8")
    with pytest.raises(CommandError, match="więcej niż 3 wierszy"):
        run_import("trees", str(csv), "--gmina", "020105_2", "--dry-run")
    settings.SIP_IMPORT_MAX_ROWS = 200_000
    settings.SIP_IMPORT_MAX_COLUMNS = 4
    with pytest.raises(CommandError, match="wiersz 1 ma 5 kolumn, a import przyjmuje najwyżej 4"):
        run_import("trees", str(csv), "--gmina", "020105_2", "--dry-run")


def test_zip_that_unpacks_to_a_lot_is_refused(osiecznica, tmp_path, settings):
    settings.SIP_IMPORT_MAX_UNCOMPRESSED_BYTES = 10 * 1024 * 1024
    bomb = tmp_path / "drzewa.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", b" " * (11 * 1024 * 1024))
    assert bomb.stat().st_size < 50_000
    expected = "po rozpakowaniu plik miałby 11,0\u00a0MB, a import przyjmuje najwyżej 10,0\u00a0MB"
    with pytest.raises(CommandError, match=expected):
        run_import("trees", str(bomb), "--gmina", "020105_2", "--dry-run")


def test_ods_with_a_row_repeated_a_million_times_is_refused(osiecznica, tmp_path):
    content = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
        '<table:table table:name="A"><table:table-row><table:table-cell office:value-type="string">'
        "<text:p>Nr inw.</text:p></table:table-cell></table:table-row>"
        '<table:table-row table:number-rows-repeated="1000000"><table:table-cell office:value-type="string">'
        "<text:p>x</text:p></table:table-cell></table:table-row>"
        '<table:table-row table:number-rows-repeated="48575"><table:table-cell '
        'table:number-columns-repeated="1024"/></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    ods = tmp_path / "drzewa.ods"
    with zipfile.ZipFile(ods, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
    message = _refused_in_small_memory(lambda: uploads.check_spreadsheet(ods))
    assert "arkusz sięga wiersza 1\u00a0000\u00a0001" in message
    # LibreOffice's trailing empty rows and columns are not data: the same file without the
    # repeated row passes.
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr("content.xml", content.replace('table:number-rows-repeated="1000000"', ""))
    uploads.check_spreadsheet(ods)


def test_legacy_xls_is_refused_with_advice(osiecznica, tmp_path):
    old = tmp_path / "drzewa.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(CommandError, match="zapisz plik w Excelu jako XLSX"):
        run_import("trees", str(old), "--gmina", "020105_2", "--dry-run")


def test_upload_over_the_size_limit_is_refused_by_the_form(staff, osiecznica, settings):
    settings.SIP_UPLOAD_MAX_BYTES = 1000
    upload = io.BytesIO(b"Nr inw.;Gatunek\n" + b"x;y\n" * 500)
    upload.name = "drzewa.csv"
    resp = staff.post("/rejestry/osiecznica/trees/import/", {"file": upload})
    assert resp.status_code == 200
    assert "Plik ma 2,0\u00a0KB, a można przesłać najwyżej 1000\u00a0bajtów." in resp.content.decode()


def test_request_body_over_the_limit_is_refused_before_reading(staff, osiecznica, settings):
    settings.SIP_REQUEST_MAX_BYTES = 1000
    upload = io.BytesIO(b"x" * 5000)
    upload.name = "drzewa.csv"
    resp = staff.post("/rejestry/osiecznica/trees/import/", {"file": upload})
    assert resp.status_code == 413 and "za duże" in resp.content.decode()


def test_file_name_of_200_l_with_stroke_is_stored_short(staff, osiecznica):
    """200 × "ł" is 400 bytes in UTF-8, more than a file system allows in a name (255)."""
    x, y = OSIECZNICA_2180
    upload = io.BytesIO(f"Nr inw.;Gatunek;Obwód pnia [cm];X;Y\nK-1;lipa drobnolistna;120;{x};{y}\n".encode())
    upload.name = "ł" * 200 + ".csv"
    resp = staff.post("/rejestry/osiecznica/trees/import/", {"file": upload})
    assert resp.status_code == 302
    text = staff.get(resp["Location"]).content.decode()
    assert "Próba: niczego nie zapisano" in text and "zaimportowano: 1" in text


@pytest.mark.parametrize(
    "name,expected",
    [
        ("ł" * 200 + ".csv", "ł" * 58 + ".csv"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\a\\drzewa.xlsx", "drzewa.xlsx"),
        ("a\x00b\nc.xlsx", "abc.xlsx"),
        ("...", "plik"),
        ("", "plik"),
    ],
)
def test_safe_file_name(name, expected):
    safe = uploads.safe_file_name(name)
    assert safe == expected and len(safe.encode()) <= 120


def test_preview_of_a_zip_with_a_broken_shapefile_is_a_message(staff, osiecznica):
    upload = io.BytesIO()
    with zipfile.ZipFile(upload, "w") as z:
        z.writestr("drzewa.shp", b"\x00\x00\x27\x0a" + b"\xff" * 96)
        z.writestr("drzewa.shx", b"nie shx")
        z.writestr("drzewa.dbf", b"nie dbf")
    upload.seek(0)
    upload.name = "drzewa.zip"
    resp = staff.post("/rejestry/osiecznica/trees/import/", {"file": upload})
    assert resp.status_code == 302
    answer = staff.get(resp["Location"])
    assert answer.status_code == 200
    assert "Nie można odczytać pliku drzewa.zip" in answer.content.decode()
