"""Search and the landing page stay flat as the parcels grow: the plans that went wrong at
1.5M parcels (a GROUP BY over every parcel, one query per address found, JIT compilation of
short lookups) are pinned here by what they do, not by timings."""

import pytest
from django.db import connection
from django.db.models import Count, F, Value
from django.test.utils import CaptureQueriesContext

from sip.dbfunctions import Fold
from sip.models import AddressPoint, Gmina, Obreb, Parcel, Street
from sip.selectors import parcels_by_number_and_obreb
from sip.text import fold

pytestmark = pytest.mark.django_db


def test_sessions_run_without_jit_or_parallel_workers(db):
    with connection.cursor() as cur:
        cur.execute("SHOW jit")
        assert cur.fetchone()[0] == "off"
        cur.execute("SHOW max_parallel_workers_per_gather")
        assert cur.fetchone()[0] == "0"


def test_mapserver_connections_get_the_same_session_options():
    from layers.render.mapfile import postgis_connection

    assert "max_parallel_workers_per_gather=0" in postgis_connection()


def test_landing_page_counts_parcels_without_grouping_them(client, demo_data):
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/").content.decode()
    for gmina in Gmina.objects.all():
        count = Parcel.objects.filter(gmina=gmina).count()
        assert f"TERYT {gmina.teryt}, {count} " in page
    gmina_queries = [q["sql"] for q in queries.captured_queries if 'FROM "sip_gmina"' in q["sql"]]
    assert gmina_queries and not any('GROUP BY "sip_gmina"' in q for q in gmina_queries)
    # The counts are kept for a few minutes: the next visit does not read the parcels again.
    with CaptureQueriesContext(connection) as again:
        page = client.get("/").content.decode()
    for gmina in Gmina.objects.all():
        assert f"TERYT {gmina.teryt}, {Parcel.objects.filter(gmina=gmina).count()} " in page
    assert not [q for q in again.captured_queries if "sip_parcel" in q["sql"]]


def test_address_search_reads_the_parcels_of_a_page_in_one_query(client, demo_data):
    # A street with addresses on several parcels (the first by name): a page of them.
    streets = AddressPoint.objects.filter(street__isnull=False).values("street")
    busy = streets.annotate(n=Count("id")).filter(n__gte=3).order_by("street__name")
    street = Street.objects.get(pk=busy.first()["street"])
    with CaptureQueriesContext(connection) as queries:
        resp = client.get("/api/parcels/", {"q": street.name.removeprefix("ul. ")})
    features = resp.json()["features"]
    assert len(features) >= 2
    parcel_reads = [q for q in queries.captured_queries if q["sql"].startswith('SELECT "sip_parcel"."id"')]
    assert len(parcel_reads) <= 2, [q["sql"][:120] for q in parcel_reads]
    for f in features:
        parcel = Parcel.objects.get(identifier=f["properties"]["identifier"])
        label = f["properties"]["match"]
        assert any(parcel.geom.contains(a.geom) for a in AddressPoint.objects.filter(street=street)), label


def test_number_and_obreb_search_can_use_the_folded_name_index(demo_data):
    # The obręb condition of the search as the selector writes it; with sequential and plain
    # index scans off, only a bitmap scan of an index on sip_fold(name) can answer it (the
    # planner's choice for the whole search depends on the data's statistics).
    qs = Obreb.objects.annotate(obreb_name=Fold(F("name"))).filter(
        obreb_name__contains=Fold(Value("kruszyn"))
    )
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("SET LOCAL enable_indexscan = off")
        plan = qs.explain()
    assert "obreb_name_folded_trgm" in plan


def test_obreb_name_is_found_without_diacritics(demo_data):
    obreb = Obreb.objects.filter(name__regex="^[^0-9]*[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ][^0-9]*$").order_by("id").first()
    parcel = Parcel.objects.filter(obreb=obreb).order_by("id").first()
    plain = fold(obreb.name)
    assert plain != obreb.name.lower()
    found = parcels_by_number_and_obreb(f"{parcel.number} {plain.upper()}")
    assert parcel in found


