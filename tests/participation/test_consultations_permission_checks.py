"""Each permission check of consultations and comments fails its test when removed: texts are
approved, comments decided and exports read by staff of the row's gmina only."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied

from participation.comments import services as comment_services
from participation.consultations import services
from participation.models import Answer
from sip.tenancy import PLANNER, VIEWER
from tests.conftest import make_user

from .consult_fixtures import full_answers, lonlat, make_consultation, make_inspection

pytestmark = pytest.mark.django_db


def test_only_the_gminas_staff_approve_texts(gmina, other_editor, viewer, editor):
    c = make_consultation(gmina)
    services.submit_response(consultation=c, answers=full_answers(c, gmina))
    texts = Answer.objects.filter(response__consultation=c, question__kind="text")
    for user in (other_editor, viewer):
        with pytest.raises(PermissionDenied):
            services.set_texts_approved(actor=user, answers=texts, approved=True)
    assert not texts.get().text_approved
    assert services.set_texts_approved(actor=editor, answers=texts, approved=True) == 1


def test_only_the_gminas_planner_decides_a_comment(gmina, other_gmina, planner):
    inspection = make_inspection(gmina)
    comment = comment_services.submit_comment(
        inspection=inspection,
        author="A",
        address="B",
        text="C",
        geom=Point(*lonlat(gmina, 1500, 1500), srid=4326),
    )
    for user in (make_user("planista-b", PLANNER, other_gmina), make_user("ogladajacy", VIEWER, gmina)):
        with pytest.raises(PermissionDenied):
            comment_services.decide(actor=user, comment=comment, decision="accepted", reason="")
    assert inspection.comments.get().decision == "pending"
    comment_services.decide(actor=planner, comment=comment, decision="accepted", reason="")
    assert inspection.comments.get().decision == "accepted"


def test_the_admin_of_comments_and_answers_is_scoped(client, gmina, other_gmina, other_editor):
    inspection = make_inspection(gmina)
    comment_services.submit_comment(
        inspection=inspection,
        author="Zofia Poufna",
        address="ul. Ukryta 1",
        text="Treść",
        geom=Point(*lonlat(gmina, 1500, 1500), srid=4326),
    )
    client.force_login(make_user("planista-b", PLANNER, other_gmina))
    assert "Zofia Poufna" not in client.get("/admin/participation/plancomment/").content.decode()
    pk = inspection.comments.get().pk
    assert client.get(f"/admin/participation/plancomment/{pk}/change/").status_code in (302, 403)
    assert client.get(f"/admin/participation/planinspection/{inspection.pk}/change/").status_code in (
        302,
        403,
    )
