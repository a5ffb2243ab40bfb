"""The pages of the incident reports: the resident's tracking page (public history, no personal
data, no internal notes, Polish 404) and the staff panel (login, tenancy as 404, filters, paging,
status change with public and internal note, assignment, merging, forwarding, overdue list)."""

from __future__ import annotations

import datetime as dt
import secrets
from itertools import count

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from incidents.models import Category, CategoryGroup, Report, Status, StatusChange
from sip.models import Unit
from sip.tenancy import EDITOR, VIEWER
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

_numbers = count(900_001)
REPORTER = {
    "reporter_name": "Janina Zgłaszająca",
    "reporter_email": "janina@example.org",
    "reporter_phone": "600700800",
}
INTERNAL = "Notatka tylko dla urzędu: wykonawca Kowalski-Serwis"
PUBLIC = "Naprawa zaplanowana na piątek."


@pytest.fixture
def category(db):
    group, _ = CategoryGroup.objects.get_or_create(name="Oświetlenie (test)", defaults={"icon": "lamp"})
    cat, _ = Category.objects.get_or_create(
        code="test-latarnia", defaults={"name": "Latarnia nie świeci (test)", "group": group, "icon": "lamp"}
    )
    return cat


def unit_of(gmina, name="Wydział Infrastruktury (test)"):
    return Unit.objects.create(
        name=f"{name} {gmina.teryt}", kind="department", gmina=gmina, phone="75 000 00 00"
    )


def make_report(
    gmina, category, *, unit=None, dx=500, dy=500, status=Status.NEW, changed_days_ago=0, **extra
):
    n = next(_numbers)
    x, y = gmina.boundary.extent[:2]
    point = Point(x + dx, y + dy, srid=2180)
    changed = timezone.now() - dt.timedelta(days=changed_days_ago)
    report = Report.objects.create(
        number=f"ZG/2099/{n:06d}",
        year=2099,
        sequence=n,
        token=secrets.token_urlsafe(24),
        gmina=gmina,
        category=category,
        description="Latarnia przy przejściu nie świeci od tygodnia.",
        point=point,
        public_point=point,
        responsible_unit=unit or unit_of(gmina),
        routing_reason="Reguła testowa.",
        status=status,
        status_changed_at=changed,
        **{**REPORTER, **extra},
    )
    StatusChange.objects.create(
        report=report, kind=StatusChange.Kind.CREATED, status_after=status, unit_after=report.responsible_unit
    )
    return report


@pytest.fixture
def report(gmina, category):
    r = make_report(gmina, category)
    StatusChange.objects.create(
        report=r,
        kind=StatusChange.Kind.STATUS,
        status_before=Status.NEW,
        status_after=Status.ACCEPTED,
        public_note=PUBLIC,
        internal_note=INTERNAL,
    )
    Report.objects.filter(pk=r.pk).update(status=Status.ACCEPTED)
    r.refresh_from_db()
    return r


@pytest.fixture
def other_report(other_gmina, category):
    return make_report(other_gmina, category)


# --- tracking page ----------------------------------------------------------------------------


def test_tracking_page_shows_the_public_history_and_no_personal_data(client, report, editor):
    # The status change is made by a named staff member: the page must not name them either.
    StatusChange.objects.filter(report=report, kind=StatusChange.Kind.STATUS).update(actor=editor)
    resp = client.get(f"/zgloszenia/{report.token}/")
    assert resp.status_code == 200
    html = resp.content.decode()
    for shown in (
        report.number,
        "Latarnia nie świeci (test)",
        report.responsible_unit.name,
        PUBLIC,
        "przyjęte",
    ):
        assert shown in html, shown
    for hidden in (*REPORTER.values(), INTERNAL, "Kowalski-Serwis", editor.username):
        assert hidden not in html, hidden
    assert resp["Cache-Control"] == "private, no-store"
    assert resp["Referrer-Policy"] == "no-referrer"
    # The point on the map is the public one, in degrees.
    assert 'id="report-point"' in html


def test_tracking_page_shows_the_generalised_point_not_the_exact_one(client, report):
    x, y = report.gmina.boundary.extent[:2]
    Report.objects.filter(pk=report.pk).update(public_point=Point(x + 900, y + 900, srid=2180))
    exact = report.point.transform(4326, clone=True)
    public = Point(x + 900, y + 900, srid=2180).transform(4326, clone=True)
    html = client.get(f"/zgloszenia/{report.token}/").content.decode()
    assert f"{round(public.y, 7)}" in html
    assert f"{round(exact.y, 7)}" not in html


