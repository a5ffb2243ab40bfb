"""Issuing extracts: API, PDF content, scale of the wyrys, numbering, verification, immutability."""

from __future__ import annotations

import hashlib
import io
import subprocess
import threading
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from PIL import Image

from planning.extracts.numbering import next_case_number
from planning.maplayers import PURPOSE_COLOURS
from planning.models import CaseCounter, ExtractCase, IssuedDocument, Plan
from sip.models import Gmina
from sip.tenancy import CENTRAL_ADMIN, PLANNER
from tests.conftest import GminaFactory, ParcelFactory, make_user
from tests.utils import artifact, pdf_text

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def issue(client, parcels, kind="both", **extra):
    body = {
        "parcels": [p.identifier if hasattr(p, "identifier") else p for p in parcels],
        "kind": kind,
        **extra,
    }
    return client.post("/api/planning/extracts/", body, content_type="application/json")


def pdf_bytes(client, body) -> bytes:
    resp = client.get(body["pdf_url"])
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    return b"".join(resp.streaming_content)


def pdf_page_png(content: bytes, tmp_path: Path, page: int, dpi: int) -> np.ndarray:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(dpi),
            "-png",
            "-f",
            str(page),
            "-l",
            str(page),
            str(path),
            str(tmp_path / "pg"),
        ],
        check=True,
    )
    [png] = sorted(tmp_path.glob("pg-*.png"))
    image = np.asarray(Image.open(png).convert("RGB")).astype(int)
    png.unlink()
    return image


@pytest.fixture
def planner_client(client, planner):
    client.force_login(planner)
    return client


def test_wypis_and_wyrys_through_the_api(planner_client, world):
    parcel = world.parcel("10", world.at(90, 20, 160, 60))  # 1MN, 1U and the amended area
    resp = issue(planner_client, [parcel], applicant="Jan Kowalski", applicant_address="ul. Polna 3, Testowo")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["case_number"] == f"RG.6727.1.{YEAR}"
    assert body["pages"]["wyrys"] == 2  # one sheet from the plan, one from its amendment
    assert body["fee"] == {"wypis": "30.00", "wyrys": "40.00", "total": "70.00", "currency": "PLN"}
    content = pdf_bytes(planner_client, body)
    assert hashlib.sha256(content).hexdigest() == body["sha256"]
    text = pdf_text(content, layout=True)
    flat = " ".join(text.split())
    for expected in (
        "WYPIS I WYRYS Z MIEJSCOWEGO PLANU ZAGOSPODAROWANIA PRZESTRZENNEGO",
        "art. 30 ust. 1 ustawy z dnia 27 marca 2003 r. o planowaniu i zagospodarowaniu przestrzennym",
        "Jan Kowalski",
        f"RG.6727.1.{YEAR}",
        "Miejscowy plan zagospodarowania przestrzennego testowy X/100/2015",
        "Uchwała nr X/100/2015 Rady Gminy Testowej z dnia 15.01.2020 r.",
        "Teren 1MN – zabudowa mieszkaniowa jednorodzinna",
        "Teren 1U – zabudowa usługowa",
        "Teren 1ZP – zieleń urządzona",
        "Ustalenia dla terenu 1MN: dopuszcza się zabudowę.",
        "§ 1. Ustalenia ogólne planu testowego.",
        "Plan zmieniony uchwałą nr XX/200/2022",
        "Za zgodność z oryginałem",
        "wypis 30,00 zł + wyrys 40,00 zł = 70,00 zł",
        "WYRYS Z MIEJSCOWEGO PLANU",
        "skala 1:1000",
        "wypis – strona 1 z",
        body["verification_url"],
    ):
        assert expected in flat, expected
    # Shares: parcel 70 × 40 m = 2800 m²; 1MN 10 m wide, 1U 50 m (its part east of x=150 is
    # amended), 1ZP 10 m.
    assert flat.count("400,00 14,29%") == 2 and "2000,00 71,43%" in flat
    assert flat.count("Udział w powierzchni działki") == 3
    case = ExtractCase.objects.get(case_number=body["case_number"])
    assert case.fee_total == Decimal("70.00") and case.parcel_identifiers == [parcel.identifier]


