"""Central-unit pages for layers and styles."""

from __future__ import annotations

from layers.models import Layer
from sip.models import AuditLog


def test_central_admin_manages_layers_with_a_preview(client, central_admin, editor):
    client.force_login(central_admin)
    listing = client.get("/admin/layers/layer/")
    assert listing.status_code == 200 and "Działki ewidencyjne" in listing.content.decode()
    layer = Layer.objects.get(name="dzialki")
    page = client.get(f"/admin/layers/layer/{layer.pk}/change/").content.decode()
    assert "/ows/wms?SERVICE=WMS" in page and "LAYERS=dzialki" in page
    assert "identyfikator działki" in page  # the source's attributes, with their labels
    style_page = client.get(f"/admin/layers/style/{layer.style_id}/change/").content.decode()
    assert "LAYERS=dzialki" in style_page

    data = {
        "name": "dzialki",
        "title": "Działki (EGiB)",
        "abstract": layer.abstract,
        "source": "dzialki",
        "gmina": "",
        "style": layer.style_id,
        "group": layer.group,
        "order": layer.order,
        "min_scale": "",
        "max_scale": layer.max_scale,
        "published": "on",
        "queryable": "on",
        "visibility": "public",
    }
    response = client.post(f"/admin/layers/layer/{layer.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Layer.objects.get(pk=layer.pk).title == "Działki (EGiB)"
    entry = AuditLog.objects.filter(model="layers.layer", object_id=str(layer.pk)).first()
    assert entry.user == central_admin and "title" in entry.changes["fields"]

    client.force_login(editor)
    assert client.get("/admin/layers/layer/").status_code == 403
    assert client.get(f"/admin/layers/layer/{layer.pk}/change/").status_code == 403


def test_publish_for_every_gmina_action(client, central_admin, gmina, other_gmina):
    client.force_login(central_admin)
    base = Layer.objects.get(name="adresy")
    response = client.post(
        "/admin/layers/layer/", {"action": "publish_for_every_gmina", "_selected_action": [base.pk]}
    )
    assert response.status_code == 302
    names = set(Layer.objects.filter(source="adresy").values_list("name", flat=True))
    assert {f"adresy-{gmina.slug}", f"adresy-{other_gmina.slug}"} <= names


def test_raster_upload_over_the_size_limit_is_refused(client, central_admin, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.SIP_UPLOAD_MAX_BYTES = 1000
    client.force_login(central_admin)
    raster = SimpleUploadedFile("orto.tif", b"II*\x00" + b"\x00" * 5000, content_type="image/tiff")
    page = client.post("/admin/layers/layer/add/", {"name": "orto-za-duze", "raster": raster})
    assert page.status_code == 200
    assert "Plik ma 4,9\u00a0KB, a można przesłać najwyżej 1000\u00a0bajtów." in page.content.decode()