@pytest.mark.parametrize("token", ["nie-ma-takiego-klucza", "x" * 65, "a"])
def test_unknown_tracking_token_is_a_polish_404(client, token, report):
    resp = client.get(f"/zgloszenia/{token}/")
    assert resp.status_code == 404
    html = resp.content.decode()
    assert "Nie znaleziono zgłoszenia" in html and 'lang="pl"' in html
    assert report.number not in html


# --- staff panel ----------------------------------------------------------------------------


def test_panel_requires_login(client, report):
    for url in ("/zgloszenia/panel/", f"/zgloszenia/panel/{report.pk}/", "/zgloszenia/panel/zalegle/"):
        resp = client.get(url)
        assert resp.status_code == 302 and "/admin/login/" in resp["Location"], url


def test_panel_lists_only_the_users_gmina(client, editor, report, other_report):
    client.force_login(editor)
    html = client.get("/zgloszenia/panel/").content.decode()
    assert report.number in html
    assert other_report.number not in html


def test_central_admin_sees_every_gmina(client, central_admin, report, other_report):
    client.force_login(central_admin)
    html = client.get("/zgloszenia/panel/").content.decode()
    assert report.number in html and other_report.number in html


def test_another_gminas_report_is_404_and_stays_unchanged(client, other_editor, report):
    client.force_login(other_editor)
    assert client.get(f"/zgloszenia/panel/{report.pk}/").status_code == 404
    resp = client.post(
        f"/zgloszenia/panel/{report.pk}/",
        {"action": "status", "status": Status.DONE, "public_note": "Obca gmina"},
    )
    assert resp.status_code == 404
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED
    assert not report.history.filter(public_note="Obca gmina").exists()


def test_staff_report_page_shows_internal_notes_and_reporter(client, editor, report):
    client.force_login(editor)
    html = client.get(f"/zgloszenia/panel/{report.pk}/").content.decode()
    assert INTERNAL in html and PUBLIC in html and REPORTER["reporter_email"] in html


def test_status_change_with_public_and_internal_note(client, editor, report):
    client.force_login(editor)
    resp = client.post(
        f"/zgloszenia/panel/{report.pk}/",
        {
            "action": "status",
            "status": Status.IN_PROGRESS,
            "public_note": "Ekipa wyjedzie jutro.",
            "internal_note": "Zlecenie nr 77/2099",
        },
    )
    assert resp.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS
    change = report.history.filter(kind=StatusChange.Kind.STATUS).latest("at")
    assert (change.status_after, change.actor_id) == (Status.IN_PROGRESS, editor.pk)
    assert change.internal_note == "Zlecenie nr 77/2099"
    public = client.get(f"/zgloszenia/{report.token}/").content.decode()
    assert "Ekipa wyjedzie jutro." in public and "Zlecenie nr 77/2099" not in public
    assert "w realizacji" in public


def test_refused_status_change_keeps_what_was_typed(client, editor, report):
    client.force_login(editor)
    resp = client.post(
        f"/zgloszenia/panel/{report.pk}/",
        {"action": "status", "status": Status.DUPLICATE, "public_note": "Mój tekst odpowiedzi"},
    )
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "Mój tekst odpowiedzi" in html
    assert "osobnymi czynnościami" in html
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED


def test_viewer_may_look_but_not_change(client, gmina, report):
    viewer = make_user("przegladajacy-zgl", VIEWER, gmina)
    client.force_login(viewer)
    assert client.get(f"/zgloszenia/panel/{report.pk}/").status_code == 200
    resp = client.post(f"/zgloszenia/panel/{report.pk}/", {"action": "status", "status": Status.DONE})
    assert resp.status_code == 403
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED


def test_user_without_a_role_gets_403(client, gmina, report):
    nobody = make_user("bez-roli-zgl", None, gmina)
    client.force_login(nobody)
    resp = client.get("/zgloszenia/panel/")
    assert resp.status_code == 403 and "Brak dostępu" in resp.content.decode()


def test_assign_to_a_colleague_but_not_to_another_gminas_staff(client, editor, gmina, other_gmina, report):
    colleague = make_user("kolega-zgl", EDITOR, gmina, first_name="Adam", last_name="Kolega")
    stranger = make_user("obcy-zgl", EDITOR, other_gmina)
    client.force_login(editor)
    page = client.get(f"/zgloszenia/panel/{report.pk}/").content.decode()
    assert "Adam Kolega" in page and "obcy-zgl" not in page
    resp = client.post(f"/zgloszenia/panel/{report.pk}/", {"action": "assign", "assignee": stranger.pk})
    assert resp.status_code == 400
    report.refresh_from_db()
    assert report.assignee_id is None
    resp = client.post(f"/zgloszenia/panel/{report.pk}/", {"action": "assign", "assignee": colleague.pk})
    assert resp.status_code == 302
    report.refresh_from_db()
    assert report.assignee_id == colleague.pk


