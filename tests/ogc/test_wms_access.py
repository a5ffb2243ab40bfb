"""Who sees what through the WMS, and how the registry's changes reach every worker."""

from __future__ import annotations

import pytest
from owslib.wms import WebMapService

from .conftest import INTERNAL, get, wait_for_workers

OWN_EDITOR = ("redaktor-boleslawiec", "sip-demo")
OTHER_EDITOR = ("redaktor-nowogrodziec", "sip-demo")
CENTRAL = ("centrala", "sip-demo")
# Around the Rynek of Bolesławiec (gmina miejska), 1.1.1 order.
BBOX = (260516, 382773, 261016, 383273)


def _map(wms_url, layer, auth=None):
    params = {
        "SERVICE": "WMS",
        "VERSION": "1.1.1",
        "REQUEST": "GetMap",
        "LAYERS": layer,
        "STYLES": "",
        "SRS": "EPSG:2180",
        "BBOX": ",".join(map(str, BBOX)),
        "WIDTH": 64,
        "HEIGHT": 64,
        "FORMAT": "image/png",
        "TRANSPARENT": "TRUE",
    }
    return get(wms_url, params, auth=auth)


def _info(wms_url, layer, auth=None):
    params = {
        "SERVICE": "WMS",
        "VERSION": "1.3.0",
        "REQUEST": "GetFeatureInfo",
        "LAYERS": layer,
        "QUERY_LAYERS": layer,
        "STYLES": "",
        "CRS": "EPSG:2180",
        "BBOX": f"{BBOX[1]},{BBOX[0]},{BBOX[3]},{BBOX[2]}",
        "WIDTH": 64,
        "HEIGHT": 64,
        "I": 32,
        "J": 32,
        "INFO_FORMAT": "application/json",
    }
    return get(wms_url, params, auth=auth)


def _capability_names(wms_url, auth=None) -> set[str]:
    kwargs = {"username": auth[0], "password": auth[1]} if auth else {}
    return set(WebMapService(wms_url, version="1.3.0", timeout=60, **kwargs).contents)


def test_internal_layer_hidden_from_anonymous_and_other_gminas(wms_url, internal_layer):
    assert INTERNAL not in _capability_names(wms_url)
    assert INTERNAL not in _capability_names(wms_url, OTHER_EDITOR)
    assert INTERNAL in _capability_names(wms_url, OWN_EDITOR)
    assert INTERNAL in _capability_names(wms_url, CENTRAL)

    anonymous = _map(wms_url, INTERNAL)
    assert anonymous.status == 401 and anonymous.exception_code() == "LayerNotDefined"
    assert anonymous.headers["WWW-Authenticate"].startswith("Basic")
    other = _map(wms_url, INTERNAL, OTHER_EDITOR)
    assert other.status == 400 and other.exception_code() == "LayerNotDefined"

    own = _map(wms_url, INTERNAL, OWN_EDITOR).image()
    drawn = own[..., 3] > 0
    assert drawn.mean() > 0.95, "the centre of Bolesławiec is covered by parcels"
    # Its own style: red only (seams between parcels are antialiased to darker or lighter red).
    assert not own[drawn][:, 1:3].any() and own[drawn][:, 0].mean() > 240
    found = _info(wms_url, INTERNAL, OWN_EDITOR)
    assert found.status == 200 and b"020101_1." in found.body


