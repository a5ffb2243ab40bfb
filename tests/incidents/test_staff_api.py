"""The staff inbox: tenancy, status changes with notes (mailed, audited), re-routing that keeps
both bodies in the history, merging duplicates, overdue reports."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.utils import timezone

from incidents import services
from incidents.models import Report, StatusChange
from sip.models import AuditLog

from .conftest import pt


def report(world, x=100, y=505, category=None, email="jan@example.org"):
    return services.create_report(
        point=pt(x, y), category=category or world.pothole, description="Dziura", reporter_email=email
    ).report


def test_staff_of_gmina_b_never_see_or_change_gmina_a_reports(client, world, staff_a, staff_b):
    r = report(world)
    client.force_login(staff_b)
    assert client.get("/api/incidents/inbox/").json()["count"] == 0
    assert client.get(f"/api/incidents/inbox/{r.pk}/").status_code == 404
    for action, payload in [
        ("status", {"status": "przyjete"}),
        ("assign", {"assignee": "urzednik-b"}),
        ("forward", {"unit": world.office_b.pk}),
    ]:
        resp = client.post(f"/api/incidents/inbox/{r.pk}/{action}/", payload, content_type="application/json")
        assert resp.status_code == 404, action
    r.refresh_from_db()
    assert r.status == "nowe" and r.responsible_unit == world.roads_dept_a
    client.force_login(staff_a)
    assert client.get("/api/incidents/inbox/").json()["count"] == 1


def test_central_unit_sees_all(client, world, central):
    report(world)
    report(world, x=4_500)
    client.force_login(central)
    assert client.get("/api/incidents/inbox/", {"gmina": "069901_1"}).json()["count"] == 1
    assert client.get("/api/incidents/inbox/", {"gmina": "069902_2"}).json()["count"] == 1


def test_anonymous_gets_nothing(client, world):
    report(world)
    assert client.get("/api/incidents/inbox/").status_code in (401, 403)


def test_status_change_mailed_audited_and_public_note_only_in_tracking(
    client, world, staff_a, django_capture_on_commit_callbacks
):
    r = report(world)
    client.force_login(staff_a)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            f"/api/incidents/inbox/{r.pk}/status/",
            {
                "status": "w_realizacji",
                "public_note": "Ekipa wyjedzie w czwartek.",
                "internal_note": "Brygada 3, koszt 400 zł",
            },
            content_type="application/json",
        )
    assert resp.status_code == 200, resp.content
    assert len(mail.outbox) == 1
    m = mail.outbox[0]
    assert m.to == ["jan@example.org"] and "w realizacji" in m.subject and "czwartek" in m.body
    assert "Brygada" not in m.body
    assert AuditLog.objects.filter(model="incidents.report", object_id=str(r.pk), action="update").exists()
    client.logout()
    t = client.get(f"/api/incidents/track/{r.token}/").content.decode()
    assert "czwartek" in t and "Brygada" not in t and "urzednik-a" not in t


def test_bad_status_input(client, world, staff_a):
    r = report(world)
    client.force_login(staff_a)
    for payload in (
        {"status": "nie-ma"},
        {"status": "przyjete", "public_note": "x" * 4001},
        {"status": "duplikat"},
    ):
        resp = client.post(f"/api/incidents/inbox/{r.pk}/status/", payload, content_type="application/json")
        assert resp.status_code == 400, payload
    assert Report.objects.get(pk=r.pk).status == "nowe"


def test_recategorise_reroutes_and_history_keeps_both_bodies(client, world, staff_a):
    r = report(world, x=100, y=1_010)  # county road: PZD
    assert r.responsible_unit == world.pzd
    client.force_login(staff_a)
    resp = client.post(
        f"/api/incidents/inbox/{r.pk}/forward/", {"category": "t-cmentarz"}, content_type="application/json"
    )
    assert resp.status_code == 200, resp.content
    r.refresh_from_db()
    assert r.category == world.grave_cat and r.responsible_unit == world.office_a
    change = StatusChange.objects.get(report=r, kind="recategorise")
    assert change.unit_before == world.pzd and change.unit_after == world.office_a
    assert change.category_before == world.pothole
    # Forward to a named unit; another gmina's unit is refused.
    bad = client.post(
        f"/api/incidents/inbox/{r.pk}/forward/", {"unit": world.office_b.pk}, content_type="application/json"
    )
    assert bad.status_code == 400
    ok = client.post(
        f"/api/incidents/inbox/{r.pk}/forward/", {"unit": world.tauron.pk}, content_type="application/json"
    )
    assert ok.status_code == 200
    units = [(h["unit_before"], h["unit_after"]) for h in ok.json()["history"] if h["kind"] != "created"]
    assert units == [("Powiatowy Zarząd Dróg", "Urząd Miasta A"), ("Urząd Miasta A", "TAURON Dystrybucja")]


def test_merge_duplicates(client, world, staff_a, staff_b):
    main, dup = report(world), report(world, x=110)
    client.force_login(staff_a)
    resp = client.post(
        f"/api/incidents/inbox/{dup.pk}/merge/", {"into": main.pk}, content_type="application/json"
    )
    assert resp.status_code == 200
    dup.refresh_from_db()
    main.refresh_from_db()
    assert dup.status == "duplikat" and dup.duplicate_of == main and main.me_too_count == 1
    other = report(world, x=4_500)
    resp = client.post(
        f"/api/incidents/inbox/{main.pk}/merge/", {"into": other.pk}, content_type="application/json"
    )
    assert resp.status_code == 404  # staff of A do not see B's report at all


def test_inbox_filters_and_sort(client, world, staff_a):
    old = report(world)
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    new = report(world, category=world.grave_cat, x=3_200, y=3_200)
    client.force_login(staff_a)
    ids = [r["id"] for r in client.get("/api/incidents/inbox/").json()["results"]]
    assert ids == [old.pk, new.pk]
    ids = [r["id"] for r in client.get("/api/incidents/inbox/", {"sort": "-age"}).json()["results"]]
    assert ids == [new.pk, old.pk]
    assert client.get("/api/incidents/inbox/", {"category": "t-cmentarz"}).json()["count"] == 1
    assert client.get("/api/incidents/inbox/", {"status": "zrealizowane"}).json()["count"] == 0
    from .conftest import wgs

    s, w = wgs(3_100, 3_100)
    n, e = wgs(3_300, 3_300)
    assert client.get("/api/incidents/inbox/", {"bbox": f"{w},{s},{e},{n}"}).json()["count"] == 1
    assert client.get("/api/incidents/inbox/", {"bbox": "1,2,3"}).status_code == 400


def test_overdue(client, world, staff_a, staff_b):
    from incidents.models import CategorySetting

    r = report(world)
    fresh = report(world, category=world.grave_cat, x=3_200, y=3_200)
    Report.objects.filter(pk__in=[r.pk, fresh.pk]).update(
        status_changed_at=timezone.now() - dt.timedelta(days=5)
    )
    CategorySetting.objects.create(gmina=world.a, category=world.pothole, overdue_days=3)
    client.force_login(staff_a)
    out = client.get("/api/incidents/overdue/").json()
    assert [x["id"] for x in out["results"]] == [r.pk]
    client.force_login(staff_b)
    assert client.get("/api/incidents/overdue/").json()["count"] == 0


def test_actions_refuse_bad_bodies_with_the_field_named_and_change_nothing(client, world, staff_a, staff_b):
    r = report(world)
    other = report(world, x=4_500)  # gmina B's report
    client.force_login(staff_a)
    for action, payload, status, words in [
        ("status", {"status": "zamkniete"}, 400, "status:"),
        ("status", {"status": "duplikat"}, 400, "status:"),
        ("assign", {"assignee": "nie-ma-takiego"}, 400, "assignee: nie ma takiego użytkownika."),
        ("forward", {"unit": 10**12}, 400, "unit: nie ma takiej jednostki."),
        ("forward", {"category": "nie-ma"}, 400, "category: nie ma takiej kategorii."),
        ("forward", {"unit": world.office_b.pk}, 400, "innej gminy"),
        ("forward", {}, 400, "Podaj jednostkę albo nową kategorię."),
        ("merge", {"into": other.pk}, 404, "Nie ma takiego zgłoszenia."),
        ("merge", {"into": "x"}, 400, "into:"),
    ]:
        resp = client.post(f"/api/incidents/inbox/{r.pk}/{action}/", payload, content_type="application/json")
        assert resp.status_code == status, (action, payload, resp.content)
        assert words in str(resp.json()["detail"]), (action, payload, resp.json())
    r.refresh_from_db()
    assert r.status == "nowe" and r.responsible_unit == world.roads_dept_a and r.assignee_id is None
    assert not StatusChange.objects.filter(report=r).exclude(kind="created").exists()
    # Each action answers the report's detail.
    resp = client.post(
        f"/api/incidents/inbox/{r.pk}/assign/", {"assignee": "urzednik-a"}, content_type="application/json"
    )
    assert resp.status_code == 200 and resp.json()["assignee"] == "urzednik-a" and "history" in resp.json()
    resp = client.post(
        f"/api/incidents/inbox/{r.pk}/assign/", {"assignee": ""}, content_type="application/json"
    )
    assert resp.status_code == 200 and resp.json()["assignee"] is None
