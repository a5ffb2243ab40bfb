"""Print to PDF at scale: the drawn parcel measured on the page matches its real size."""

import subprocess

import numpy as np
import pytest
from PIL import Image

from sip.models import Parcel
from tests.utils import artifact, pdf_text

pytestmark = pytest.mark.django_db
RENDER_DPI = 254  # 10 pixels a millimetre
LINE_MM = 4 / 150 * 25.4  # the highlight's stroke: 4 px at the print's 150 dpi


def print_pdf(client, tmp_path, **params):
    resp = client.get("/api/geoportal/print/", params)
    assert resp.status_code == 200, resp.content[:400]
    assert resp["Content-Type"] == "application/pdf"
    pdf = tmp_path / "mapa.pdf"
    pdf.write_bytes(resp.content)
    return pdf


@pytest.mark.parametrize("scale, paper, orientation", [(500, "A4", "landscape"), (1000, "A3", "portrait")])
def test_parcel_drawn_at_the_chosen_scale(client, demo_data, tmp_path, scale, paper, orientation):
    parcel = Parcel.objects.filter(gmina__slug="boleslawiec").order_by("identifier")[100]
    centre = parcel.geom.centroid.transform(4326, clone=True)
    pdf = print_pdf(
        client,
        tmp_path,
        gmina="boleslawiec",
        center=f"{centre.x},{centre.y}",
        scale=scale,
        paper=paper,
        orientation=orientation,
        parcel=parcel.identifier,
        layers="obreby",
        title="Działka 100",
    )
    text = pdf_text(pdf, layout=True)
    assert "Działka 100" in text and f"Skala 1:{scale}" in text and "Data wydruku" in text
    assert "Obręby ewidencyjne" in text and "Działki ewidencyjne" in text  # legend titles
    subprocess.run(
        ["pdftoppm", "-r", str(RENDER_DPI), "-png", "-singlefile", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    page = np.asarray(Image.open(tmp_path / "page.png").convert("RGB")).astype(int)
    # The highlight is (220, 0, 0); the gmina boundary in the legend, (178, 24, 43), stays out.
    red = (page[..., 0] > 200) & (page[..., 1] < 40) & (page[..., 2] < 40)
    ys, xs = np.nonzero(red)
    assert xs.size > 100, "the parcel's outline is drawn"
    width_mm = (xs.max() - xs.min() + 1) / 10 - LINE_MM
    height_mm = (ys.max() - ys.min() + 1) / 10 - LINE_MM
    minx, miny, maxx, maxy = parcel.geom.extent
    assert width_mm == pytest.approx((maxx - minx) * 1000 / scale, rel=0.01)
    assert height_mm == pytest.approx((maxy - miny) * 1000 / scale, rel=0.01)
    Image.open(tmp_path / "page.png").save(artifact(f"print-1-{scale}.png"))


def test_bad_print_requests(client, demo_data):
    base = {"gmina": "boleslawiec", "center": "15.5697,51.2636"}
    for params, message in (
        ({"scale": "3000"}, "Dostępne skale"),
        ({"scale": "²"}, "Skala musi być liczbą"),
        ({"scale": "٢٠٠٠"}, "Skala musi być liczbą"),  # Arabic-Indic digits: int() reads 2000
        ({"scale": "9" * 5000}, "Skala musi być liczbą"),
        ({"paper": "A5"}, "Papier A4 albo A3"),
        ({"center": "abc"}, "środek mapy"),
        ({"center": "19.0,52.0"}, "poza gminą"),
        ({"layers": "nie-ma-takiej"}, "nie istnieje"),
    ):
        resp = client.get("/api/geoportal/print/", {**base, **params})
        assert resp.status_code == 400 and message in resp.json()["detail"], (params, resp.content)