def _legend(wms_url, layer, auth=None):
    params = {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetLegendGraphic", "LAYER": layer}
    return get(wms_url, {**params, "FORMAT": "image/png"}, auth=auth)


def _same_answer(hidden, unknown, missing: str) -> None:
    """Two refusals that tell nothing apart: status, code, authentication challenge and text
    (up to the layer's name)."""
    assert hidden.status == unknown.status and hidden.status in (400, 401)
    assert hidden.exception_code() == unknown.exception_code() == "LayerNotDefined"
    assert hidden.headers.get("WWW-Authenticate") == unknown.headers.get("WWW-Authenticate")
    assert hidden.body.replace(INTERNAL.encode(), missing.encode()) == unknown.body


@pytest.mark.parametrize("request_of", [_map, _info, _legend], ids=["GetMap", "GetFeatureInfo", "Legend"])
@pytest.mark.parametrize("auth", [None, OTHER_EDITOR], ids=["anonymous", "other-gmina"])
def test_hidden_layer_is_answered_like_an_unknown_one(wms_url, internal_layer, request_of, auth):
    """Whether a hidden layer exists is not told: anonymous callers get 401 with a Basic
    challenge for both (QGIS then asks for a login, which may show more), logged-in callers
    without access get LayerNotDefined 400 for both."""
    missing = INTERNAL.replace("test", "brak")  # same length, no such layer
    hidden, unknown = request_of(wms_url, INTERNAL, auth), request_of(wms_url, missing, auth)
    _same_answer(hidden, unknown, missing)
    if auth is None:
        assert hidden.status == 401 and hidden.headers["WWW-Authenticate"].startswith("Basic")
    else:
        assert hidden.status == 400 and "WWW-Authenticate" not in hidden.headers


def test_wrong_password_is_refused_not_treated_as_anonymous(wms_url):
    answer = _map(wms_url, "dzialki", ("redaktor-boleslawiec", "zle-haslo"))
    assert answer.status == 401


def test_personal_token_opens_internal_layer(wms_url, internal_layer, django_db_blocker):
    from django.contrib.auth.models import User

    from layers.models import AccessToken
    from layers.services import create_access_token

    with django_db_blocker.unblock():
        user = User.objects.get(username="redaktor-boleslawiec")
        token, key = create_access_token(actor=user, user=user, label="QGIS (test)")
    try:
        params_ok = get(
            wms_url,
            {
                "token": key,
                "SERVICE": "WMS",
                "VERSION": "1.1.1",
                "REQUEST": "GetMap",
                "LAYERS": INTERNAL,
                "SRS": "EPSG:2180",
                "BBOX": ",".join(map(str, BBOX)),
                "WIDTH": 32,
                "HEIGHT": 32,
                "FORMAT": "image/png",
            },
        )
        assert params_ok.status == 200 and params_ok.content_type == "image/png"
        bad = get(wms_url, {"token": "nieprawdziwy", "SERVICE": "WMS", "REQUEST": "GetCapabilities"})
        assert bad.status == 401
    finally:
        with django_db_blocker.unblock():
            AccessToken.objects.filter(pk=token.pk).delete()


def test_style_change_reaches_every_worker(wms_url, internal_layer, django_db_blocker):
    from django.contrib.auth.models import User

    from layers import services
    from layers.models import Style

    def colours():
        # Several requests, so that both gunicorn workers answer at least once.
        return {tuple(_map(wms_url, INTERNAL, CENTRAL).image()[32, 32, :3]) for _ in range(6)}

    assert colours() == {(255, 0, 0)}
    with django_db_blocker.unblock():
        style = Style.objects.get(name=internal_layer.style.name)
        services.update_style(actor=User.objects.get(username="centrala"), style=style, fill_colour="#0000ff")
    wait_for_workers()
    try:
        assert colours() == {(0, 0, 255)}
    finally:
        with django_db_blocker.unblock():
            services.update_style(
                actor=User.objects.get(username="centrala"), style=style, fill_colour="#ff0000"
            )


def test_layer_list_for_the_geoportal(live_server_url, internal_layer):
    import json

    def names(auth=None, gmina=None):
        query = f"?gmina={gmina}" if gmina else ""
        answer = get(f"{live_server_url}/ows/layers{query}", auth=auth)
        assert answer.status == 200
        return {layer["name"]: layer for layer in json.loads(answer.body)["layers"]}

    public = names()
    assert {"gminy", "obreby", "dzialki", "adresy"} <= set(public) and INTERNAL not in public
    assert public["dzialki"]["attributes"][0] == {"name": "identifier", "label": "identyfikator działki"}
    assert public["dzialki"]["legend_url"].startswith(live_server_url + "/ows/wms?")
    assert INTERNAL in names(OWN_EDITOR, gmina="boleslawiec")
    assert INTERNAL not in names(CENTRAL, gmina="nowogrodziec")
    assert INTERNAL not in names(OTHER_EDITOR)
