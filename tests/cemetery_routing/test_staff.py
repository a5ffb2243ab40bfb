"""Staff work: scoped editing through services, cemetery-book import, leases, free graves."""

import io
import re
from datetime import date, timedelta

import pytest
from django.contrib.gis.geos import LineString
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from openpyxl import Workbook

from cemetery_routing import services
from cemetery_routing.cemetery_book import BookError, import_book
from cemetery_routing.models import Alley, Burial, Grave, GraveHolder
from sip.models import AuditLog

HEADER = [
    "Kwatera",
    "Rząd",
    "Numer",
    "Imię",
    "Nazwisko",
    "Nazwisko rodowe",
    "Data urodzenia",
    "Data zgonu",
    "Data pochówku",
    "Publiczny",
    "Dysponent",
    "Telefon dysponenta",
    "Opłacono do",
]


def workbook(rows, header=HEADER) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "ksiega.xlsx"
    return buf


BOOK = [
    [
        "A",
        1,
        1,
        "Józef",
        "Kowalski",
        None,
        "12.03.1921",
        "05.11.1988",
        date(1988, 11, 9),
        "tak",
        "Anna Kowalska",
        "+48 600 100 200",
        "2028-11-09",
    ],
    [
        "A",
        1,
        1,
        "Stanisława",
        "Kowalska",
        "Nowak",
        "1925-01-02",
        "2001-04-04",
        "2001-04-08",
        "tak",
        None,
        None,
        None,
    ],
    ["A", 1, 99, "Jan", "Brak", None, None, "2000-01-01", None, None, None, None, None],
    ["A", 1, 2, "Piotr", "Zły", None, "31.02.1950", "2000-01-01", None, None, None, None, None],
    ["A", 1, 2, "Paweł", "Odwrotny", None, "2000-01-01", "1990-01-01", None, None, None, None, None],
    ["A", 1, 3, "Ewa", None, None, None, None, None, None, None, None, None],
    [None, None, None, None, None, None, None, None, None, None, None, None, None],
    ["A", 1, 4, "Ukryta", "Osoba", None, None, "2010-10-10", None, "nie", None, None, None],
    ["A", 1, 5, "Maria", "Dziwna", None, None, "2010-10-10", None, "może", None, None, None],
]


def test_import_reports_every_row(editor, test_cemetery):
    report = import_book(actor=editor, cemetery=test_cemetery, path_or_file=workbook(BOOK))
    by_row = {r.row: r for r in report.rows}
    assert [by_row[n].status for n in (2, 3, 4, 5, 6, 7, 9, 10)] == [
        "imported",
        "imported",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "imported",
        "rejected",
    ]
    assert "nie ma grobu (kwatera A, rząd 1, grób 99)" in by_row[4].message
    assert "data urodzenia" in by_row[5].message and "31.02.1950" in by_row[5].message
    assert "późniejsza niż data śmierci" in by_row[6].message
    assert "brak wartości: nazwisko" in by_row[7].message
    assert "tak albo nie" in by_row[10].message
    assert report.empty_rows == 1
    assert "zaimportowano: 3" in report.summary and "odrzucono: 5" in report.summary
    grave = Grave.objects.get(cemetery=test_cemetery, number="1")
    assert grave.status == "occupied" and grave.lease_expires == date(2028, 11, 9)
    assert grave.holder.full_name == "Anna Kowalska" and grave.holder.phone == "+48 600 100 200"
    assert Burial.objects.get(grave__cemetery=test_cemetery, surname="Kowalska").family_name == "Nowak"
    assert Burial.objects.get(grave__cemetery=test_cemetery, surname="Osoba").is_public is False
    assert AuditLog.objects.filter(action="import", object_id=str(test_cemetery.pk)).exists()

    again = import_book(actor=editor, cemetery=test_cemetery, path_or_file=workbook(BOOK[:2]))
    assert [r.status for r in again.rows] == ["skipped", "skipped"]
    assert Burial.objects.filter(grave=grave).count() == 2