@pytest.mark.parametrize("scale", [1000, 2000])
def test_wyrys_is_drawn_at_the_plan_scale(planner_client, world, tmp_path, scale):
    """A 100 × 60 m parcel measures 100 000/scale × 60 000/scale mm on the page (within 1 %)."""
    Plan.objects.filter(pk=world.base.pk).update(scale=scale)
    parcel = world.parcel("11", world.at(20, 40, 120, 100))
    body = issue(planner_client, [parcel], kind="wyrys").json()
    assert body["pages"] == {"wypis": 0, "wyrys": 1}
    dpi = 200
    page = pdf_page_png(pdf_bytes(planner_client, body), tmp_path, 1, dpi)
    map_part = page[: round(200 / 25.4 * dpi)]  # the map frame: 10 mm margin + 190 mm (legend below)
    red = (map_part[:, :, 0] > 200) & (map_part[:, :, 1] < 80) & (map_part[:, :, 2] < 80)
    rows, cols = np.nonzero(red)
    mid_row = (rows.min() + rows.max()) // 2
    line = np.nonzero(red[mid_row])[0]
    thickness = np.argmax(np.diff(line) > 1) + 1  # the left edge's run of red pixels
    width_mm = (cols.max() - cols.min() + 1 - thickness) / dpi * 25.4
    height_mm = (rows.max() - rows.min() + 1 - thickness) / dpi * 25.4
    assert width_mm == pytest.approx(100_000 / scale, rel=0.01)
    assert height_mm == pytest.approx(60_000 / scale, rel=0.01)


def test_look_at_the_pages(planner_client, world, tmp_path):
    """Renders the wypis and wyrys to PNG (kept in var/test-artifacts/ for a human to look at) and
    checks that the wyrys page carries colour from the zones, not only text."""
    parcel = world.parcel("12", world.at(60, 60, 140, 120))
    body = issue(planner_client, [parcel]).json()
    content = pdf_bytes(planner_client, body)
    artifact("extract.pdf").write_bytes(content)
    wyrys_page = body["pages"]["wypis"] + 1
    page = pdf_page_png(content, tmp_path, wyrys_page, 60)
    Image.fromarray(page.astype("uint8")).save(artifact("wyrys.png"))
    # The zones' colours are the registry's zoning style (as on the map): the purpose's fill at
    # the style's 70 % opacity over white paper.
    mn = np.all(np.abs(page - seen_on_paper(PURPOSE_COLOURS["MN"])) < 12, axis=2).mean()
    u = np.all(np.abs(page - seen_on_paper(PURPOSE_COLOURS["U"])) < 12, axis=2).mean()
    assert mn > 0.05 and u > 0.05


def seen_on_paper(fill: str, opacity: float = 0.7) -> np.ndarray:
    return np.array([round(opacity * int(fill[i : i + 2], 16) + (1 - opacity) * 255) for i in (1, 3, 5)])


def test_batch_over_several_sheets_gets_an_overview(planner_client, world):
    parcels = [
        world.parcel(str(20 + i), world.at(10 + 15 * i, 5 + 36 * i, 22 + 15 * i, 20 + 36 * i))
        for i in range(6)
    ]
    body = issue(planner_client, parcels, kind="wyrys").json()
    assert body["pages"]["wyrys"] == 3  # overview + 2 sheets at 1:1000
    flat = " ".join(pdf_text(pdf_bytes(planner_client, body), layout=True).split())
    assert "Arkusz przeglądowy" in flat and "Arkusz 1 z 2" in flat and "Arkusz 2 z 2" in flat
    assert body["fee"]["total"] == "60.00"


def test_parcel_without_plan_gets_a_certificate(planner_client, world):
    parcel = world.parcel("30", world.at(600, 600, 630, 630))
    body = issue(planner_client, [parcel]).json()
    assert body["document_kind"] == "no_plan" and body["fee"]["total"] == "17.00"
    flat = " ".join(pdf_text(pdf_bytes(planner_client, body), layout=True).split())
    assert "ZAŚWIADCZENIE" in flat and "nie obowiązuje miejscowy plan zagospodarowania przestrzennego" in flat
    assert parcel.identifier in flat


