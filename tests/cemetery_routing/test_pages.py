"""Public pages: the grave card with burials, photos and route; cemetery pages; geoportal link."""

import re
from datetime import date

from cemetery_routing import services
from cemetery_routing.models import Grave, GravePhoto


def test_grave_card(client, editor, test_cemetery):
    grave = test_cemetery.graves.order_by("number").first()
    services.add_burial(
        actor=editor,
        grave=grave,
        first_name="Józefa",
        surname="Łęcka",
        family_name="Wiśniewska",
        birth_date=date(1921, 3, 12),
        death_date=date(1999, 1, 5),
        burial_date=date(1999, 1, 9),
        record="Nauczycielka muzyki.",
    )
    resp = client.get(f"/cmentarze/grob/{grave.pk}/")
    text = resp.content.decode()
    assert resp.status_code == 200
    assert "Józefa Łęcka z d. Wiśniewska" in text and "Nauczycielka muzyki." in text
    assert "12 marca 1921" in text and "pochowana 9 stycznia 1999" in text
    assert "Kwatera A, rząd 1, grób 1" in text
    assert f"/api/cemetery/graves/{grave.pk}/route/" in text
    assert re.search(r'href="geo:\d+\.\d{7},\d+\.\d{7}\?q=', text)
    assert "Od mojego położenia" in text and "bez schodów" in text


def test_unknown_grave_card_is_404(client, db):
    assert client.get("/cmentarze/grob/987654321/").status_code == 404
    assert client.get("/api/cemetery/graves/987654321/").status_code == 404


def test_demo_card_with_photos_and_cemetery_pages(client, demo_data, db):
    photo = GravePhoto.objects.select_related("grave__cemetery").filter(kind="ground").first()
    grave = photo.grave
    text = client.get(f"/cmentarze/grob/{grave.pk}/").content.decode()
    assert photo.image.url in text and "Z ziemi" in text
    assert client.get(photo.image.url).status_code in (200, 404)  # served by nginx in production
    page = client.get(f"/cmentarze/{grave.cemetery.slug}/").content.decode()
    assert grave.cemetery.name in page and "Ortofotomapa z drona" not in page  # drawn by JS from the map data
    data = client.get(f"/api/cemetery/cemeteries/{grave.cemetery.slug}/map/").json()
    assert data["orthophoto"]["url"].endswith(".jpg") and len(data["gates"]["features"]) == 4
    index = client.get("/cmentarze/?gmina=020101_1").content.decode()
    assert "Cmentarz Komunalny w Bolesławcu" in index and "Nowogrodźcu" not in index
    geoportal = client.get("/boleslawiec/").content.decode()
    assert 'href="/cmentarze/?gmina=020101_1"' in geoportal
    # Every page of the frame names its language switch (it was an empty button on these two).
    for html in (page, index, text):
        assert '<button name="language" value="en" lang="en" type="submit">English</button>' in html


def test_demo_volumes(demo_data, db):
    from cemetery_routing.models import Burial, Cemetery

    big = Cemetery.objects.get(slug="cmentarz-komunalny-boleslawiec")
    assert 4900 <= big.graves.count() <= 5100
    assert 7500 <= Burial.objects.filter(grave__cemetery=big).count() <= 8600
    assert big.edges.count() >= 1000 and big.gates.count() >= 3
    assert Cemetery.objects.count() >= 2
    assert Grave.objects.filter(status="free").exists() and Grave.objects.filter(status="reserved").exists()
    assert Burial.objects.filter(surname__regex=r"[ąćęłńóśźż]").count() > 1000


def test_demo_cemeteries_are_deterministic_and_idempotent(demo_data, db):
    from django.db import connection

    from fixtures.demo import cemeteries

    def fingerprint():
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*), md5(string_agg(c.slug || s.name || g.row || g.number || ST_AsText(g.geom) "
                "|| coalesce(b.surname || b.first_name || b.death_date::text || b.birth_date::text, ''), ',' "
                "ORDER BY c.slug, s.name, g.row, g.number, b.burial_date, b.first_name, b.surname, "
                "b.birth_date)) "
                "FROM cemetery_routing_grave g JOIN cemetery_routing_section s ON s.id = g.section_id "
                "JOIN cemetery_routing_cemetery c ON c.id = g.cemetery_id "
                "LEFT JOIN cemetery_routing_burial b ON b.grave_id = g.id"
            )
            return cur.fetchone()

    before = fingerprint()
    cemeteries.load(lambda items, desc: items)
    assert fingerprint() == before


def test_geoportal_search_finds_graves_with_a_link_to_the_card(client, demo_data, db):
    from cemetery_routing.models import Burial

    burial = (
        Burial.objects.filter(grave__cemetery__slug="cmentarz-komunalny-boleslawiec", is_public=True)
        .exclude(surname__in=["Nowak", "Kowalski"])
        .order_by("pk")
        .first()
    )
    q = f"{burial.surname} {burial.first_name}"
    resp = client.get("/api/geoportal/search/", {"q": q, "gmina": "boleslawiec"})
    assert resp.status_code == 200
    graves = [r for r in resp.json()["results"] if r["kind"] == "grave"]
    assert any(r["url"] == f"/cmentarze/grob/{burial.grave_id}/" for r in graves)
    assert all(r["kind_label"] == "Grób" and r["geometry"]["type"] == "Point" for r in graves)
    # Another gmina's geoportal does not list Bolesławiec's graves.
    other = client.get("/api/geoportal/search/", {"q": q, "gmina": "nowogrodziec"}).json()["results"]
    assert not any(r.get("url") == f"/cmentarze/grob/{burial.grave_id}/" for r in other)
    page = client.get("/boleslawiec/").content.decode()
    assert "cemetery_routing/portal-graves.js" in page
