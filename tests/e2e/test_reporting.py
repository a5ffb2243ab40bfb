"""A clerk builds "trees per obręb and species" as a table, a chart and a map in a few clicks,
and a resident opens a published statistic."""

import uuid

import pytest

from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e


def test_clerk_builds_table_chart_and_map(page, django_db_blocker):
    page.goto(f"{page.base}/admin/login/?next=/raporty/")
    page.fill("#id_username", "redaktor-gmina-boleslawiec")
    page.fill("#id_password", "sip-demo")
    page.click("input[type=submit]")
    page.wait_for_url("**/raporty/")
    page.select_option("#dataset", "drzewa")  # the form reloads with the dataset's dimensions
    page.locator("#g1").wait_for()
    page.select_option("#g1", "obreb")
    page.select_option("#g2", "species")
    page.click("#run")
    page.locator("#result-table").wait_for()
    rows = page.locator("#result-table tbody tr")
    assert rows.count() > 10
    assert page.locator("#result-table tbody tr.total").count() > 0
    # The chart (server-rendered SVG) has loaded.
    page.wait_for_function(
        "() => { const i = document.getElementById('chart'); return i.complete && i.naturalWidth > 0; }"
    )
    # The choropleth: one polygon per obręb.
    page.locator("#map.ready").wait_for()
    assert int(page.locator("#map").get_attribute("data-features")) > 5
    assert page.locator("#map path.leaflet-interactive").count() > 5
    shot(page, "reporting-builder", full_page=True)
    # Save and share it.
    # The live server's database is kept between runs: a new name each time, removed afterwards.
    name = f"Drzewa według obrębów i gatunków ({uuid.uuid4().hex[:8]})"
    page.fill("#save-name", name)
    try:
        page.click("#save")
        page.locator("#result-table").wait_for()
        assert page.locator("ul.saved").get_by_text(name).count() == 1
    finally:
        from reporting.models import SavedQuery

        with django_db_blocker.unblock():
            SavedQuery.objects.filter(name=name).delete()


def test_resident_sees_published_statistic(page):
    page.goto(f"{page.base}/statystyki/gmina-boleslawiec-drzewa-zezwolenie-obreby/?gmina=gmina-boleslawiec")
    page.locator("#result-table").wait_for()
    page.locator("#map.ready").wait_for()
    page.wait_for_function(
        "() => { const i = document.getElementById('chart'); return i.complete && i.naturalWidth > 0; }"
    )
    assert "Stan danych" in page.content()
    shot(page, "reporting-statistics", full_page=True)
    page.goto(f"{page.base}/statystyki/boleslawiec-pochowki-kwatery-dekady/?gmina=boleslawiec")
    page.locator("#result-table").wait_for()
    assert "k = 5" in page.content()
    shot(page, "reporting-burials", full_page=True)


@pytest.fixture
def lighting_year(demo_data, django_db_blocker) -> int:
    """The year most of Bolesławiec's demo lighting reports were sent in: the demo dates them in
    the weeks before the day of loading (fixtures/demo/incidents.py)."""
    from django.db.models import Count
    from django.db.models.functions import ExtractYear

    from incidents.models import Report

    with django_db_blocker.unblock():
        row = (
            Report.objects.filter(gmina__slug="boleslawiec", category__group__name="Oświetlenie")
            .annotate(sent_year=ExtractYear("created_at"))
            .values("sent_year")
            .annotate(n=Count("id"))
            .order_by("-n", "-sent_year")
            .first()
        )
    assert row is not None, "the demo has lighting reports in Bolesławiec"
    return row["sent_year"]


def test_clerk_builds_lighting_reports_per_obreb_in_a_year(page, lighting_year):
    """The issue's example: „zgłoszenia per obręb w 2026, kategoria oświetlenie” in a few clicks
    (the year of the demo's reports)."""
    year = lighting_year
    page.goto(f"{page.base}/admin/login/?next=/raporty/")
    page.fill("#id_username", "redaktor-boleslawiec")
    page.fill("#id_password", "sip-demo")
    page.click("input[type=submit]")
    page.wait_for_url("**/raporty/")
    page.select_option("#dataset", "zgloszenia")
    page.locator("#g1").wait_for()
    page.select_option("#g1", "obreb")
    page.select_option("#fd1", "created_at:year")
    page.fill("#fv1", str(year))
    page.select_option("#fd2", "category_group")
    page.fill("#fv2", "Oświetlenie")
    page.click("#run")
    page.locator("#result-table").wait_for()
    assert page.locator("#result-table tbody tr").count() >= 1
    page.wait_for_function(
        "() => { const i = document.getElementById('chart'); return i.complete && i.naturalWidth > 0; }"
    )
    page.locator("#map.ready").wait_for()
    assert int(page.locator("#map").get_attribute("data-features")) >= 1
    shot(page, "reporting-lighting-reports", full_page=True)


def test_saving_under_a_taken_name_keeps_the_page_and_says_why(page, django_db_blocker):
    name = f"Drzewa e2e {uuid.uuid4().hex[:8]}"
    page.goto(f"{page.base}/admin/login/?next=/raporty/")
    page.fill("#id_username", "redaktor-boleslawiec")
    page.fill("#id_password", "sip-demo")
    page.click("input[type=submit]")
    page.wait_for_url("**/raporty/")
    try:
        for attempt in range(2):
            page.goto(f"{page.base}/raporty/?dataset=drzewa&g1=obreb&measure=count&run=1")
            page.locator("#result-table").wait_for()
            page.fill("#save-name", name)
            page.check("input[name=shared]")
            page.click("#save")
            if attempt == 0:
                page.wait_for_url("**/raporty/?*saved=*")
        error = page.locator("#save-name-error")
        error.wait_for()
        assert error.inner_text() == "Masz już zapytanie o tej nazwie."
        assert page.input_value("#save-name") == name and page.is_checked("input[name=shared]")
        assert page.locator("#result-table tbody tr").count() > 1
        page.locator("#map.ready").wait_for()
        shot(page, "reporting-save-taken-name", full_page=True)
    finally:
        from reporting.models import SavedQuery

        with django_db_blocker.unblock():
            SavedQuery.objects.filter(name=name).delete()
