"""Grave search: typo-tolerant, diacritics-insensitive, ranked, public records only."""

from datetime import date

import pytest

from cemetery_routing.models import Burial, NameToken


@pytest.fixture
def people(test_cemetery):
    graves = list(test_cemetery.graves.order_by("number"))
    rows = [
        ("Łukasz", "Wójcik", "", date(1950, 3, 1), date(2001, 5, 2), True),
        ("Lukasz", "Wojcik", "", date(1931, 1, 1), date(1990, 7, 7), True),
        ("Zofia", "Wujcik", "Brzęczyszczykiewicz", date(1944, 2, 2), date(2015, 9, 9), True),
        ("Grzegorz", "Brzęczyszczykiewicz", "", date(1920, 1, 1), date(1980, 1, 1), True),
        ("Małgorzata", "Żółkiewska", "Śliwińska", date(1938, 4, 4), date(2020, 2, 2), True),
        ("Tajemnica", "Niepubliczna", "", date(1930, 1, 1), date(2000, 1, 1), False),
    ]
    out = {}
    for grave, (first, surname, family, born, died, public) in zip(graves, rows, strict=True):
        out[surname] = Burial.objects.create(
            grave=grave,
            first_name=first,
            surname=surname,
            family_name=family,
            birth_date=born,
            death_date=died,
            is_public=public,
        )
    return out


def find(client, q, **params):
    resp = client.get("/api/cemetery/graves/", {"q": q, "cemetery": "cmentarz-testowy", **params})
    assert resp.status_code == 200, resp.json()
    return [f["properties"]["full_name"] for f in resp.json()["features"]]


def test_name_words_are_collected_by_the_database_trigger(people):
    tokens = set(NameToken.objects.values_list("token", flat=True))
    assert {"lukasz", "wojcik", "wujcik", "brzeczyszczykiewicz", "zolkiewska", "sliwinska"} <= tokens


def test_the_refold_migration_rewrites_name_words_of_an_older_fold(client, people):
    """cemetery_routing 0007: words stored by an older fold are written again by today's, and a
    word no burial holds any more leaves the search's word list."""
    import importlib

    from django.db import connection

    from cemetery_routing.models import name_tokens

    migration = importlib.import_module("cemetery_routing.migrations.0007_refold_burial_search_names")
    stale = people["Żółkiewska"]
    # What the fold before sip 0012 kept: the en dash of a double surname as it was written.
    Burial.objects.filter(pk=stale.pk).update(search_names=["żółkiewska–śliwińska"])
    assert NameToken.objects.filter(token="żółkiewska–śliwińska").exists()  # the trigger's
    assert find(client, "Żółkiewska") == []
    with connection.cursor() as cursor:
        cursor.execute(migration.REFOLD)
    stale.refresh_from_db()
    assert stale.search_names == ["zolkiewska", "malgorzata", "sliwinska"]
    # The SQL's words are Python's (name_tokens) for every burial, none rewritten needlessly.
    for burial in Burial.objects.all():
        assert burial.search_names == name_tokens(burial.surname, burial.first_name, burial.family_name)
    assert not NameToken.objects.filter(token="żółkiewska–śliwińska").exists()
    assert {"zolkiewska", "sliwinska"} <= set(NameToken.objects.values_list("token", flat=True))
    assert find(client, "Żółkiewska") == ["Małgorzata Żółkiewska z d. Śliwińska"]


def test_with_and_without_diacritics(client, people):
    assert find(client, "Łukasz Wójcik")[0] == "Łukasz Wójcik"
    assert find(client, "lukasz wojcik")[0] == "Lukasz Wojcik"
    assert set(find(client, "lukasz wojcik")[:2]) == {"Łukasz Wójcik", "Lukasz Wojcik"}
    assert find(client, "ZOLKIEWSKA")[0] == "Małgorzata Żółkiewska z d. Śliwińska"
    assert find(client, "sliwinska") == ["Małgorzata Żółkiewska z d. Śliwińska"]


def test_exact_spelling_ranks_first(client, people):
    assert find(client, "Wójcik")[:2] == ["Łukasz Wójcik", "Lukasz Wojcik"]
    assert find(client, "Wojcik")[:2] == ["Lukasz Wojcik", "Łukasz Wójcik"]
    # Wujcik is one letter from Wójcik: found, but after the exact Wujcik.
    names = find(client, "Wujcik")
    assert names[0] == "Zofia Wujcik z d. Brzęczyszczykiewicz"
    assert "Łukasz Wójcik" in names and "Lukasz Wojcik" in names


