"""Fixtures of the OGC tests: a committed internal layer of one gmina, HTTP helpers, pixels."""

from __future__ import annotations

import base64
import io
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

import numpy as np
import pytest
from lxml import etree
from PIL import Image

INTERNAL = "test-wewnetrzna-boleslawiec"
INTERNAL_STYLE = "test-wewnetrzna-czerwony"


class Answer:
    def __init__(self, status: int, headers, body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def image(self) -> np.ndarray:
        assert self.content_type.startswith("image/"), (self.status, self.body[:500])
        return np.asarray(Image.open(io.BytesIO(self.body)).convert("RGBA"))

    def exception_code(self) -> str | None:
        root = etree.fromstring(self.body)
        found = root.xpath("//*[local-name()='ServiceException' or local-name()='Exception']")
        assert found, self.body[:500]
        return found[0].get("code") or found[0].get("exceptionCode")


def get(url: str, params: dict | None = None, *, auth: tuple[str, str] | None = None, headers=None) -> Answer:
    if params:
        url = f"{url}?{urlencode(params)}"
    request = urllib.request.Request(url, headers=dict(headers or {}))
    if auth:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            return Answer(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as err:
        return Answer(err.code, err.headers, err.read())


@pytest.fixture(scope="session")
def wms_url(live_server_url):
    return live_server_url + "/ows/wms"


@pytest.fixture(scope="session")
def wfs_url(live_server_url):
    return live_server_url + "/ows/wfs"


@pytest.fixture(scope="module")
def internal_layer(live_server_url, django_db_blocker):
    """An internal (staff-only) parcel layer of Bolesławiec, drawn in pure red, committed."""
    from django.contrib.auth.models import User

    from layers import services
    from layers.models import Layer, Style
    from sip.models import Gmina

    def cleanup():
        Layer.objects.filter(name=INTERNAL).delete()
        Style.objects.filter(name=INTERNAL_STYLE).delete()

    with django_db_blocker.unblock():
        cleanup()
        style = Style.objects.create(
            name=INTERNAL_STYLE, fill_colour="#ff0000", fill_opacity=100, stroke_colour="", stroke_width=0
        )
        layer = services.create_layer(
            actor=User.objects.get(username="centrala"),
            name=INTERNAL,
            source="dzialki",
            title="Działki – warstwa wewnętrzna (test)",
            gmina=Gmina.objects.get(teryt="020101_1"),
            style=style,
            visibility="staff",
            max_scale=None,
        )
    wait_for_workers()
    yield layer
    with django_db_blocker.unblock():
        cleanup()
    wait_for_workers()


def wait_for_workers() -> None:
    """Let every worker notice a registry change (layers.selectors.refresh_seconds).

    The one timed wait of the suite, on purpose: the promise under test is "every worker serves
    a change at most refresh_seconds after it", which no answer can show (a request reaches
    one worker of the kernel's choosing), so the tests wait that bound and then expect it."""
    from layers.selectors import refresh_seconds

    time.sleep(refresh_seconds() + 0.2)
