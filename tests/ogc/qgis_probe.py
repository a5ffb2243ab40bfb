"""QGIS itself (Debian's python3-qgis, headless) against a running SIP: run as a script, it
prints one JSON object with what QGIS saw.

    python -m tests.ogc.qgis_probe wfs-count BASE_URL TYPENAME [key=value ...]
    python -m tests.ogc.qgis_probe wms-identify BASE_URL LAYER X Y SRID

Run in its own process: QgsApplication wants to be alone in one, and QGIS's provider plugins
load native libraries that a test process need not carry.
"""

from __future__ import annotations

import json
import os
import sys


def _app():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    return app


def wfs_count(base_url: str, typename: str, options: dict[str, str]) -> dict:
    """Features QGIS's WFS provider reads from a layer, and what it reported on the way."""
    from qgis.core import QgsApplication, QgsDataSourceUri, QgsVectorLayer

    messages = []
    QgsApplication.messageLog().messageReceived.connect(
        lambda message, tag, level: messages.append(f"{tag}: {message}")
    )
    uri = QgsDataSourceUri()
    uri.setParam("url", f"{base_url}/ows/wfs")
    uri.setParam("typename", typename)
    uri.setParam("version", "2.0.0")
    uri.setParam("restrictToRequestBBOX", "0")
    for key, value in options.items():
        uri.setParam(key, value)
    layer = QgsVectorLayer(uri.uri(False), "probe", "WFS")
    if not layer.isValid():
        return {"valid": False, "messages": messages}
    read = sum(1 for _ in layer.getFeatures())
    return {
        "valid": True,
        "read": read,
        "feature_count": layer.featureCount(),
        "messages": messages,
    }


def wms_identify(base_url: str, layer_name: str, x: float, y: float, srid: int) -> dict:
    """The features QGIS's WMS provider identifies at a point, as QGIS types them."""
    from qgis.core import (
        QgsCoordinateReferenceSystem,
        QgsDataSourceUri,
        QgsPointXY,
        QgsRaster,
        QgsRasterLayer,
        QgsRectangle,
    )

    uri = QgsDataSourceUri()
    uri.setParam("url", f"{base_url}/ows/wms")
    uri.setParam("layers", layer_name)
    uri.setParam("styles", "")
    uri.setParam("format", "image/png")
    uri.setParam("crs", f"EPSG:{srid}")
    # The WMS provider reads an encoded (URL query) data source, unlike the WFS provider.
    layer = QgsRasterLayer(bytes(uri.encodedUri()).decode(), "probe", "wms")
    if not layer.isValid():
        return {"valid": False, "error": layer.error().message()}
    provider = layer.dataProvider()
    extent = QgsRectangle(x - 50, y - 50, x + 50, y + 50)
    result = provider.identify(QgsPointXY(x, y), QgsRaster.IdentifyFormatFeature, extent, 101, 101)
    features = []
    for value in result.results().values():
        for store in value if isinstance(value, list) else []:
            for feature in store.features() if hasattr(store, "features") else []:
                fields = feature.fields()
                features.append(
                    {
                        "attributes": {f.name(): feature[f.name()] for f in fields},
                        "types": {f.name(): f.typeName() for f in fields},
                        "geometry": feature.geometry().asWkt(3) if feature.hasGeometry() else None,
                    }
                )
    return {
        "valid": True,
        "crs": QgsCoordinateReferenceSystem(f"EPSG:{srid}").authid(),
        "features": features,
        "error": result.error().message() if not result.isValid() else None,
    }


def main(argv: list[str]) -> None:
    app = _app()
    command, base_url, *rest = argv
    if command == "wfs-count":
        typename, *pairs = rest
        out = wfs_count(base_url, typename, dict(p.split("=", 1) for p in pairs))
    elif command == "wms-identify":
        layer_name, x, y, srid = rest
        out = wms_identify(base_url, layer_name, float(x), float(y), int(srid))
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(out, default=str))
    sys.stdout.flush()
    app.exitQgis()


if __name__ == "__main__":
    main(sys.argv[1:])