def test_dry_run_saves_nothing(editor, test_cemetery):
    report = import_book(actor=editor, cemetery=test_cemetery, path_or_file=workbook(BOOK), dry_run=True)
    assert report.count("imported") == 3 and "nic nie zapisano" in report.summary
    assert not Burial.objects.filter(grave__cemetery=test_cemetery).exists()
    assert not GraveHolder.objects.filter(grave__cemetery=test_cemetery).exists()


def test_import_refuses_other_gminas_and_bad_files(other_editor, editor, test_cemetery):
    with pytest.raises(PermissionDenied):
        import_book(actor=other_editor, cemetery=test_cemetery, path_or_file=workbook(BOOK))
    with pytest.raises(BookError, match="brakuje kolumn: rząd"):
        import_book(
            actor=editor, cemetery=test_cemetery, path_or_file=workbook([], header=["Kwatera", "Numer"])
        )
    with pytest.raises(BookError, match="nie jest plik XLSX"):
        import_book(actor=editor, cemetery=test_cemetery, path_or_file=io.BytesIO(b"kwatera;rzad\n"))


def test_import_refuses_a_book_naming_a_far_cell_before_reading_it(client, editor, test_cemetery, tmp_path):
    """openpyxl's reader walks every row and column up to the last reference: a 1.5 KB book with
    a cell at XFD1048576 would keep it busy for hours."""
    from tests.inventory.test_import_limits import hand_made_xlsx

    book = hand_made_xlsx(tmp_path / "ksiega.xlsx", {"A1": "Kwatera", "B1": "Rząd", "XFD1048576": "x"})
    with pytest.raises(BookError, match="arkusz sięga wiersza 1\u00a0048\u00a0576"):
        import_book(actor=editor, cemetery=test_cemetery, path_or_file=book)
    client.force_login(editor)
    url = f"/admin/cemetery_routing/cemetery/{test_cemetery.pk}/import/"
    with book.open("rb") as fh:
        text = client.post(url, {"file": fh, "dry_run": "on"}).content.decode()
    assert "arkusz sięga wiersza 1\u00a0048\u00a0576" in text


def test_import_page_and_command(client, editor, test_cemetery, tmp_path):
    client.force_login(editor)
    url = f"/admin/cemetery_routing/cemetery/{test_cemetery.pk}/import/"
    assert client.get(url).status_code == 200
    resp = client.post(url, {"file": workbook(BOOK), "dry_run": "on"})
    text = resp.content.decode()
    assert "Zaimportowano: 3" in text or "zaimportowano: 3" in text.lower()
    assert text.count('class="rejected"') == 5
    path = tmp_path / "ksiega.xlsx"
    path.write_bytes(workbook(BOOK).getvalue())
    out = io.StringIO()
    call_command("import_cemetery_book", str(path), "--cemetery", test_cemetery.slug, stdout=out)
    assert "wiersz 4: odrzucony – nie ma grobu" in out.getvalue()
    assert "zaimportowano: 3" in out.getvalue()


def test_editor_edits_only_own_gmina(editor, other_editor, test_cemetery):
    grave = Grave.objects.filter(cemetery=test_cemetery).first()
    burial = services.add_burial(actor=editor, grave=grave, first_name="Jan", surname="Nowak")
    assert AuditLog.objects.filter(model="cemetery_routing.burial", object_id=str(burial.pk)).exists()
    with pytest.raises(PermissionDenied):
        services.add_burial(actor=other_editor, grave=grave, first_name="Jan", surname="Obcy")
    with pytest.raises(PermissionDenied):
        services.set_holder(actor=other_editor, grave=grave, full_name="Ktoś Obcy")
    grave.status = "free"
    with pytest.raises(PermissionDenied):
        services.save_object(actor=other_editor, obj=grave)


