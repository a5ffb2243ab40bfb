"""The resident's API: submit (multipart, photos, idempotency, honeypot, bad input), duplicate
suggestions, "me too", tracking without personal data or internal notes, throttling."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.test import override_settings
from PIL import Image

from incidents.models import Photo, Report, StatusChange

from .conftest import wgs

URL = "/api/incidents/reports/"


def ours(model, world, path="gmina"):
    """Whether rows of the test gminas exist (the kept test database also holds the demo's)."""
    return model.objects.filter(**{f"{path}__in": [world.a, world.b]}).exists()


def jpeg(size=(3000, 1500), gps=None) -> io.BytesIO:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    if gps is not None:
        lat, lon = gps
        exif[0x8825] = {
            1: "N",
            2: (int(lat), int(lat * 60 % 60), round(lat * 3600 % 60, 4)),
            3: "E",
            4: (int(lon), int(lon * 60 % 60), round(lon * 3600 % 60, 4)),
        }
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    out.seek(0)
    out.name = "zdjecie.jpg"
    return out


def body(x=100, y=505, **extra):
    lat, lon = wgs(x, y)
    return {
        "category": "t-dziura",
        "lat": lat,
        "lon": lon,
        "description": "Głęboka dziura przy przejściu.",
        **extra,
    }


def test_submit_with_photo_numbered_routed_and_tracked(client, world):
    data = body(name="Jan Kowalski", email="jan@example.org", phone="600100200")
    data["photos"] = [jpeg()]
    r = client.post(URL, data)
    assert r.status_code == 201, r.json()
    out = r.json()
    assert out["outcome"] == "created"
    assert out["number"].startswith("ZG/") and len(out["number"].rsplit("/", 1)[1]) == 6
    assert out["unit"]["name"] == "Wydział Dróg UM A"
    report = Report.objects.get(pk=out["id"])
    assert report.gmina == world.a and len(report.token) >= 32
    photo = Photo.objects.get(report=report)
    with Image.open(photo.image.path) as img:
        assert max(img.size) == 2048
        assert not img.getexif()  # camera and position gone
    # Tracking: status and history, no personal data.
    t = client.get(f"/api/incidents/track/{out['token']}/")
    assert t.status_code == 200
    text = t.content.decode()
    for secret in ("Jan Kowalski", "jan@example.org", "600100200"):
        assert secret not in text
    assert t.json()["history"][0]["status"] == "nowe"


def test_numbers_are_consecutive(client, world):
    numbers = [client.post(URL, body(), content_type="application/json").json()["number"] for _ in range(3)]
    seqs = [int(n.rsplit("/", 1)[1]) for n in numbers]
    assert seqs == [seqs[0], seqs[0] + 1, seqs[0] + 2]


KEY = "6f1c2a9e-3b7d-4c5e-9a8f-0d1e2f3a4b5c"


def test_retried_post_returns_the_same_report(client, world):
    first = client.post(URL, body(client_request_id=KEY))
    again = client.post(URL, body(client_request_id=KEY))
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["outcome"] == "existing"
    assert again.json()["number"] == first.json()["number"]
    assert Report.objects.filter(client_request_id=KEY).count() == 1


def test_a_used_key_does_not_hand_out_another_submission(client, world):
    # A client_request_id is no password: a different submission under a used key (a guess, or
    # the demo's keys) is refused and learns neither the number nor the tracking token.
    first = client.post(URL, body(client_request_id=KEY)).json()
    other = client.post(URL, body(client_request_id=KEY, description="Inna sprawa"))
    assert other.status_code == 400 and "client_request_id" in other.json()["detail"]
    assert first["number"] not in other.content.decode()
    assert Report.objects.get(client_request_id=KEY).token not in other.content.decode()
    assert Report.objects.filter(client_request_id=KEY).count() == 1
    # A key that is not a random UUID (guessable) is refused outright, nothing stored.
    before = Report.objects.count()
    guess = client.post(URL, body(client_request_id="demo-1"))
    assert guess.status_code == 400 and "client_request_id" in guess.json()["detail"]
    assert Report.objects.count() == before


def test_photo_position_used_only_when_the_resident_agrees(client, world):
    lat, lon = wgs(100, 1_005)  # beside the county road
    data = body(x=100, y=505)
    data["photos"] = [jpeg(size=(400, 300), gps=(lat, lon))]
    r = client.post(URL, data)
    assert r.json()["unit"]["name"] == "Wydział Dróg UM A"
    data = body(x=100, y=505, use_photo_position="true")
    data["photos"] = [jpeg(size=(400, 300), gps=(lat, lon))]
    r = client.post(URL, data)
    assert r.json()["unit"]["name"] == "Powiatowy Zarząd Dróg", r.json()


def test_outside_competence_answers_contact_and_stores_nothing(client, world):
    r = client.post(URL, body(category="t-gaz"))
    assert r.status_code == 200
    out = r.json()
    assert out["outcome"] == "outside" and out["number"] is None
    assert out["unit"]["phone"] == "992" and "992" in out["reason"]
    assert not ours(Report, world)


BAD = [
    ("no category", {"category": ""}, "category"),
    ("unknown category", {"category": "nie-ma"}, "kategori"),
    ("no position", {"lat": "", "lon": ""}, "position"),
    ("outside every gmina", {"lat": 51.0, "lon": 23.9}, "poza gminami"),
    ("outside Poland", {"lat": 40.0, "lon": 10.0}, "poza obszarem Polski"),
    ("too long", {"description": "x" * 4001}, "4000"),
    ("NUL byte", {"description": "dziura\x00"}, "description"),
    ("honeypot", {"website": "http://spam.example"}, "odrzucone"),
]


@pytest.mark.parametrize(("case", "change", "words"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_400_nothing_stored(client, world, case, change, words):
    r = client.post(URL, {**body(), **change})
    assert r.status_code == 400, r.content
    assert words in r.content.decode()
    assert not ours(Report, world) and not ours(Photo, world, "report__gmina")


def test_not_an_image_or_too_big_400(client, world, settings):
    fake = io.BytesIO(b"<html><script>alert(1)</script></html>")
    fake.name = "lamp.jpg"
    r = client.post(URL, {**body(), "photos": [jpeg(), fake]})
    assert r.status_code == 400 and "nie jest zdjęciem" in r.content.decode()
    big = io.BytesIO(b"\xff\xd8\xff" + b"0" * (15 * 1024 * 1024 + 10))
    big.name = "duze.jpg"
    r = client.post(URL, {**body(), "photos": [big]})
    assert r.status_code == 400 and "15 MB" in r.content.decode()
    assert not ours(Report, world) and not ours(Photo, world, "report__gmina")


def test_duplicate_suggestions_within_50_m(client, world):
    client.post(URL, body(x=1_000, y=505))
    lat, lon = wgs(1_049, 505)
    near = client.get("/api/incidents/nearby/", {"lat": lat, "lon": lon, "category": "t-dziura"}).json()
    assert near["count"] == 1 and 48.5 < near["results"][0]["distance_m"] < 49.5
    lat, lon = wgs(1_051, 505)
    far = client.get("/api/incidents/nearby/", {"lat": lat, "lon": lon, "category": "t-dziura"}).json()
    assert far["count"] == 0
    other = client.get("/api/incidents/nearby/", {"lat": lat, "lon": lon, "category": "t-latarnia"}).json()
    assert other["count"] == 0
    # "Me too" instead of a duplicate.
    pk = near["results"][0]["id"]
    r = client.post(
        f"/api/incidents/reports/{pk}/me-too/",
        {"email": "sasiad@example.org"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["me_too_count"] == 1


def test_categories_grouped_with_outside_contact(client, world):
    out = client.get("/api/incidents/categories/", {"gmina": "069901_1"}).json()
    groups = {g["name"]: g for g in out["groups"]}
    names = list(groups)
    assert names.index("Drogi (test)") < names.index("Inne (test)")
    assert [c["code"] for c in groups["Inne (test)"]["categories"]] == ["t-latarnia", "t-cmentarz", "t-gaz"]
    gas = next(c for c in groups["Inne (test)"]["categories"] if c["code"] == "t-gaz")
    assert gas["handling"] == "outside" and gas["outside"]["unit"]["phone"] == "992"
    assert client.get("/api/incidents/categories/", {"gmina": "nie-ma"}).status_code == 404


def test_route_preview(client, world):
    lat, lon = wgs(100, 1_010)
    r = client.get("/api/incidents/route/", {"lat": lat, "lon": lon, "category": "t-dziura"}).json()
    assert r["unit"]["name"] == "Powiatowy Zarząd Dróg" and "powiatowej" in r["reason"]
    lat, lon = wgs(200, 200)
    r = client.get(
        "/api/incidents/route/",
        {
            "lat": lat,
            "lon": lon,
            "category": "t-latarnia",
            "register": "lamps",
            "register_item": world.lamp.pk,
        },
    ).json()
    assert r["unit"]["name"] == "TAURON Dystrybucja"
    obj = client.get("/api/incidents/register-object/", {"register": "lamps", "id": world.lamp.pk}).json()
    assert obj["label"] == "latarnia L-7" and obj["gmina"]["teryt"] == "069901_1"


def test_anonymous_posts_are_throttled(client, world):
    cache.clear()
    with override_settings(SIP_INCIDENT_POST_RATE="2/min"):
        codes = [client.post(URL, body(), content_type="application/json").status_code for _ in range(3)]
    cache.clear()
    assert codes == [201, 201, 429]


def test_throttle_message_is_polish(client, world):
    cache.clear()
    with override_settings(SIP_INCIDENT_POST_RATE="1/min"):
        client.post(URL, body(), content_type="application/json")
        r = client.post(URL, body(), content_type="application/json")
    cache.clear()
    assert r.status_code == 429 and "Za dużo zgłoszeń" in r.json()["detail"]
    assert StatusChange.objects.filter(report__gmina=world.a).count() == 1


def test_heic_photo_is_converted_to_jpeg(client, world):
    import pillow_heif

    pillow_heif.register_heif_opener()
    heic = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 200, 10)).save(heic, "HEIF")
    heic.seek(0)
    heic.name = "IMG_0001.HEIC"
    r = client.post(URL, {**body(), "photos": [heic]})
    assert r.status_code == 201, r.content
    photo = Photo.objects.get(report_id=r.json()["id"])
    assert photo.image.name.endswith(".jpg")
    with Image.open(photo.image.path) as img:
        assert img.format == "JPEG" and img.size == (300, 200)
