"""Helpers shared by tests of several apps: reading a PDF's text, where pictures for a human go."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

# Screenshots and rendered pages kept for a human to look at: in var/ (ignored by git) or where
# SIP_TEST_ARTIFACTS says, never in the tracked tree.
ARTIFACTS = Path(
    os.environ.get("SIP_TEST_ARTIFACTS") or Path(__file__).resolve().parents[1] / "var" / "test-artifacts"
)


def artifact(name: str) -> Path:
    """The path for an artifact file called `name` (its folder is made)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


def pdf_text(pdf: bytes | Path, *, layout: bool = False) -> str:
    """The text of a PDF as poppler's pdftotext reads it (a reader independent of the one that
    wrote it). `layout` keeps the page's columns (words of one line stay on one line)."""
    if isinstance(pdf, bytes):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(pdf)
            f.flush()
            return pdf_text(Path(f.name), layout=layout)
    args = ["pdftotext", *(["-layout"] if layout else []), str(pdf), "-"]
    return subprocess.run(args, capture_output=True, check=True).stdout.decode()


def wms_feature_info(client, layer: str, x: float, y: float, fmt: str, **extra):
    """A WMS 1.1.1 GetFeatureInfo at the middle pixel of a 21 px, 20 m square around (x, y) in
    EPSG:2180, through the Django test client; extra parameters (e.g. LANGUAGE) are added."""
    return client.get(
        "/ows/wms",
        {
            "SERVICE": "WMS",
            "VERSION": "1.1.1",
            "REQUEST": "GetFeatureInfo",
            "LAYERS": layer,
            "QUERY_LAYERS": layer,
            "STYLES": "",
            "SRS": "EPSG:2180",
            "BBOX": f"{x - 10},{y - 10},{x + 10},{y + 10}",
            "WIDTH": 21,
            "HEIGHT": 21,
            "X": 10,
            "Y": 10,
            "INFO_FORMAT": fmt,
            **extra,
        },
    )


def wms_legend(client, layer: str, **extra) -> bytes:
    """A layer's WMS 1.3.0 GetLegendGraphic PNG through the Django test client (extra parameters,
    e.g. LANGUAGE, are added); asserts that a PNG came back."""
    resp = client.get(
        "/ows/wms",
        {
            "SERVICE": "WMS",
            "VERSION": "1.3.0",
            "REQUEST": "GetLegendGraphic",
            "LAYER": layer,
            "FORMAT": "image/png",
            **extra,
        },
    )
    assert resp.status_code == 200 and resp["Content-Type"] == "image/png"
    return resp.content
