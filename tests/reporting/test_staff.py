"""The staff side: personal fields refused, tenancy across builder, API, exports and saved
queries, a saved query re-run, export equal to the screen, the audit entry."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from reporting import services
from reporting.models import QueryRun, SavedQuery


def post_query(client, body):
    return client.post("/api/reporting/query/", body, content_type="application/json")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"dataset": "pochowki", "group_by": ["surname"]}, "surname"),
        ({"dataset": "pochowki", "filters": {"first_name": ["Anna"]}}, "first_name"),
        ({"dataset": "pochowki", "group_by": ["birth_date:year"]}, "birth_date"),
        ({"dataset": "drzewa", "measure": "sum:notes"}, "notes"),
        ({"dataset": "sprawy-wypisow", "filters": {"applicant": "Kowalski"}}, "applicant"),
        ({"dataset": "groby", "group_by": ["holder__full_name"]}, "holder__full_name"),
    ],
)
def test_personal_field_refused(client, town_editor, body, field):
    client.force_login(town_editor)
    before = QueryRun.objects.count()
    r = post_query(client, body)
    assert r.status_code == 400
    assert field in r.json()["detail"] and "osobow" in r.json()["detail"]
    assert QueryRun.objects.count() == before


def test_bad_input_is_400_not_500(client, town_editor):
    client.force_login(town_editor)
    for body in (
        {"dataset": "nie-ma"},
        {"dataset": "drzewa", "group_by": ["obreb", "species", "condition"]},
        {"dataset": "drzewa", "filters": {"condition": ["abc"]}},
        {"dataset": "drzewa", "filters": {"surveyed_on": {"from": "2020-13-45"}}},
        {"dataset": "drzewa", "measure": "median:height_m"},
        {"dataset": "sprawy-wypisow", "group_by": ["obreb"]},
    ):
        r = post_query(client, body)
        assert r.status_code == 400, (body, r.content)


def test_api_needs_staff(client, town):
    assert post_query(client, {"dataset": "drzewa"}).status_code in (401, 403)
    assert client.get("/api/reporting/datasets/").status_code in (401, 403)


def test_tenancy_api_builder_exports_saved(client, town, other_town, town_editor, other_editor_r, central):
    client.force_login(town_editor)
    data = post_query(client, {"dataset": "drzewa", "group_by": ["gmina"]}).json()
    assert [r["gmina"] for r in data["rows"]] == [town.teryt]
    # Asking for the other gmina by filter gives nothing.
    data = post_query(
        client, {"dataset": "drzewa", "group_by": ["obreb"], "filters": {"gmina": [other_town.teryt]}}
    ).json()
    assert data["rows"] == []
    csv_text = client.get("/raporty/eksport/csv/?dataset=drzewa&g1=gmina&run=1").content.decode("utf-8-sig")
    assert town.teryt not in csv_text or other_town.teryt not in csv_text
    assert other_town.name not in csv_text
    geo = client.get("/raporty/eksport/geojson/?dataset=drzewa&g1=obreb&run=1").json()
    assert {f["properties"]["id"].split(".")[0] for f in geo["features"]} == {town.teryt}
    # Saved queries: another gmina's shared query is neither listed nor runnable.
    theirs = services.save_query(
        user=other_editor_r, name="Ich drzewa", raw={"dataset": "drzewa"}, shared=True
    )
    assert client.get(f"/raporty/zapytania/{theirs.pk}/").status_code == 404
    assert "Ich drzewa" not in client.get("/raporty/").content.decode()
    # The central unit sees every gmina.
    client.force_login(central)
    data = post_query(client, {"dataset": "drzewa", "group_by": ["gmina"]}).json()
    assert {town.teryt, other_town.teryt} <= {r["gmina"] for r in data["rows"]}


def test_shared_with_colleagues_of_the_same_gmina(client, town, town_editor, town_viewer):
    mine = services.save_query(user=town_editor, name="Wspólne", raw={"dataset": "drzewa"}, shared=True)
    private = services.save_query(user=town_editor, name="Prywatne", raw={"dataset": "drzewa"})
    client.force_login(town_viewer)
    page = client.get("/raporty/").content.decode()
    assert "Wspólne" in page and "Prywatne" not in page
    assert client.get(f"/raporty/zapytania/{mine.pk}/").status_code == 302
    assert client.get(f"/raporty/zapytania/{private.pk}/").status_code == 404


def test_saved_query_rerun_same_result_and_audited(client, town, town_editor):
    client.force_login(town_editor)
    r = client.post(
        "/raporty/zapisz/",
        {
            "name": "Drzewa wg obrębów i gatunków",
            "dataset": "drzewa",
            "g1": "obreb",
            "g2": "species",
            "measure": "count",
        },
    )
    assert r.status_code == 302
    saved = SavedQuery.objects.get(name="Drzewa wg obrębów i gatunków")
    assert saved.params["group_by"] == ["obreb", "species"] and saved.gmina_id == town.pk
    first = client.get(client.get(f"/raporty/zapytania/{saved.pk}/").url).content.decode()
    second = client.get(client.get(f"/raporty/zapytania/{saved.pk}/").url).content.decode()

    def table(html):
        return re.search(r'<table class="result".*?</table>', html, re.S).group(0)

    assert table(first) == table(second)
    run = QueryRun.objects.filter(saved_query=saved).first()
    assert run.user == town_editor and run.dataset == "drzewa" and run.channel == "saved"
    assert run.params["group_by"] == ["obreb", "species"] and run.gmina_id == town.pk
    assert run.row_count == 12  # 4 obręby × 3 species


def test_api_query_audited(client, town, town_editor):
    client.force_login(town_editor)
    post_query(client, {"dataset": "drzewa", "group_by": ["species"], "filters": {"condition": []}})
    run = QueryRun.objects.latest("id")
    assert (run.user, run.dataset, run.channel, run.row_count) == (town_editor, "drzewa", "api", 3)
    assert run.params["group_by"] == ["species"] and run.at is not None


def test_export_equals_the_screen(client, town, town_editor):
    client.force_login(town_editor)
    qs = "dataset=drzewa&g1=obreb&g2=species&measure=count&run=1&order=value_desc"
    html = client.get(f"/raporty/?{qs}").content.decode()
    screen = [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(
            r"<tr[^>]*>(.*?)</tr>", re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1), re.S
        )
    ]
    lines = list(
        csv.reader(
            io.StringIO(client.get(f"/raporty/eksport/csv/?{qs}").content.decode("utf-8-sig")), delimiter=";"
        )
    )
    body = [line for line in lines[1:] if len(line) == 3]
    assert [[c.replace("&quot;", '"') for c in row] for row in screen] == body
    wb = load_workbook(io.BytesIO(client.get(f"/raporty/eksport/xlsx/?{qs}").content))
    xl = [
        [str(c) for c in row]
        for row in wb.active.iter_rows(min_row=3, values_only=True)
        if row and row[0] and len(row) >= 3 and row[2] is not None
    ]
    assert xl == body
    svg = client.get(f"/raporty/eksport/svg/?{qs}")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    png = client.get(f"/raporty/eksport/png/?{qs}")
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    gpkg = client.get("/raporty/eksport/gpkg/?dataset=drzewa&g1=obreb&run=1")
    assert gpkg.status_code == 200 and gpkg.content[:15] == b"SQLite format 3"


def test_saving_under_a_taken_name_says_so_next_to_the_field_and_keeps_what_was_typed(
    client, town, town_editor
):
    client.force_login(town_editor)
    body = {"name": "Drzewa wg obrębów", "dataset": "drzewa", "g1": "obreb", "measure": "count"}
    assert client.post("/raporty/zapisz/", body).status_code == 302
    r = client.post("/raporty/zapisz/", {**body, "g2": "species", "shared": "1"})
    assert r.status_code == 400 and r["Content-Type"].startswith("text/html")
    page = r.content.decode()
    assert re.search(
        r'id="save-name"[^>]*value="Drzewa wg obrębów"[^>]*aria-invalid="true".*?'
        r'id="save-name-error"[^>]*>Masz już zapytanie o tej nazwie\.</p>',
        page,
        re.S,
    ), page
    assert re.search(r'name="shared" value="1" checked', page)
    # The query and its result stay on the page, to be saved under another name.
    assert '<table class="result"' in page
    assert '<input type="hidden" name="g2" value="species">' in page
    assert SavedQuery.objects.filter(owner=town_editor).count() == 1


def test_data_date_in_polish(client, town, town_editor):
    from django.utils import timezone

    from reporting.tables import polish_moment

    assert polish_moment("2026-11-26T08:05:00+00:00") == "26 listopada 2026, 9:05"
    assert polish_moment("2026-07-01T22:30:00+00:00") == "2 lipca 2026, 0:30"  # local time (CEST)
    client.force_login(town_editor)
    page = client.get("/raporty/", {"dataset": "drzewa", "g1": "obreb", "run": "1"}).content.decode()
    today = polish_moment(timezone.now().isoformat())[:-6]  # "26 listopada 2026, " without the time
    assert "Stan danych: <time datetime=" in page and today in page
