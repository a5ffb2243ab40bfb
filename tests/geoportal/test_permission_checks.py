"""The geoportal offers "issue an extract" only to the gmina's planner (a check that
scripts/mutate_checks.py removes to see this test fail)."""

import pytest

pytestmark = pytest.mark.django_db


def test_extract_button_only_for_the_gminas_planner(client, gmina, planner, viewer, other_editor):
    client.force_login(planner)
    assert client.get(f"/{gmina.slug}/").context["config"]["extract_url"] == "/planowanie/nowa/"
    for user in (viewer, other_editor):
        client.force_login(user)
        assert client.get(f"/{gmina.slug}/").context["config"]["extract_url"] is None