def _plain_word_match(query: str, gmina: Gmina | None) -> set[int]:
    """The search's definition, without its street-first shortcut: every word of the query in
    the address's folded "street number locality", and a parcel of its gmina under the address."""
    found = set()
    addresses = AddressPoint.objects.select_related("street")
    for a in addresses.filter(gmina=gmina) if gmina else addresses:
        text = fold(
            " ".join(p for p in (a.street.name if a.street else None, a.house_number, a.locality) if p)
        )
        if all(w in text for w in fold(query).split()):
            found.add(a.id)
    with_parcel = {
        a.id
        for a in AddressPoint.objects.filter(id__in=found)
        if Parcel.objects.filter(gmina=a.gmina_id, geom__contains=a.geom).exists()
    }
    return with_parcel


@pytest.mark.parametrize(
    "query",
    [
        "Garncarska 12",
        "garncarska",
        "Kruszyn 5",
        "12 Bolesławiec",
        "ul. 1",
        "ŁUKASIEWICZA 3",
        "ska 1",
        "żerom",
    ],
)
def test_street_first_address_search_finds_what_the_words_define(demo_data, query):
    from sip.selectors import _addresses_with_parcel

    gmina = Gmina.objects.get(slug="boleslawiec")
    for scope in (gmina, None):
        assert {a.id for a in _addresses_with_parcel(query, scope)} == _plain_word_match(query, scope), scope


def test_street_and_locality_names_fold_in_the_database_as_in_python(demo_data):
    # The street-first search finds streets and localities by sip_fold() and checks words
    # folded by sip.text.fold: both must agree on every name, and on every Polish letter.
    letters = "ĄĆĘŁŃÓŚŹŻąćęłńóśźż"
    with connection.cursor() as cur:
        cur.execute("SELECT sip_fold(%s)", [letters])
        assert cur.fetchone()[0] == fold(letters)
        cur.execute("SELECT name, sip_fold(name) FROM sip_street")
        rows = cur.fetchall()
        cur.execute("SELECT DISTINCT locality, sip_fold(locality) FROM sip_addresspoint")
        rows += cur.fetchall()
    assert rows and all(folded == fold(name) for name, folded in rows)


def test_address_search_starts_from_the_lead_words_trigrams(demo_data):
    """The candidates: the addresses whose text holds the words with letters (their trigrams);
    the other words ("12": no trigram) are checked on those rows only, never through an index,
    and no street is looked up first."""
    from sip.selectors import _addresses_with_parcel

    with CaptureQueriesContext(connection) as queries:
        found = list(_addresses_with_parcel("Garncarska 12", None))
    # One query: the page with its streets' names (no street lookup first, no second trip).
    assert found and len(queries.captured_queries) == 1
    assert all(a.label.startswith(f"{a.street.name} ") for a in found if a.street_id)
    # The street's other columns are read on demand, as after only(): never made up.
    street = next(a.street for a in found if a.street_id)
    assert street.gmina_id == Street.objects.get(pk=street.pk).gmina_id
    assert not any('FROM "sip_street" WHERE sip_fold' in q["sql"] for q in queries.captured_queries)
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        plan = _addresses_with_parcel("Garncarska 12", None).explain()
    conditions = [line for line in plan.splitlines() if "Index Cond" in line]
    assert "address_search_trgm" in plan, plan
    assert any("%garncarska%" in c for c in conditions) and not any("%12%" in c for c in conditions), plan
    # Every word with letters goes to the index, which intersects their trigrams: the locality
    # beside the street does not make the candidates every address of the town.
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        plan = _addresses_with_parcel("Garncarska 12 Bolesławiec", None).explain()
    conditions = " ".join(line for line in plan.splitlines() if "Index Cond" in line)
    assert "%garncarska%" in conditions and "%boleslawiec%" in conditions, plan
    assert "%12%" not in conditions, plan


