"""External services without the network: which CRS codes count, and layers SIP cannot draw
(the live harvesting and cascading are tested in tests/ogc/test_external.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from layers import services
from layers.models import ExternalLayer, ExternalService, Layer, Style
from layers.render.mapfile import build_map
from layers.selectors import catalogue, forget_catalogue


@pytest.mark.parametrize(
    "code, srid",
    [
        ("EPSG:2180", 2180),
        ("urn:ogc:def:crs:EPSG::2177", 2177),
        ("urn:ogc:def:crs:EPSG:6.18.3:3857", 3857),
        ("http://www.opengis.net/def/crs/EPSG/0/2176", 2176),
        ("http://www.opengis.net/gml/srs/epsg.xml#2180", 2180),
        ("urn:ogc:def:crs:OGC:1.3:CRS84", 4326),
        ("CRS:84", None),
        ("EPSG:31467", None),
        ("urn:ogc:def:crs:EPSG::900913", None),
        ("EPSG:", None),
        ("2180", None),
    ],
)
def test_crs_codes_from_capabilities(code, srid):
    assert services._epsg(code) == srid


def _service(kind: str) -> ExternalService:
    return ExternalService.objects.create(
        title=f"Usługa {kind}",
        url=f"http://127.0.0.1:9/{kind}",
        kind=kind,
        version="1.0.0" if kind == "wmts" else "1.3.0",
    )


def test_layers_sip_cannot_draw_are_refused_and_left_out_of_the_map(db, central_admin):
    wmts = _service("wmts")
    good = ExternalLayer.objects.create(
        service=wmts,
        name="orto",
        title="Ortofotomapa",
        srids=[3857],
        tile_matrix_sets={"GoogleMapsCompatible": 3857},
        image_format="image/jpeg",
    )
    # Read while the service was a WMS (no tile matrix sets), then its kind was changed.
    stale = ExternalLayer.objects.create(service=wmts, name="stara", title="Stara", srids=[2180])
    vector_tiles = ExternalLayer.objects.create(
        service=wmts, name="mvt", title="Kafle wektorowe", srids=[3857], tile_matrix_sets={}
    )
    foreign = ExternalLayer.objects.create(
        service=_service("wms"), name="gk", title="Gauss-Krüger", srids=[31467]
    )
    assert good.drawable
    for layer in (stale, vector_tiles, foreign):
        assert not layer.drawable
        with pytest.raises(ValidationError, match="nie da się narysować"):
            services.create_layer(actor=central_admin, name=f"zew-{layer.name}", title="X", external=layer)
    services.create_layer(actor=central_admin, name="zew-orto", title="Ortofotomapa", external=good)
    # A row that got past the form earlier (or whose service changed since) is left out of the
    # map; the other layers are still drawn.
    style = Style.objects.get_or_create(name="zewnetrzne")[0]
    Layer.objects.create(name="zew-stara", title="Stara", external=stale, style=style)
    forget_catalogue()
    m = build_map(catalogue())
    names = {m.getLayer(i).name for i in range(m.numlayers)}
    assert {"zew-orto", "dzialki"} <= names and "zew-stara" not in names
    description = open(m.getLayerByName("zew-orto").data, encoding="utf-8").read()
    assert "<Layer>orto</Layer>" in description and "<Format>image/jpeg</Format>" in description
    assert "SERVICE=WMTS&amp;REQUEST=GetCapabilities" in description