def test_verification_page_shows_no_personal_data(client, planner, world):
    client.force_login(planner)
    parcel = world.parcel("40", world.at(10, 10, 40, 40))
    body = issue(client, [parcel], applicant="Zofia Tajna", applicant_address="ul. Prywatna 7").json()
    content = pdf_bytes(client, body)
    client.logout()
    token = body["verification_url"].rsplit("/", 1)[1]
    page = client.get(f"/verify/{token}").content.decode()
    assert body["case_number"] in page and parcel.identifier in page and body["sha256"] in page
    assert "Zofia" not in page and "Prywatna" not in page
    same = client.post(f"/verify/{token}", {"plik": io.BytesIO(content)})
    assert "Plik jest identyczny" in same.content.decode()
    changed = client.post(f"/verify/{token}", {"plik": io.BytesIO(content + b"%")})
    assert "Plik różni się" in changed.content.decode()
    assert client.get("/verify/nie-ma-takiego").status_code == 404


def test_issued_documents_are_immutable_and_reissue_makes_a_new_version(client, planner, world, media_in_tmp):
    client.force_login(planner)
    parcel = world.parcel("50", world.at(10, 10, 40, 40))
    body = issue(client, [parcel], kind="wypis").json()
    first = IssuedDocument.objects.get(sha256=body["sha256"])
    first_bytes = Path(first.file.path).read_bytes()
    with pytest.raises(ValidationError):
        first.save()
    with pytest.raises(ValidationError):
        first.delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE planning_issueddocument SET sha256 = 'x' WHERE id = %s", [first.pk])
    case = first.case
    resp = client.post(f"/planowanie/sprawa/{case.pk}/wydaj/")
    assert resp.status_code == 302
    second = case.documents.order_by("-version").first()
    assert second.version == 2 and second.token != first.token and second.file.name != first.file.name
    assert Path(first.file.path).read_bytes() == first_bytes
    assert hashlib.sha256(first_bytes).hexdigest() == first.sha256
    assert "nowszą wersję" in client.get(f"/verify/{first.token}").content.decode()


def test_case_numbers_are_unique_under_concurrent_requests(demo_data):
    """Eight threads, each on its own connection, take five numbers each from the same counter."""
    gmina = Gmina.objects.get(teryt="020104_3")
    year = 2999  # a year of its own, removed afterwards: the threads commit
    barrier = threading.Barrier(8)
    taken: list[int] = []
    errors: list[Exception] = []

    def worker():
        try:
            barrier.wait()
            for _ in range(5):
                with transaction.atomic():
                    taken.append(next_case_number(gmina, year))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    def cleanup():
        CaseCounter.objects.filter(gmina=gmina, year=year).delete()
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        t = threading.Thread(target=cleanup)
        t.start()
        t.join()
    assert not errors
    assert sorted(taken) == list(range(1, 41))


@pytest.mark.parametrize(
    ("parcels", "status", "message"),
    [
        (["020101_1.1.12"], 400, "Nieprawidłowy identyfikator działki"),
        (["020101_1.0001.999999"], 400, "Nie ma w systemie działek: 020101_1.0001.999999"),
        ([], 400, "Podaj listę identyfikatorów działek"),
    ],
)
def test_bad_parcels_are_refused(planner_client, world, parcels, status, message):
    before = ExtractCase.objects.count()  # the demo's cases may be in the database
    resp = issue(planner_client, parcels)
    assert resp.status_code == status and message in str(resp.json()["detail"])
    assert ExtractCase.objects.count() == before


def test_parcel_of_another_gmina_is_forbidden(planner_client, world):
    other = GminaFactory()
    parcel = ParcelFactory(obreb__gmina=other)
    before = ExtractCase.objects.count()
    resp = issue(planner_client, [parcel])
    assert resp.status_code == 403
    assert resp.json()["detail"] == "Nie masz uprawnień do danych tej gminy."
    assert ExtractCase.objects.count() == before


def test_parcels_of_two_gminas_in_one_application_are_refused(client, world):
    other = GminaFactory()
    admin = make_user("centrala-planowanie", CENTRAL_ADMIN, None)
    client.force_login(admin)
    resp = issue(client, [world.parcel("60", world.at(10, 10, 20, 20)), ParcelFactory(obreb__gmina=other)])
    assert resp.status_code == 400 and "jednej gminie" in resp.json()["detail"]


