"""Staff pages: table with filters, add and edit on the map, history, import with a preview,
exports, overdue inspections and circuit totals; another gmina's staff is refused."""

import io
import json
import re

import pytest
from openpyxl import load_workbook
from pyproj import Transformer

from inventory.models import Tree

from .conftest import OSIECZNICA_2180, SAMPLES, run_import

pytestmark = pytest.mark.django_db
TO_4326 = Transformer.from_crs(2180, 4326, always_xy=True)


@pytest.fixture
def staff(client, osiecznica_editor, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SIP_PRIVATE_ROOT = str(tmp_path / "private")
    client.force_login(osiecznica_editor)
    return client


@pytest.fixture
def trees(osiecznica):
    run_import(
        "trees", str(SAMPLES / "drzewa_osiecznica.xlsx"), "--gmina", "020105_2", "--errors", "/dev/null"
    )


def test_index_and_another_gminas_staff(staff, client, osiecznica, other_editor, trees):
    page = staff.get("/rejestry/osiecznica/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Rejestry gminy Osiecznica" in text and "Oświetlenie – linie" in text and "wewnętrzny" in text
    client.force_login(other_editor)
    refused = client.get("/rejestry/osiecznica/")
    assert (
        refused.status_code == 403 and "Nie masz uprawnień do danych tej gminy." in refused.content.decode()
    )
    assert client.get("/rejestry/osiecznica/trees/").status_code == 403


def test_table_filters_and_exports(staff, trees):
    text = staff.get("/rejestry/osiecznica/trees/?natural_monument=tak").content.decode()
    assert "P-01" in text and "D-001" not in text and "pomnik przyrody – najpierw zniesienie ochrony" in text
    text = staff.get("/rejestry/osiecznica/trees/?trunk_circumference_cm__gte=abc").content.decode()
    assert "„abc” nie jest liczbą" in text
    for fmt in ("xlsx", "csv", "gpkg", "shp", "pdf"):
        resp = staff.get(f"/rejestry/osiecznica/trees/eksport/{fmt}/?condition=4")
        assert resp.status_code == 200, fmt
        assert "attachment" in resp["Content-Disposition"]
    resp = staff.get("/rejestry/osiecznica/trees/eksport/xlsx/?condition=4")
    sheet = load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(numbers) == sorted(
        Tree.objects.filter(gmina__slug="osiecznica", condition=4).values_list("external_id", flat=True)
    )


def test_add_and_edit_on_the_map_with_history(staff, osiecznica):
    lon, lat = TO_4326.transform(*OSIECZNICA_2180)
    form = {
        "external_id": "MA-9",
        "kind": "bench",
        "material": "wood",
        "condition": "5",
        "geom": json.dumps({"type": "Point", "coordinates": [lon, lat]}),
        "save": "1",
    }
    resp = staff.post("/rejestry/osiecznica/small-architecture/nowy/", form)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    item_url = resp["Location"]
    form["condition"] = "2"
    assert staff.post(item_url, form).status_code == 302
    text = staff.get(item_url).content.decode()
    assert "Historia zmian" in text and "utworzenie" in text and "zmiana" in text
    assert "condition: 5 → 2" in text
    resp = staff.post(
        item_url.rstrip("/") + "/przeglad/",
        {
            "inspected_on": "2026-01-10",
            "inspector": "Jan Nowak",
            "result": "repair",
            "next_due": "2026-02-10",
        },
    )
    assert resp.status_code == 302
    text = staff.get("/rejestry/osiecznica/przeglady/").content.decode()
    assert "Obiekt małej architektury MA-9" in text and "wymaga naprawy" in text
    # Outside the gmina: the form says why and nothing is saved.
    lon2, lat2 = TO_4326.transform(OSIECZNICA_2180[0] + 30_000, OSIECZNICA_2180[1])
    form.update(external_id="MA-10", geom=json.dumps({"type": "Point", "coordinates": [lon2, lat2]}))
    text = staff.post("/rejestry/osiecznica/small-architecture/nowy/", form).content.decode()
    assert "Obiekt leży poza gminą Osiecznica." in text


def test_import_with_preview_and_rejected_rows(staff, osiecznica):
    with (SAMPLES / "drzewa_osiecznica.xlsx").open("rb") as fh:
        resp = staff.post("/rejestry/osiecznica/trees/import/", {"file": fh})
    assert resp.status_code == 302
    preview_url = resp["Location"]
    text = staff.get(preview_url).content.decode()
    assert "Próba: niczego nie zapisano" in text and "Palma kokosowa" in text
    assert not Tree.objects.filter(gmina=osiecznica).exists()
    # The mapping the page proposes, sent back with the import button.
    data = {"action": "import"}
    for name, value in re.findall(r'name="(name-\d+)" value="([^"]*)"', text):
        data[name] = value
    for select, body in re.findall(r'<select name="(col-\d+)"[^>]*>(.*?)</select>', text, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        data[select] = chosen.group(1) if chosen else ""
    text = staff.post(preview_url, data).content.decode()
    assert "Import zakończony" in text
    assert Tree.objects.filter(gmina=osiecznica).count() == 6
    token = preview_url.split("t=", 1)[1]
    resp = staff.get(f"/rejestry/osiecznica/trees/import/odrzucone/?t={token}")
    sheet = load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [10, 12, 13, 15, 17, 19, 20]
    assert staff.get("/rejestry/osiecznica/trees/import/odrzucone/?t=zmyslony").status_code == 404


def test_uploaded_register_is_kept_outside_media(staff, osiecznica, settings):
    """An uploaded register may hold personal data: kept in the private root, no media URL."""
    from pathlib import Path

    with (SAMPLES / "drzewa_osiecznica.xlsx").open("rb") as fh:
        assert staff.post("/rejestry/osiecznica/trees/import/", {"file": fh}).status_code == 302
    private = list(Path(settings.SIP_PRIVATE_ROOT).rglob("drzewa_osiecznica.xlsx"))
    assert len(private) == 1 and not list(Path(settings.MEDIA_ROOT).rglob("*.xlsx"))
    settings.DEBUG = True
    relative = private[0].relative_to(settings.SIP_PRIVATE_ROOT)
    assert staff.get(f"/media/{relative}").status_code == 404


def test_preview_shows_where_a_control_character_was(staff, osiecznica):
    x, y = OSIECZNICA_2180
    sheet = f"Nr inw.;Gatunek;Obwód pnia [cm];X;Y;Uwagi\nK-1;lipa drobnolistna;120;{x};{y};ab\x00c\n"
    upload = io.BytesIO(sheet.encode())
    upload.name = "drzewa.csv"
    resp = staff.post("/rejestry/osiecznica/trees/import/", {"file": upload})
    text = staff.get(resp["Location"]).content.decode()
    assert "Uwagi: niedozwolony znak sterujący (kod 0) w tekście" in text
    assert "<td>ab\ufffdc</td>" in text and "\x00" not in text


def test_circuits_page(staff, osiecznica):
    run_import("lighting-lines", str(SAMPLES / "linie_oswietlenia_osiecznica.geojson"), "--gmina", "020105_2")
    run_import(
        "lamps", str(SAMPLES / "latarnie_osiecznica.xlsx"), "--gmina", "020105_2", "--errors", "/dev/null"
    )
    text = staff.get("/rejestry/osiecznica/obwody/").content.decode()
    assert "Zestawienie obwodów oświetlenia" in text and "SO-2" in text
    assert re.search(r"Razem</th><th class=\"num\">15</th>", text)


def _jpeg_with_gps() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (3000, 1500), "#4a7")
    exif = Image.Exif()
    exif[0x010F] = "Aparat Testowy"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 15.0, 49.0), 3: "E", 4: (15.0, 34.0, 10.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


HTML = b"<html><body><script>fetch('/admin/')</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


def test_photo_must_be_an_image_and_loses_its_exif(staff, osiecznica, trees, osiecznica_editor, settings):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from inventory import services
    from inventory.models import Photo
    from inventory.registers import get_register

    tree = Tree.objects.filter(gmina=osiecznica).first()
    url = f"/rejestry/osiecznica/trees/{tree.pk}/przeglad/"
    for name, body, kind in (("x.html", HTML, "text/html"), ("x.svg", SVG, "image/svg+xml")):
        upload = SimpleUploadedFile(name, body, content_type=kind)
        page = staff.post(url, {"image": upload, "caption": "atak"}, follow=True).content.decode()
        assert "Zdjęcie niezapisane: Plik nie jest zdjęciem w formacie JPEG, PNG ani WebP" in page
        with pytest.raises(ValidationError, match="nie jest zdjęciem"):
            services.add_photo(
                actor=osiecznica_editor,
                register=get_register("trees"),
                item=tree,
                image=SimpleUploadedFile(name, body, content_type=kind),
            )
    assert not Photo.objects.exists()

    jpeg = _jpeg_with_gps()
    assert Image.open(io.BytesIO(jpeg)).getexif().get_ifd(0x8825)  # the oracle: GPS is there
    staff.post(url, {"image": SimpleUploadedFile("pien.html", jpeg, content_type="text/html")})
    photo = Photo.objects.get()
    assert photo.image.name.endswith("/pien.jpg")
    stored = Image.open(photo.image.path)
    assert stored.format == "JPEG" and stored.size == (2048, 1024)
    assert not stored.getexif() and "exif" not in stored.info
    # Django serving media (DEBUG): the photo inline as an image, never sniffed.
    settings.DEBUG = True
    served = staff.get(photo.image.url)
    assert served["Content-Type"] == "image/jpeg" and served["X-Content-Type-Options"] == "nosniff"
    assert not served.get("Content-Disposition", "").startswith("attachment")


def test_media_that_is_not_an_image_is_an_attachment(client, settings, tmp_path):
    from pathlib import Path

    settings.MEDIA_ROOT = str(tmp_path)
    settings.DEBUG = True
    (Path(tmp_path) / "stary.html").write_bytes(HTML)
    (Path(tmp_path) / "stary.svg").write_bytes(SVG)
    for name in ("stary.html", "stary.svg"):
        resp = client.get(f"/media/{name}")
        assert resp.status_code == 200 and resp["Content-Disposition"] == "attachment"
        assert resp["X-Content-Type-Options"] == "nosniff"
    settings.DEBUG = False
    assert client.get("/media/stary.html").status_code == 404


def test_decompression_bomb_is_refused_before_decoding(osiecznica, osiecznica_editor, trees):
    """A 50 KB PNG declaring 20,000 × 20,000 pixels is refused with a message, not decoded."""
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from inventory import services
    from inventory.registers import get_register

    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, "PNG")
    tree = Tree.objects.filter(gmina=osiecznica).first()
    with pytest.raises(ValidationError, match="za dużo pikseli"):
        services.add_photo(
            actor=osiecznica_editor,
            register=get_register("trees"),
            item=tree,
            image=SimpleUploadedFile("bomba.png", bomb.getvalue()),
        )


def test_reencode_images_cleans_photos_stored_before(osiecznica, trees, settings, tmp_path):
    """A photo stored before the fix (an HTML file, a JPEG with GPS) is quarantined or cleaned."""
    from pathlib import Path

    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from PIL import Image

    from inventory.models import Photo

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SIP_PRIVATE_ROOT = str(tmp_path / "private")
    folder = Path(settings.MEDIA_ROOT) / "inventory" / "photos" / "2025" / "01"
    folder.mkdir(parents=True)
    (folder / "x.html").write_bytes(HTML)
    (folder / "pien.jpg").write_bytes(_jpeg_with_gps())
    tree = Tree.objects.filter(gmina=osiecznica).first()
    common = {
        "gmina": osiecznica,
        "content_type": ContentType.objects.get_for_model(Tree),
        "object_id": tree.pk,
    }
    bad = Photo.objects.bulk_create([Photo(image="inventory/photos/2025/01/x.html", **common)])[0]
    good = Photo.objects.bulk_create([Photo(image="inventory/photos/2025/01/pien.jpg", **common)])[0]
    out = io.StringIO()
    call_command("reencode_images", stdout=out)
    assert "Zapisano ponownie: 1 zdjęć; kwarantanna: 1" in out.getvalue()
    good.refresh_from_db()
    assert not Photo.objects.filter(pk=bad.pk).exists() and not (folder / "x.html").exists()
    assert (Path(settings.SIP_PRIVATE_ROOT) / "quarantine" / "inventory/photos/2025/01/x.html").exists()
    assert not Image.open(good.image.path).getexif() and good.image.name.endswith(".jpg")