def test_a_word_common_to_many_streets_finds_what_the_words_define(demo_data):
    """A word common to hundreds of streets (a short word over a national street table): the
    answer is the words' and the candidates come from the trigram index, with no list of
    street ids in the query."""
    from sip.models import Street
    from sip.selectors import _addresses_with_parcel

    gmina = Gmina.objects.get(slug="boleslawiec")
    x0, y0, _, _ = gmina.boundary.extent
    streets = Street.objects.bulk_create(
        Street(
            gmina=gmina,
            name=f"ul. Wspólna Testowa {i}",
            geom=f"SRID=2180;MULTILINESTRING(({x0} {y0}, {x0 + 1} {y0}))",
        )
        for i in range(600)
    )
    parcels = list(Parcel.objects.filter(gmina=gmina).order_by("id")[:30])
    for i, parcel in enumerate(parcels):
        AddressPoint(
            gmina=gmina,
            locality=gmina.name,
            street=streets[i * 7],
            house_number=str(i % 4 + 1),
            postcode="59-700",
            geom=parcel.geom.point_on_surface,
        ).save()
    for query in ("wspolna testowa 2", "Testowa 1", "WSPÓLNA"):
        for scope in (gmina, None):
            with CaptureQueriesContext(connection) as queries:
                found = {a.id for a in _addresses_with_parcel(query, scope)}
            assert found == _plain_word_match(query, scope), (query, scope)
            assert found, query
            assert not any('"street_id" IN' in q["sql"] for q in queries.captured_queries), query
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        plan = _addresses_with_parcel("Testowa 1", None).explain()
    assert "address_search_trgm" in plan, plan


def _landing(client) -> tuple[int, dict]:
    """(queries, the outlines' FeatureCollection) of one visit of the landing page."""
    import json

    with CaptureQueriesContext(connection) as queries:
        page = client.get("/").content.decode()
    raw = page.split('<script id="outlines" type="application/json">')[1].split("</script>")[0]
    return len(queries.captured_queries), json.loads(raw)


def test_landing_page_queries_do_not_grow_with_the_gminas(client):
    from django.core.cache import cache

    from tests.conftest import GminaFactory, ParcelFactory

    ParcelFactory.create_batch(3)
    _landing(client)  # what a process reads once (not the landing page's)
    cache.clear()
    cold, outlines = _landing(client)
    warm, _ = _landing(client)
    assert len(outlines["features"]) == Gmina.objects.count() and cold > warm >= 1
    GminaFactory.create_batch(12)
    ParcelFactory.create_batch(3)
    cache.clear()
    assert _landing(client)[0] == cold
    queries, outlines = _landing(client)
    assert queries == warm and len(outlines["features"]) == Gmina.objects.count()


def _east(geometry: dict) -> float:
    """The largest longitude of a GeoJSON (multi)polygon."""

    def points(c):
        return [c] if isinstance(c[0], float) else [p for part in c for p in points(part)]

    return max(x for x, _ in points(geometry["coordinates"]))


def test_landing_page_shows_a_changed_or_new_gmina_at_once(client):
    from tests.conftest import GminaFactory, square

    gmina = GminaFactory()
    _, before = _landing(client)
    (outline,) = [f for f in before["features"] if f["properties"]["url"] == f"/{gmina.slug}/"]
    # Twice as wide and renamed: the kept outline of the old row version is not used.
    x0, y0, x1, _ = gmina.boundary.extent
    gmina.boundary = square(x0, y0, 2 * (x1 - x0))
    gmina.name = "Gmina przemianowana"
    gmina.save()
    added = GminaFactory()
    _, after = _landing(client)
    (changed,) = [f for f in after["features"] if f["properties"]["url"] == f"/{gmina.slug}/"]
    assert changed["properties"]["name"] == "Gmina przemianowana"
    assert _east(changed["geometry"]) > _east(outline["geometry"]) + 0.04  # 4 km at 51° N: 0.057°
    assert any(f["properties"]["url"] == f"/{added.slug}/" for f in after["features"])


@pytest.mark.parametrize("query", ["Garncarska 12", "Kruszyn 1"])
def test_search_pages_agree_with_the_number_matched(client, demo_data, query):
    """numberMatched comes with the address page (a window count) or from a count when the page
    holds none: every page says the same number, and the pages add up to the whole answer."""
    whole = client.get("/api/parcels/", {"q": query, "limit": 100}).json()
    total = whole["numberMatched"]
    addresses = [f for f in whole["features"] if "," in f["properties"]["match"]]
    assert 7 < total <= 100 and len(whole["features"]) == total
    assert len(addresses) == len(_plain_word_match(query, None))
    seen = []
    for offset in range(0, total + 7, 7):
        page = client.get("/api/parcels/", {"q": query, "limit": 7, "offset": offset}).json()
        assert page["numberMatched"] == total, offset
        seen += [(f["id"], f["properties"]["match"]) for f in page["features"]]
    assert seen == [(f["id"], f["properties"]["match"]) for f in whole["features"]]