def test_anonymous_and_viewer_cannot_issue(client, viewer, world):
    parcel = world.parcel("61", world.at(10, 10, 20, 20))
    assert "zalogowania" in issue(client, [parcel]).json()["detail"]
    client.force_login(viewer)
    resp = issue(client, [parcel])
    assert resp.status_code == 403 and "rola" in resp.json()["detail"]


def test_invalid_kind_is_refused(planner_client, world):
    resp = issue(planner_client, [world.parcel("62", world.at(10, 10, 20, 20))], kind="mapa")
    assert resp.status_code == 400 and "wypis, wyrys, both" in resp.json()["detail"]


def test_zone_without_provisions_leaves_nothing_half_written(planner_client, world, media_in_tmp):
    world.base.zones.filter(symbol="1MN").update(provisions="")
    before = ExtractCase.objects.count()
    resp = issue(planner_client, [world.parcel("63", world.at(10, 10, 20, 20))])
    assert resp.status_code == 400
    assert "nie ma tekstu ustaleń dla terenu 1MN" in resp.json()["detail"]
    assert ExtractCase.objects.count() == before
    assert not CaseCounter.objects.filter(gmina=world.gmina).exists()
    assert not list(media_in_tmp.rglob("*.pdf"))


def test_numbers_continue_per_gmina_and_year(planner_client, world):
    numbers = [
        issue(
            planner_client, [world.parcel(str(70 + i), world.at(10, 10 * i, 20, 10 * i + 5))], kind="wypis"
        ).json()["case_number"]
        for i in range(3)
    ]
    assert numbers == [f"RG.6727.{n}.{YEAR}" for n in (1, 2, 3)]


def test_planner_of_another_gmina_cannot_open_the_pdf(client, world, planner):
    client.force_login(planner)
    body = issue(client, [world.parcel("80", world.at(10, 10, 20, 20))], kind="wypis").json()
    other = make_user("planista-inny", PLANNER, GminaFactory())
    client.force_login(other)
    assert client.get(body["pdf_url"]).status_code == 403


def test_same_prefix_in_two_gminas(client, world):
    """Two offices may both number RG.6727.1.<year>: the number is unique within a gmina."""
    from planning.models import ExtractOffice
    from tests.conftest import ObrebFactory

    other = GminaFactory()
    ObrebFactory(gmina=other, code="0001")
    ExtractOffice.objects.create(
        gmina=other, office_name="Urząd Gminy Drugiej", place="Drugie", case_prefix="RG.6727"
    )
    admin = make_user("centrala-numery", CENTRAL_ADMIN, None)
    client.force_login(admin)
    first = issue(client, [world.parcel("90", world.at(10, 10, 20, 20))], kind="wypis").json()
    second = issue(client, [ParcelFactory(obreb=other.obreb_set.get())], kind="wypis").json()
    assert first["case_number"] == second["case_number"] == f"RG.6727.1.{YEAR}"


@pytest.mark.parametrize(
    ("value", "message"),
    [("23.11.2026", "Nieprawidłowa data wniosku"), ("2999-01-01", "późniejsza niż dzisiejsza")],
)
def test_bad_application_date(planner_client, world, value, message):
    resp = issue(planner_client, [world.parcel("95", world.at(10, 10, 20, 20))], application_date=value)
    assert resp.status_code == 400 and message in resp.json()["detail"]


def test_partial_repeal_leaves_that_part_without_a_plan(planner_client, world):
    """A resolution repealing the plan over x < 50 m has no zones: there the parcel has no plan."""
    import datetime as dt

    from planning.models import Amendment
    from tests.planning.conftest import make_plan

    repeal = make_plan(
        world.gmina, world.at(0, 0, 50, 200), resolution="XXX/300/2024", resolution_date=dt.date(2024, 1, 2)
    )
    Amendment.objects.create(amending=repeal, amended=world.base, kind="repeal")
    parcel = world.parcel("96", world.at(40, 10, 60, 30))
    zoning = planner_client.get(f"/api/planning/parcels/{parcel.identifier}/zoning/").json()
    assert zoning["uncovered"]["share_pct"] == 50.0
    body = issue(planner_client, [parcel], kind="wypis").json()
    flat = " ".join(pdf_text(pdf_bytes(planner_client, body), layout=True).split())
    assert "Części działek nieobjęte planem" in flat and "200,00 50,00%" in flat


