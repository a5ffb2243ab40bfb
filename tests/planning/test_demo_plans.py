"""The demo plans: deterministic, realistic, covering the cases the extracts must handle."""

import hashlib

import pytest

from fixtures.demo import consultations, plans
from planning.models import Amendment, Plan, Zone
from sip.models import Gmina

pytestmark = pytest.mark.django_db


def fingerprint() -> str:
    digest = hashlib.sha256()
    for zone in Zone.objects.order_by("plan__gmina__teryt", "plan__resolution_number", "symbol"):
        digest.update(
            f"{zone.plan.resolution_number}{zone.symbol}{zone.provisions}{zone.geom.wkb.hex()}".encode()
        )
    return digest.hexdigest()


def test_every_demo_gmina_has_a_plan_and_its_amendment(demo_data):
    for gmina in Gmina.objects.filter(teryt__in=["020101_1", "020102_2", "020104_3"]):
        in_force = Plan.objects.filter(gmina=gmina, status="in_force")
        assert in_force.count() >= 2
        amendment = Amendment.objects.get(amending__gmina=gmina)
        assert amendment.amending.boundary.within(amendment.amended.boundary.buffer(0.01))
        purposes = set(Zone.objects.filter(plan__gmina=gmina).values_list("purpose", flat=True))
        assert {"MN", "U", "ZP", "KDL"} <= purposes and len(purposes) >= 7, purposes
        assert not Zone.objects.filter(plan__gmina=gmina, provisions="").exists()
        assert all(p.general_provisions.startswith("§ 1.") for p in in_force)


def test_demo_plans_are_deterministic_and_replace_themselves(demo_data):
    before = fingerprint()
    # As load_demo does: the draft plan laid out for comments is protected until its inspection
    # is cleared (the test's transaction restores both afterwards).
    consultations.clear(lambda items, desc: items)
    counts = plans.load(lambda items, desc: items)
    assert fingerprint() == before
    assert counts == {"plans": 6, "zones": Zone.objects.count(), "amendments": 3}
