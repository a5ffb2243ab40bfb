"""The demo's reports follow the day of loading (fixtures/demo/incidents.py): a fresh demo shows
them in Open311's default window (the last 90 days) and in the current year's statistics."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from incidents.models import Report
from sip.models import DemoDataset

pytestmark = [pytest.mark.demo, pytest.mark.django_db]
BOLESLAWIEC = "020101_1"


def test_demo_reports_are_dated_in_the_weeks_before_loading(demo_data, client):
    loaded = DemoDataset.objects.get().loaded_at
    load_day = timezone.localdate(loaded)
    reports = Report.objects.filter(client_request_id__startswith="demo-").prefetch_related("history")
    assert reports.count() >= 30
    for report in reports:
        # 8 to 67 days before the day of loading (68 when loading went past midnight).
        assert 8 <= (load_day - timezone.localdate(report.created_at)).days <= 68, report.created_at
        assert report.created_at <= report.status_changed_at <= loaded
        assert all(report.created_at <= change.at <= loaded for change in report.history.all())
    # Open311's default window lists exactly the reports of the last 90 days.
    since = timezone.now() - dt.timedelta(days=90)
    recent = Report.objects.filter(gmina__teryt=BOLESLAWIEC, created_at__gte=since).count()
    items = client.get("/open311/v2/requests.json", {"jurisdiction_id": BOLESLAWIEC}).json()
    assert len(items) == recent
    if timezone.now() - loaded < dt.timedelta(days=20):  # true of every freshly loaded demo
        assert recent > 0


def test_demo_reports_loaded_on_3_january_are_numbered_in_the_year_of_their_date(demo_data):
    """Loaded on 3 January 2027, every report is dated 8 to 67 days earlier, in 2026: its number
    says 2026 (ZG/2026/…), as the service numbers by the year of the report's own date."""
    from fixtures.demo import incidents as demo_incidents

    counts = demo_incidents.load(lambda items, desc: items, today=dt.date(2027, 1, 3))
    reports = Report.objects.filter(client_request_id__startswith="demo-")
    assert reports.count() == counts["reports"] >= 30
    numbers = set()
    for report in reports:
        year = timezone.localdate(report.created_at).year
        assert year == 2026 and report.year == year, (report.number, report.created_at)
        assert report.number == f"ZG/{year}/{report.sequence:06d}"
        numbers.add(report.number)
    assert len(numbers) == reports.count()
