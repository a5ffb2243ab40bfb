"""The extract pipeline's transactions: the number is registered first, the document stored last,
and a failure while storing leaves no file behind."""

from __future__ import annotations

import subprocess

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from planning import services
from planning.models import CaseCounter, ExtractCase, IssuedDocument

pytestmark = pytest.mark.django_db


@pytest.fixture
def refusing_documents():
    """A database that refuses to store any issued document (a trigger), as a failing commit would."""
    with connection.cursor() as cur:
        cur.execute(
            "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
        )
        cur.execute(
            "CREATE TRIGGER test_refuse BEFORE INSERT ON planning_issueddocument "
            "FOR EACH ROW EXECUTE FUNCTION test_refuse()"
        )
    yield
    with connection.cursor() as cur:
        cur.execute("DROP TRIGGER test_refuse ON planning_issueddocument; DROP FUNCTION test_refuse()")


def files_under(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_failed_store_leaves_no_file_and_the_case_keeps_its_number(
    planner, world, media_in_tmp, refusing_documents
):
    parcel = world.parcel("40", world.at(20, 20, 60, 50))
    with pytest.raises(DatabaseError, match="refused by the test"):
        services.issue_extract(actor=planner, parcel_identifiers=[parcel.identifier], kind="both")
    assert files_under(media_in_tmp) == []
    assert not IssuedDocument.objects.filter(case__gmina=world.gmina).exists()
    # The number was registered with its case before rendering: no gap, no number given twice.
    [case] = ExtractCase.objects.filter(gmina=world.gmina)
    assert case.number == 1 and CaseCounter.objects.get(gmina=case.gmina).last_number == 1


def test_the_next_case_after_a_failure_takes_the_next_number(planner, world, media_in_tmp):
    parcel = world.parcel("41", world.at(20, 20, 60, 50))
    first, _ = services.issue_extract(actor=planner, parcel_identifiers=[parcel.identifier], kind="wypis")
    second, document = services.issue_extract(
        actor=planner, parcel_identifiers=[parcel.identifier], kind="wypis"
    )
    assert (first.number, second.number) == (1, 2)
    assert document.file.storage.exists(document.file.name) and len(files_under(media_in_tmp)) == 2
    # The fee is saved with the document, on the case the service returns.
    assert second.fee_total == ExtractCase.objects.get(pk=second.pk).fee_total > 0


def test_the_printed_verification_address_is_the_sites_public_one(
    planner, world, media_in_tmp, settings, tmp_path
):
    """Not the address of whichever request issued it (an internal host, another prefix)."""
    settings.SIP_PUBLIC_URL = "https://gis.gmina.example/sip/"
    parcel = world.parcel("42", world.at(20, 20, 60, 50))
    _case, document = services.issue_extract(
        actor=planner, parcel_identifiers=[parcel.identifier], kind="wypis"
    )
    expected = f"https://gis.gmina.example/sip/verify/{document.token}"
    assert services.verify_url(document.token) == expected
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(document.file.read())
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    assert expected in "".join(text.split())


def test_the_office_settings_are_read_once_per_issue(planner, world, media_in_tmp):
    parcel = world.parcel("43", world.at(20, 20, 60, 50))
    with CaptureQueriesContext(connection) as queries:
        services.issue_extract(actor=planner, parcel_identifiers=[parcel.identifier], kind="both")
    office_reads = [q["sql"] for q in queries if 'FROM "planning_extractoffice"' in q["sql"]]
    assert len(office_reads) == 1, office_reads


def test_issuing_inside_a_callers_transaction_is_refused_before_anything_is_stored(
    planner, world, media_in_tmp
):
    """Inside another transaction the counter's lock would be held across the rendering and a
    rollback of that transaction would leave the stored file behind: both commits are durable."""
    parcel = world.parcel("44", world.at(20, 20, 60, 50))
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        services.issue_extract(actor=planner, parcel_identifiers=[parcel.identifier], kind="wypis")
    assert files_under(media_in_tmp) == []
    assert not ExtractCase.objects.filter(gmina=world.gmina).exists()
