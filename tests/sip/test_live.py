"""The core served by a real gunicorn: pages and static files reach a client as they would."""

import json
import urllib.request


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.status, resp.headers.get("Content-Type"), resp.read()


def test_pages_api_and_static_files_through_gunicorn(live_server_url):
    status, _, body = fetch(live_server_url + "/")
    assert status == 200 and "Gminy partnerskie" in body.decode()
    status, ctype, _ = fetch(live_server_url + "/static/leaflet/leaflet.js")
    assert status == 200 and "javascript" in ctype
    status, _, body = fetch(live_server_url + "/api/parcels/020101_1.0001.1/")
    assert status == 200 and json.loads(body)["properties"]["identifier"] == "020101_1.0001.1"
