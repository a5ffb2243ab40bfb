"""Published statistics: seeded small cells (1, 2, k−1) never appear in any public output, no
hidden cell can be solved for, the JSON shape of the issue, residents choose only gmina and year."""

import csv
import io
import json

import pytest
from django.core.cache import cache

from reporting import disclosure, services
from tests.reporting.conftest import cemetery_with_burials
from tests.reporting.test_disclosure import attack

SEEDED = {"A": 1, "B": 2, "C": 4, "D": 9, "E": 12}  # k = 5


@pytest.fixture
def published(town, town_editor):
    cache.clear()
    cemetery_with_burials(town, SEEDED, year=2024)
    by_section = services.save_query(
        user=town_editor, name="Pochówki według kwater", raw={"dataset": "pochowki", "group_by": ["section"]}
    )
    services.publish_query(
        user=town_editor, saved=by_section, slug="pochowki-kwatery", year_dimension="burial_date"
    )
    by_obreb = services.save_query(
        user=town_editor, name="Pochówki według obrębów", raw={"dataset": "pochowki", "group_by": ["obreb"]}
    )
    services.publish_query(user=town_editor, saved=by_obreb, slug="pochowki-obreby")
    return town


def test_json_shape_and_suppression(client, published):
    r = client.get(f"/api/reporting/published/pochowki-kwatery/?gmina={published.slug}")
    assert r.status_code == 200
    data = r.json()
    assert set(data) == {
        "title",
        "dataset",
        "counts_people",
        "k",
        "data_date",
        "dimensions",
        "rows",
        "totals",
    }
    assert data["counts_people"] is True and data["k"] == 5 and data["dimensions"] == ["section"]
    rows = {row["section"]: row for row in data["rows"]}
    for name in ("A", "B", "C"):
        assert rows[name] == {"section": name, "value": None, "suppressed": True}
    assert rows["D"]["value"] == 9 and rows["E"]["value"] == 12
    assert data["totals"] == [{"section": "*", "value": 28, "suppressed": False}]
    published_values = [row["value"] for row in data["rows"] + data["totals"]]
    assert not {1, 2, 4} & set(published_values)


def test_no_hidden_cell_can_be_solved_for(client, published):
    for slug in ("pochowki-kwatery", "pochowki-obreby"):
        data = client.get(f"/api/reporting/published/{slug}/?gmina={published.slug}").json()
        dim = data["dimensions"][0]
        values = {(r[dim],): r["value"] for r in data["rows"]}
        values[("*",)] = data["totals"][0]["value"]
        hidden = {(r[dim],) for r in data["rows"] + data["totals"] if r["suppressed"]}
        assert hidden, json.dumps(data)
        constraints = disclosure.table_constraints([(r[dim],) for r in data["rows"]], 1)
        assert not attack(values, constraints, hidden)


def test_csv_and_geojson_hide_the_small_cells(client, published):
    r = client.get(f"/api/reporting/published/pochowki-kwatery/?gmina={published.slug}&format=csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    values = {line[0]: line[1] for line in lines[1:] if len(line) == 2}
    assert values["A"] == values["B"] == values["C"] == "<5"
    assert values["D"] == "9" and values["razem"] == "28"
    assert not {"1", "2", "4"} & set(values.values())

    g = client.get(f"/api/reporting/published/pochowki-obreby/?gmina={published.slug}&format=geojson")
    assert g.status_code == 200
    features = g.json()["features"]
    got = {f["properties"]["id"].split(".")[1]: f["properties"] for f in features}
    # Obręb 1: A + E = 13, obręb 2: B = 2, obręb 3: C = 4, obręb 4: D = 9.
    assert got["0001"]["value"] == 13 and got["0004"]["value"] == 9
    assert got["0002"]["value"] is None and got["0003"]["value"] is None
    assert got["0002"]["suppressed"] and got["0002"]["label"] == "<5"
    text = json.dumps(g.json())
    assert '"value": 2' not in text and '"value": 4' not in text


def test_chart_and_page_depend_only_on_the_published_table(client, published, town_editor):
    from cemetery_routing.models import Burial

    url = f"/statystyki/pochowki-kwatery/wykres.svg?gmina={published.slug}"
    first = client.get(url).content
    # Cell A goes from 1 to 2 people: what is published does not change (except the total).
    grave = Burial.objects.filter(grave__section__name="A").first().grave
    Burial.objects.create(grave=grave, first_name="Jan", surname="Test", burial_date="2024-05-01")
    cache.clear()
    second = client.get(url).content
    assert first == second
    page = client.get(f"/statystyki/pochowki-kwatery/?gmina={published.slug}").content.decode()
    assert "&lt;5" in page and "k = 5" in page and "Stan danych" in page


def test_residents_choose_gmina_and_year_only(client, published, other_town):
    r = client.get(f"/api/reporting/published/pochowki-kwatery/?gmina={published.slug}&year=2023")
    assert r.status_code == 200 and r.json()["rows"] == []
    r = client.get(f"/api/reporting/published/pochowki-kwatery/?gmina={published.slug}&year=2024")
    assert len(r.json()["rows"]) == 5
    # Published by a gmina's editor: not shown for another gmina.
    assert (
        client.get(f"/api/reporting/published/pochowki-kwatery/?gmina={other_town.slug}").status_code == 404
    )
    assert (
        client.get(f"/api/reporting/published/pochowki-kwatery/?gmina={published.slug}&year=abc").status_code
        == 400
    )
    listing = client.get("/api/reporting/published/").json()
    assert {"pochowki-kwatery", "pochowki-obreby"} <= {p["slug"] for p in listing}


def test_objects_are_not_suppressed(client, town, town_editor):
    cache.clear()
    saved = services.save_query(
        user=town_editor, name="Drzewa", raw={"dataset": "drzewa", "group_by": ["obreb", "species"]}
    )
    services.publish_query(user=town_editor, saved=saved, slug="drzewa-obreby")
    data = client.get(f"/api/reporting/published/drzewa-obreby/?gmina={town.slug}").json()
    assert data["counts_people"] is False
    assert not any(r["suppressed"] for r in data["rows"] + data["totals"])


def test_the_year_list_holds_the_years_with_data_and_the_current_year(client, published):
    import re

    from django.utils import timezone

    from cemetery_routing.models import Burial, Grave

    def years():
        page = client.get(f"/statystyki/pochowki-kwatery/?gmina={published.slug}").content.decode()
        select = re.search(r'<select name="year".*?</select>', page, re.S).group(0)
        return [int(y) for y in re.findall(r'<option value="(\d+)"', select)]

    this_year = timezone.localdate().year
    assert years() == sorted({2024, this_year}, reverse=True)
    grave = Grave.objects.filter(cemetery__gmina=published).first()
    Burial.objects.create(grave=grave, first_name="Jan", surname="Dawny", burial_date="1998-03-01")
    cache.clear()
    assert years() == sorted({2024, 1998, this_year}, reverse=True)