@pytest.mark.parametrize(
    "typo",
    [
        "Brzeczyszczykiewic",
        "Brzeczyszczykiewiczz",
        "Brzeczyszczikiewicz",
        "Brzęczyszczykeiwicz",
        "Grzegoż Brzęczyszczykiewicz",
    ],
)
def test_one_letter_typos(client, people, typo):
    assert "Grzegorz Brzęczyszczykiewicz" in find(client, typo)


def test_surname_match_before_family_name_match(client, people):
    names = find(client, "Brzęczyszczykiewicz")
    assert names == ["Grzegorz Brzęczyszczykiewicz", "Zofia Wujcik z d. Brzęczyszczykiewicz"]


def test_years_and_filters(client, people):
    assert find(client, "Wójcik 1950") == ["Łukasz Wójcik"]
    assert find(client, "Wojcik", died=1990) == ["Lukasz Wojcik"]
    assert find(client, "Wojcik", born=1931) == ["Lukasz Wojcik"]
    assert find(client, "xqzv") == []


def test_non_public_records_are_not_found(client, people):
    assert find(client, "Niepubliczna") == []
    assert find(client, "Tajemnica") == []


def test_hits_carry_the_grave_location(client, people, test_cemetery):
    resp = client.get("/api/cemetery/graves/", {"q": "Żółkiewska", "srid": 2180})
    feature = resp.json()["features"][0]
    grave = people["Żółkiewska"].grave
    assert feature["geometry"]["coordinates"] == pytest.approx([grave.geom.x, grave.geom.y], abs=0.001)
    assert feature["properties"]["grave"]["label"] == "kwatera A, rząd 1, grób 5"
    assert feature["properties"]["grave"]["card_url"] == f"/cmentarze/grob/{grave.pk}/"


def test_bad_queries(client, people):
    assert client.get("/api/cemetery/graves/", {"q": ""}).status_code == 400
    assert client.get("/api/cemetery/graves/", {"q": "1950"}).status_code == 400
    assert client.get("/api/cemetery/graves/", {"q": "Nowak", "cemetery": "nie-ma"}).status_code == 404
    assert client.get("/api/cemetery/graves/", {"q": "Nowak", "born": "abc"}).status_code == 400


def test_search_in_the_demo_data(client, demo_data, db):
    resp = client.get(
        "/api/cemetery/graves/", {"q": "kowalska", "cemetery": "cmentarz-komunalny-boleslawiec"}
    )
    features = resp.json()["features"]
    assert len(features) == 20
    assert all(f["properties"]["edits"] == 0 for f in features)
    assert any(f["properties"]["surname"] == "Kowalska" for f in features)


def test_grave_search_counts_with_its_page_and_reads_graves_by_id(client, demo_data, db):
    """numberMatched comes with the page of graves (a window over the groups), every page says
    the same number as a count of the graves holding a match, and the winners' graves are read
    by their ids (no query of burials joined to every grave); past the end the count still holds."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cemetery_routing.search import matching_tokens, search_graves

    q = {"q": "kowalska", "cemetery": "cmentarz-komunalny-boleslawiec"}
    # The graves of the cemetery holding a public burial with a name word that "kowalska" may
    # mean (typos and prefixes: the name words are tested above), counted here in Python.
    (words,) = matching_tokens(("kowalska",))
    burials = Burial.objects.filter(is_public=True, grave__cemetery__slug=q["cemetery"])
    oracle = len(
        {b.grave_id for b in burials.only("grave_id", "search_names") if set(b.search_names) & set(words)}
    )
    assert oracle > 20
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/api/cemetery/graves/", {**q, "limit": 20}).json()
    sqls = [c["sql"] for c in queries.captured_queries]
    assert first["numberMatched"] == oracle
    assert not any(s.startswith("SELECT COUNT(") for s in sqls), sqls
    # The winners' rows (every column of the burial) without a join.
    winners = 'SELECT "cemetery_routing_burial"."id", "cemetery_routing_burial"."grave_id"'
    rows = [s for s in sqls if s.startswith(winners)]
    assert rows and not [s for s in rows if "JOIN" in s], rows
    seen = [f["id"] for f in first["features"]]
    for offset in (20, oracle - 3, oracle + 5):
        page = client.get("/api/cemetery/graves/", {**q, "limit": 20, "offset": offset}).json()
        assert page["numberMatched"] == oracle, offset
        if offset == 20:
            seen += [f["id"] for f in page["features"]]
    assert len(set(seen)) == len(seen) == 40
    assert search_graves("kowalska", cemetery_id=-1) == (0, [])
