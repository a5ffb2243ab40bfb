"""A stand-in outside WMTS for the tests (the national services are unreachable from test
machines): KVP GetCapabilities and GetTile in the GoogleMapsCompatible tile matrix set
(EPSG:3857), each tile drawn on request by a WMS (SIP's own live one)."""

from __future__ import annotations

import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

ORIGIN = 20037508.342789244
LEVELS = 20
MATRIX_SET = "GoogleMapsCompatible"


def capabilities(base: str, layer: str, title: str) -> bytes:
    matrices = "".join(
        f"<TileMatrix><ows:Identifier>{z}</ows:Identifier>"
        f"<ScaleDenominator>{559082264.0287178 / 2**z!r}</ScaleDenominator>"
        f"<TopLeftCorner>{-ORIGIN!r} {ORIGIN!r}</TopLeftCorner>"
        "<TileWidth>256</TileWidth><TileHeight>256</TileHeight>"
        f"<MatrixWidth>{2**z}</MatrixWidth><MatrixHeight>{2**z}</MatrixHeight></TileMatrix>"
        for z in range(LEVELS)
    )
    operations = "".join(
        f'<ows:Operation name="{name}"><ows:DCP><ows:HTTP><ows:Get xlink:href="{base}?">'
        '<ows:Constraint name="GetEncoding"><ows:AllowedValues><ows:Value>KVP</ows:Value>'
        "</ows:AllowedValues></ows:Constraint></ows:Get></ows:HTTP></ows:DCP></ows:Operation>"
        for name in ("GetCapabilities", "GetTile")
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Capabilities xmlns="http://www.opengis.net/wmts/1.0" xmlns:ows="http://www.opengis.net/ows/1.1"
    xmlns:xlink="http://www.w3.org/1999/xlink" version="1.0.0">
  <ows:ServiceIdentification>
    <ows:Title>Testowa usługa WMTS</ows:Title>
    <ows:ServiceType>OGC WMTS</ows:ServiceType><ows:ServiceTypeVersion>1.0.0</ows:ServiceTypeVersion>
  </ows:ServiceIdentification>
  <ows:OperationsMetadata>{operations}</ows:OperationsMetadata>
  <Contents>
    <Layer>
      <ows:Title>{title}</ows:Title>
      <ows:Abstract>Kafle rysowane przez WMS.</ows:Abstract>
      <ows:WGS84BoundingBox>
        <ows:LowerCorner>15.0 51.0</ows:LowerCorner><ows:UpperCorner>16.0 51.5</ows:UpperCorner>
      </ows:WGS84BoundingBox>
      <ows:Identifier>{layer}</ows:Identifier>
      <Style isDefault="true"><ows:Identifier>default</ows:Identifier></Style>
      <Format>image/jpeg</Format><Format>image/png</Format>
      <TileMatrixSetLink><TileMatrixSet>{MATRIX_SET}</TileMatrixSet></TileMatrixSetLink>
      <TileMatrixSetLink><TileMatrixSet>Lokalny</TileMatrixSet></TileMatrixSetLink>
    </Layer>
    <TileMatrixSet>
      <ows:Identifier>{MATRIX_SET}</ows:Identifier>
      <ows:SupportedCRS>urn:ogc:def:crs:EPSG::3857</ows:SupportedCRS>
      {matrices}
    </TileMatrixSet>
    <TileMatrixSet>
      <ows:Identifier>Lokalny</ows:Identifier>
      <ows:SupportedCRS>urn:ogc:def:crs:EPSG::31467</ows:SupportedCRS>
      <TileMatrix><ows:Identifier>0</ows:Identifier><ScaleDenominator>1000000</ScaleDenominator>
        <TopLeftCorner>5000000 3000000</TopLeftCorner><TileWidth>256</TileWidth><TileHeight>256</TileHeight>
        <MatrixWidth>1</MatrixWidth><MatrixHeight>1</MatrixHeight></TileMatrix>
    </TileMatrixSet>
  </Contents>
</Capabilities>""".encode()


class StandIn:
    """The server, started in a thread; `url` is its address, `tiles` counts tiles served."""

    def __init__(self, wms_url: str, wms_layer: str, title: str):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                query = {k.upper(): v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                request = query.get("REQUEST", "").lower()
                if request == "getcapabilities":
                    self._send(capabilities(standin.url, wms_layer, title), "application/xml")
                elif request == "gettile" and query.get("TILEMATRIXSET") == MATRIX_SET:
                    self._send(standin.tile(query), "image/png")
                    standin.tiles += 1
                else:
                    self.send_error(400)

            def _send(self, body: bytes, content_type: str):
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.wms_url, self.wms_layer, self.tiles = wms_url, wms_layer, 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/wmts"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def tile(self, query: dict) -> bytes:
        z, row, col = int(query["TILEMATRIX"]), int(query["TILEROW"]), int(query["TILECOL"])
        size = 2 * ORIGIN / 2**z
        minx, maxy = -ORIGIN + col * size, ORIGIN - row * size
        params = {
            "SERVICE": "WMS",
            "VERSION": "1.3.0",
            "REQUEST": "GetMap",
            "LAYERS": self.wms_layer,
            "STYLES": "",
            "CRS": "EPSG:3857",
            "BBOX": f"{minx},{maxy - size},{minx + size},{maxy}",
            "WIDTH": 256,
            "HEIGHT": 256,
            "FORMAT": "image/png",
            "TRANSPARENT": "TRUE",
        }
        with urllib.request.urlopen(f"{self.wms_url}?{urlencode(params)}", timeout=60) as resp:
            return resp.read()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