def test_viewer_reads_but_does_not_write_or_see_holders(client, viewer, test_cemetery):
    grave = Grave.objects.filter(cemetery=test_cemetery).first()
    with pytest.raises(PermissionDenied):
        services.add_burial(actor=viewer, grave=grave, first_name="Jan", surname="Nowak")
    client.force_login(viewer)
    assert client.get(f"/admin/cemetery_routing/grave/{grave.pk}/change/").status_code == 200
    assert "Dysponent" not in client.get(f"/admin/cemetery_routing/grave/{grave.pk}/change/").content.decode()
    assert client.get("/admin/cemetery_routing/graveholder/").status_code in (403, 404)


def test_admin_lists_are_scoped(client, editor, test_cemetery, other_cemetery):
    client.force_login(editor)
    text = client.get("/admin/cemetery_routing/cemetery/").content.decode()
    assert test_cemetery.name in text and other_cemetery.name not in text
    assert client.get(f"/admin/cemetery_routing/cemetery/{other_cemetery.pk}/change/").status_code == 403
    assert client.get(f"/admin/cemetery_routing/cemetery/{other_cemetery.pk}/wolne-groby/").status_code == 403
    other_grave = other_cemetery.graves.first()
    assert client.get(f"/admin/cemetery_routing/grave/{other_grave.pk}/change/").status_code == 403


def test_expiring_leases(client, editor, viewer, test_cemetery, other_cemetery):
    today = date.today()
    graves = list(test_cemetery.graves.order_by("number"))
    for grave, days in zip(graves, [-30, 20, 80, 200, 800, None], strict=True):
        grave.lease_expires = today + timedelta(days=days) if days is not None else None
        grave.save()
    services.set_holder(
        actor=editor, grave=graves[1], full_name="Helena Dysponentka", phone="+48 511 222 333"
    )
    other = other_cemetery.graves.first()
    other.lease_expires = today + timedelta(days=10)
    other.save()
    client.force_login(editor)
    text = client.get(
        "/admin/cemetery_routing/cemetery/oplaty/", {"months": 3, "include_expired": "on"}
    ).content.decode()
    assert re.search(r'id="total">3<', text)
    assert "Helena Dysponentka" in text and "+48 511 222 333" in text and "(wygasła)" in text
    text = client.get("/admin/cemetery_routing/cemetery/oplaty/", {"months": 3}).content.decode()
    assert re.search(r'id="total">2<', text)
    text = client.get(
        "/admin/cemetery_routing/cemetery/oplaty/", {"months": 12, "include_expired": "on"}
    ).content.decode()
    assert re.search(r'id="total">4<', text)
    client.force_login(viewer)
    text = client.get(
        "/admin/cemetery_routing/cemetery/oplaty/", {"months": 3, "include_expired": "on"}
    ).content.decode()
    assert re.search(r'id="total">3<', text) and "Helena Dysponentka" not in text


def test_free_graves_map(client, editor, test_cemetery):
    graves = list(test_cemetery.graves.order_by("number"))
    graves[0].status = graves[1].status = "free"
    graves[0].save()
    graves[1].save()
    client.force_login(editor)
    text = client.get(f"/admin/cemetery_routing/cemetery/{test_cemetery.pk}/wolne-groby/").content.decode()
    assert re.search(r'id="free-count">2<', text)
    assert (
        text.count("kwatera A, rz\\u0105d 1, gr\\u00f3b") == 2 or text.count("kwatera A, rząd 1, grób") == 2
    )


def test_alley_changes_rebuild_the_graph(client, editor, test_cemetery):
    x0, y0 = test_cemetery.boundary.extent[:2]
    before = test_cemetery.edges.count()
    services.save_object(
        actor=editor,
        obj=Alley(
            cemetery=test_cemetery,
            kind="path",
            geom=LineString((x0 + 30, y0 + 10), (x0 + 30, y0 + 30), srid=2180),
        ),
    )
    assert test_cemetery.edges.count() == before + 2  # the main alley is split where the path meets it
    client.force_login(editor)
    resp = client.post(f"/admin/cemetery_routing/cemetery/{test_cemetery.pk}/siec-alejek/", follow=True)
    assert "Sieć alejek zbudowana: krawędzie: 3, spójne części: 1." in resp.content.decode()