def test_issued_pdf_is_private_whatever_the_configuration(client, planner, world, settings, media_in_tmp):
    """The PDF names the applicant: it is outside MEDIA_ROOT under a random name, the old media
    path answers 404 even when Django serves media, and only the checked view sends it."""
    settings.DEBUG = True  # Django serves MEDIA_ROOT itself, as under `make demo`
    client.force_login(planner)
    body = issue(client, [world.parcel("81", world.at(10, 10, 20, 20))], kind="wypis").json()
    document = IssuedDocument.objects.get(sha256=body["sha256"])
    stored = Path(document.file.path)
    assert stored.is_file() and media_in_tmp in stored.parents
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.pdf"))
    assert body["case_number"] not in document.file.name and len(stored.stem) >= 32
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018 - a private file has no public URL
    content = client.get(body["pdf_url"])
    assert content.status_code == 200 and b"".join(content.streaming_content).startswith(b"%PDF")
    client.logout()
    old = f"/media/planning/extracts/{world.gmina.teryt}/{YEAR}/{body['case_number']}-v1.pdf"
    assert client.get(old).status_code == 404
    assert client.get(f"/media/{document.file.name}").status_code == 404
    assert client.get(body["pdf_url"]).status_code == 302  # to the login page


def test_pdf_sent_by_the_web_server_when_configured(client, planner, world, settings):
    client.force_login(planner)
    body = issue(client, [world.parcel("82", world.at(10, 10, 20, 20))], kind="wypis").json()
    document = IssuedDocument.objects.get(sha256=body["sha256"])
    settings.SIP_PRIVATE_SENDFILE = "x-accel-redirect"
    resp = client.get(body["pdf_url"])
    assert resp.status_code == 200 and resp.content == b""
    assert resp["X-Accel-Redirect"] == f"/_private/{document.file.name}"
    assert resp["Content-Type"] == "application/pdf"
    assert f"{body['case_number']}-v1.pdf" in resp["Content-Disposition"]
    settings.SIP_PRIVATE_SENDFILE = "x-sendfile"
    resp = client.get(body["pdf_url"])
    assert resp["X-Sendfile"] == document.file.path and "X-Accel-Redirect" not in resp
    other = make_user("planista-inny-2", PLANNER, GminaFactory())
    client.force_login(other)
    refused = client.get(body["pdf_url"])
    assert refused.status_code == 403 and "X-Sendfile" not in refused


def test_private_root_inside_media_root_is_refused_by_a_check(settings, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SIP_PRIVATE_ROOT = str(tmp_path / "media" / "private")
    with pytest.raises(SystemCheckError, match="sip.E001"):
        call_command("check")


def test_migration_moves_existing_pdfs_out_of_media(client, planner, world, settings, media_in_tmp):
    import importlib

    from django.apps import apps

    client.force_login(planner)
    body = issue(client, [world.parcel("83", world.at(10, 10, 20, 20))], kind="wypis").json()
    document = IssuedDocument.objects.get(sha256=body["sha256"])
    # As before the move: in MEDIA_ROOT, named by the case number.
    old_name = f"planning/extracts/{world.gmina.teryt}/{YEAR}/{body['case_number']}-v1.pdf"
    old_path = Path(settings.MEDIA_ROOT) / old_name
    old_path.parent.mkdir(parents=True)
    Path(document.file.path).rename(old_path)
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("ALTER TABLE planning_issueddocument DISABLE TRIGGER planning_document_immutable")
        IssuedDocument.objects.filter(pk=document.pk).update(file=old_name)
        cur.execute("ALTER TABLE planning_issueddocument ENABLE TRIGGER planning_document_immutable")
    migration = importlib.import_module("planning.migrations.0007_extract_documents_private")
    migration.move_to_private(apps, None)
    document.refresh_from_db()
    assert not old_path.exists() and body["case_number"] not in document.file.name
    assert hashlib.sha256(Path(document.file.path).read_bytes()).hexdigest() == document.sha256
    assert client.get(body["pdf_url"]).status_code == 200