def test_merge_a_duplicate_by_number(client, editor, gmina, category, report):
    dup = make_report(gmina, category, dx=510)
    client.force_login(editor)
    page = client.get(f"/zgloszenia/panel/{dup.pk}/").content.decode()
    assert report.number in page  # offered as an open report of the category within 50 m
    resp = client.post(f"/zgloszenia/panel/{dup.pk}/", {"action": "merge", "into": report.number})
    assert resp.status_code == 302
    dup.refresh_from_db()
    assert dup.status == Status.DUPLICATE and dup.duplicate_of_id == report.pk
    assert report.number in client.get(f"/zgloszenia/{dup.token}/").content.decode()


def test_merge_into_another_gminas_report_is_refused(client, editor, report, other_report):
    client.force_login(editor)
    resp = client.post(f"/zgloszenia/panel/{report.pk}/", {"action": "merge", "into": other_report.number})
    assert resp.status_code == 400
    assert "Nie ma takiego zgłoszenia" in resp.content.decode()
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED


def test_forward_to_another_unit_keeps_both_in_the_history(client, editor, gmina, other_gmina, report):
    company = Unit.objects.create(name="Zakład Usług Komunalnych (test)", kind="company", gmina=gmina)
    foreign = Unit.objects.create(name="Wydział obcej gminy (test)", kind="department", gmina=other_gmina)
    client.force_login(editor)
    page = client.get(f"/zgloszenia/panel/{report.pk}/").content.decode()
    assert company.name in page and foreign.name not in page
    resp = client.post(f"/zgloszenia/panel/{report.pk}/", {"action": "forward", "unit": foreign.pk})
    assert resp.status_code == 400
    before = report.responsible_unit
    resp = client.post(
        f"/zgloszenia/panel/{report.pk}/",
        {"action": "forward", "unit": company.pk, "internal_note": "ich teren"},
    )
    assert resp.status_code == 302
    report.refresh_from_db()
    assert report.responsible_unit == company
    change = report.history.latest("at")
    assert (change.unit_before, change.unit_after) == (before, company)
    public = client.get(f"/zgloszenia/{report.token}/").content.decode()
    assert company.name in public and "ich teren" not in public


def test_filters_and_paging(client, editor, gmina, category, report):
    done = make_report(gmina, category, status=Status.DONE, dx=3000, dy=3000)
    client.force_login(editor)
    html = client.get("/zgloszenia/panel/", {"status": Status.DONE}).content.decode()
    assert done.number in html and report.number not in html
    # area = the map's extent: a box around `report` only
    p = report.point.transform(4326, clone=True)
    bbox = f"{p.x - 0.001},{p.y - 0.001},{p.x + 0.001},{p.y + 0.001}"
    html = client.get("/zgloszenia/panel/", {"bbox": bbox}).content.decode()
    assert report.number in html and done.number not in html
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    html = client.get("/zgloszenia/panel/", {"since": tomorrow}).content.decode()
    assert report.number not in html and done.number not in html
    # bad input: a message, not a 500
    resp = client.get("/zgloszenia/panel/", {"since": "wczoraj", "bbox": "1,2,x", "status": "zle"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "RRRR-MM-DD" in html and "nieprawidłowy zasięg" in html and "Nieznany status" in html


def test_sort_by_age_and_pages(client, editor, gmina, category):
    reports = [make_report(gmina, category, dx=100 + 60 * i) for i in range(27)]
    for i, r in enumerate(reports):  # created one hour apart, the first the oldest
        Report.objects.filter(pk=r.pk).update(created_at=timezone.now() - dt.timedelta(hours=100 - i))
    client.force_login(editor)
    first = client.get("/zgloszenia/panel/").content.decode()
    assert reports[0].number in first and reports[26].number not in first
    assert first.index(reports[0].number) < first.index(reports[1].number)
    second = client.get("/zgloszenia/panel/", {"page": 2}).content.decode()
    assert reports[26].number in second
    newest = client.get("/zgloszenia/panel/", {"sort": "newest"}).content.decode()
    assert newest.index(reports[26].number) < newest.index(reports[25].number)
    assert reports[0].number not in newest


def test_overdue_list(client, editor, gmina, category, other_gmina):
    late = make_report(gmina, category, changed_days_ago=30, dx=800)
    fresh = make_report(gmina, category, changed_days_ago=1, dx=900)
    closed = make_report(gmina, category, changed_days_ago=40, status=Status.DONE, dx=1000)
    foreign = make_report(other_gmina, category, changed_days_ago=30)
    client.force_login(editor)
    html = client.get("/zgloszenia/panel/zalegle/").content.decode()
    assert late.number in html
    for absent in (fresh, closed, foreign):
        assert absent.number not in html