def test_the_sample_book_fits_the_demo_cemetery(demo_data, db):
    from pathlib import Path

    from cemetery_routing.models import Cemetery
    from sip.services import system_actor

    sample = Path(__file__).resolve().parents[2] / "fixtures" / "cemetery" / "ksiega_cmentarna_przyklad.xlsx"
    cemetery = Cemetery.objects.get(slug="cmentarz-komunalny-nowogrodziec")
    report = import_book(actor=system_actor(), cemetery=cemetery, path_or_file=sample, dry_run=True)
    assert [r.status for r in report.rows] == ["imported", "imported", "imported", "rejected", "rejected"]


def test_grave_photos_must_be_images(client, editor, test_cemetery, settings, tmp_path):
    """An HTML or SVG file is refused as a grave photo in the admin and by the service; a
    photo is re-encoded without its EXIF."""
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from cemetery_routing.models import GravePhoto

    settings.MEDIA_ROOT = str(tmp_path)
    grave = Grave.objects.filter(cemetery=test_cemetery).first()
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with pytest.raises(ValidationError, match="nie jest zdjęciem"):
        services.add_photo(
            actor=editor, grave=grave, image=SimpleUploadedFile("g.svg", svg), taken_on=date(2025, 5, 1)
        )
    client.force_login(editor)
    form = {"grave": grave.pk, "kind": "ground", "taken_on": "2025-05-01", "caption": "x"}
    html = SimpleUploadedFile("g.html", b"<script>alert(1)</script>", content_type="text/html")
    page = client.post("/admin/cemetery_routing/gravephoto/add/", {**form, "image": html})
    assert (
        page.status_code == 200 and "nie jest zdjęciem w formacie JPEG, PNG ani WebP" in page.content.decode()
    )
    assert not GravePhoto.objects.filter(grave=grave).exists()
    photo = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (51.0, 15.0, 49.0)}
    Image.new("RGB", (400, 300), "grey").save(photo, "JPEG", exif=exif)
    upload = SimpleUploadedFile("nagrobek.jpg", photo.getvalue(), content_type="image/jpeg")
    assert (
        client.post("/admin/cemetery_routing/gravephoto/add/", {**form, "image": upload}).status_code == 302
    )
    stored = Image.open(GravePhoto.objects.get(grave=grave).image.path)
    assert stored.size == (400, 300) and not stored.getexif()


def test_the_admin_names_each_joined_and_each_loose_alley_end(client, editor, test_cemetery):
    x0, y0 = test_cemetery.boundary.extent[:2]
    path = services.save_object(
        actor=editor,
        obj=Alley(
            cemetery=test_cemetery,
            kind="path",
            # Drawn without snapping: it stops 20 cm short of the main alley.
            geom=LineString((x0 + 30, y0 + 10.2), (x0 + 30, y0 + 30), srid=2180),
        ),
    )
    client.force_login(editor)
    resp = client.post(f"/admin/cemetery_routing/cemetery/{test_cemetery.pk}/siec-alejek/", follow=True)
    page = resp.content.decode()
    assert "Sieć alejek zbudowana: krawędzie: 3, spójne części: 1." in page
    assert f"Połączono początek alejki „ścieżka” [{path.pk}] z alejką „Aleja Lipowa”" in page
    assert "(przesunięty o 20,0 cm)" in page
    # The path's far end leads nowhere: listed, with the nearest alley.
    assert f"Koniec alejki „ścieżka” [{path.pk}] ({x0 + 30:.2f}, {y0 + 30:.2f})" in page
