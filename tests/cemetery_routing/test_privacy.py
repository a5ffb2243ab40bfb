"""The grave holder (dysponent) is personal data: no public endpoint shows it or even reads it."""

import json
import urllib.request
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cemetery_routing import services
from cemetery_routing.models import Burial, GraveHolder

SECRET = {
    "full_name": "Teofila Dysponencka-Tajna",
    "address": "ul. Prywatna 13/7, 59-700 Bolesławiec",
    "phone": "+48 777 888 999",
    "email": "teofila.tajna@poczta.example",
}


@pytest.fixture
def held_grave(editor, test_cemetery):
    grave = test_cemetery.graves.order_by("number").first()
    services.add_burial(
        actor=editor, grave=grave, first_name="Bronisław", surname="Pochowany", death_date=date(1999, 9, 9)
    )
    services.set_holder(actor=editor, grave=grave, **SECRET)
    return grave


def public_urls(grave):
    slug = grave.cemetery.slug
    return [
        f"/api/cemetery/graves/{grave.pk}/",
        f"/api/cemetery/graves/{grave.pk}/?srid=2180",
        f"/api/cemetery/graves/{grave.pk}/route/",
        f"/api/cemetery/graves/?q=Pochowany&cemetery={slug}",
        f"/api/cemetery/graves/?q=Dysponencka&cemetery={slug}",
        "/api/cemetery/graves/?q=Teofila",
        "/api/cemetery/cemeteries/",
        f"/api/cemetery/cemeteries/{slug}/map/",
        # What the resident app stores on a phone for use without network (issue 19).
        f"/api/cemetery/cemeteries/{slug}/offline/",
        f"/cmentarze/grob/{grave.pk}/",
        f"/cmentarze/{slug}/",
        "/cmentarze/",
        "/api/schema/",
    ]


def leaked(text: str) -> list[str]:
    return [v for v in SECRET.values() if v in text] + [w for w in ("Dysponencka", "777 888") if w in text]


def test_no_public_endpoint_shows_the_holder(client, held_grave):
    assert GraveHolder.objects.get(grave=held_grave).phone == SECRET["phone"]
    for url in public_urls(held_grave):
        resp = client.get(url)
        assert resp.status_code == 200, url
        text = resp.content.decode()
        assert not leaked(text), (url, leaked(text))
        assert '"holder"' not in text and "dysponent" not in text.lower().replace("dysponent grobu", ""), url


def test_the_holder_is_not_searchable(client, held_grave):
    assert client.get("/api/cemetery/graves/", {"q": "Dysponencka Teofila"}).json()["features"] == []
    found = client.get("/api/cemetery/graves/", {"q": "Pochowany"}).json()["features"]
    assert [f["properties"]["full_name"] for f in found] == ["Bronisław Pochowany"]


def test_public_endpoints_never_read_the_holder_table(client, held_grave):
    for url in public_urls(held_grave):
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        sql = " ".join(q["sql"] for q in ctx.captured_queries)
        assert "cemetery_routing_graveholder" not in sql, url


def test_even_a_logged_in_editor_sees_no_holder_on_public_pages(client, editor, held_grave):
    client.force_login(editor)
    for url in public_urls(held_grave)[:10]:
        assert not leaked(client.get(url).content.decode()), url


def test_non_public_burials_stay_off_public_pages(client, editor, held_grave):
    services.add_burial(
        actor=editor, grave=held_grave, first_name="Ukryta", surname="Rodzinna", is_public=False
    )
    for url in public_urls(held_grave):
        assert "Rodzinna" not in client.get(url).content.decode(), url
    assert Burial.objects.filter(surname="Rodzinna").exists()


def test_demo_holders_stay_private_through_gunicorn(live_server_url, db):
    holder = GraveHolder.objects.select_related("grave__cemetery").order_by("pk").first()
    grave = holder.grave
    for url in public_urls(grave)[:10]:
        with urllib.request.urlopen(live_server_url + url, timeout=20) as resp:
            text = resp.read().decode()
        for secret in (holder.phone, holder.email, holder.address):
            assert secret not in text, (url, secret)
    with urllib.request.urlopen(f"{live_server_url}/api/cemetery/graves/{grave.pk}/", timeout=20) as resp:
        props = json.loads(resp.read())["properties"]
    assert "holder" not in props and set(props) >= {"burials", "label", "photos"}