def test_the_address_with_the_typed_number_comes_first(client, demo_data):
    """ "Garncarska 12" lists Garncarska 12 before 112 and 120–129, which hold the same digits;
    "Konstytucji 3 Maja 5" lists number 5 before 15 and 25 (the 3 in the name is not the number)."""
    checked = 0
    for number, longer in (("12", "112"), ("5", "15")):
        streets = AddressPoint.objects.filter(house_number=number, street__isnull=False).values("street")
        for street in Street.objects.filter(
            pk__in=streets, addresspoint__house_number=longer, addresspoint__parcel__isnull=False
        ).distinct()[:3]:
            words = street.name.removeprefix("ul. ")
            features = client.get("/api/parcels/", {"q": f"{words} {number}"}).json()["features"]
            labels = [f["properties"]["match"] for f in features]
            assert any(f"{street.name} {longer}," in label for label in labels), labels
            assert labels[0].startswith(f"{street.name} {number},"), labels
            checked += 1
    assert checked >= 2


def _search(client, params) -> tuple[list[str], dict]:
    """(the SQL of one parcel search request, its answer)."""
    with CaptureQueriesContext(connection) as queries:
        resp = client.get("/api/parcels/", params)
    assert resp.status_code == 200, resp.content
    return [q["sql"] for q in queries.captured_queries], resp.json()


def _plain_number_match(number: str, words: str) -> list[str]:
    """The number search's definition: parcels of that number in an obręb whose folded name
    contains the folded words, ordered by gmina TERYT and obręb code."""
    found = [
        p
        for p in Parcel.objects.filter(number=number).select_related("gmina", "obreb")
        if fold(words) in fold(p.obreb.name)
    ]
    return [p.identifier for p in sorted(found, key=lambda p: (p.gmina.teryt, p.obreb.code, p.id))]


@pytest.mark.parametrize("query", ["Kruszyn 1", "Garncarska 12", "5 Kruszyn"])
def test_search_queries_do_not_grow_with_the_matches(client, demo_data, query):
    """A page of one and a page of a hundred cost at most four queries: the count comes with
    each part's page (COUNT(*) OVER ()) and is counted apart only for a part with no row on
    the page, the streets' names come with the addresses, the parcels under them in one query;
    the answer is the number part's definition followed by the addresses'."""
    one, _ = _search(client, {"q": query, "limit": 1})
    many, whole = _search(client, {"q": query, "limit": 100})
    assert len(one) <= 4 and len(many) <= 4, (one, many)
    assert not any("COUNT(*) AS" in sql for sql in many), many
    number, words = (
        next(w for w in query.split() if w[0].isdigit()),
        " ".join(w for w in query.split() if not w[0].isdigit()),
    )
    by_number = _plain_number_match(number, words)
    addresses = _plain_word_match(query, None)
    assert whole["numberMatched"] == len(by_number) + len(addresses) <= 100
    assert [f["id"] for f in whole["features"][: len(by_number)]] == by_number
    assert len(whole["features"]) == whole["numberMatched"]


def test_number_search_reads_no_parcels_without_an_obreb_of_that_name(client, demo_data):
    """ "Garncarska 12": no obręb is called Garncarska, so no parcel is looked up by number (the
    parcels read are those under the addresses found); "Kruszyn 1" does look them up."""
    assert not Obreb.objects.filter(name__icontains="garncarska").exists()
    sqls, answer = _search(client, {"q": "Garncarska 12"})
    assert answer["features"]
    assert not any('"sip_parcel"."number" =' in sql for sql in sqls), sqls
    sqls, answer = _search(client, {"q": "Kruszyn 1"})
    assert any('"sip_parcel"."number" =' in sql for sql in sqls), sqls
    assert answer["features"][0]["properties"]["match"].endswith(" 1")


def test_number_part_counted_past_its_page(client, demo_data):
    """An offset past the parcels found by number still counts them: numberMatched and the
    address page after them are those of the whole answer."""
    whole = client.get("/api/parcels/", {"q": "Kruszyn 1", "limit": 100}).json()
    numbered = sum(1 for f in whole["features"] if "," not in f["properties"]["match"])
    assert numbered >= 1
    page = client.get("/api/parcels/", {"q": "Kruszyn 1", "limit": 2, "offset": numbered + 1}).json()
    assert page["numberMatched"] == whole["numberMatched"]
    assert [f["id"] for f in page["features"]] == [
        f["id"] for f in whole["features"][numbered + 1 : numbered + 3]
    ]
