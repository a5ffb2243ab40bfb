"""Each permission check of the layer registry has a test that fails without it
(scripts/mutate_checks.py removes them one by one): layers, styles and external services are
the central unit's; a token is issued only to oneself; staff see only their own tokens."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from layers import services
from layers.models import AccessToken, ExternalService, Layer, Style

pytestmark = pytest.mark.django_db

SLD = b"""<?xml version="1.0"?>
<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld"
  xmlns:ogc="http://www.opengis.net/ogc"><NamedLayer><Name>x</Name><UserStyle><FeatureTypeStyle>
  <Rule><PolygonSymbolizer><Fill><CssParameter name="fill">#ff0000</CssParameter></Fill>
  </PolygonSymbolizer></Rule></FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>"""


@pytest.fixture
def layer():
    return Layer.objects.get(name="dzialki")


def _unchanged(layer: Layer) -> None:
    fresh = Layer.objects.get(pk=layer.pk)
    assert fresh.title == layer.title and fresh.visibility == layer.visibility


@pytest.mark.parametrize(
    "write",
    [
        "create",
        "update",
        "update_style",
        "save_edited",
        "publish",
        "publish_none",
        "delete",
        "harvest",
        "import_sld",
    ],
)
def test_layer_services_are_the_central_units(write, editor, central_admin, layer, gmina):
    """Every write of the registry refuses a gmina editor and changes nothing."""
    style = layer.style
    before_style = Style.objects.get(pk=style.pk).fill_colour
    count = Layer.objects.count()
    service = ExternalService.objects.create(title="Usługa", url="http://127.0.0.1:9/wms", kind="wms")
    calls = {
        "create": lambda actor: services.create_layer(
            actor=actor, name="nowa", title="Nowa", source="dzialki"
        ),
        "update": lambda actor: services.update_layer(actor=actor, layer=layer, title="Zmieniona"),
        "update_style": lambda actor: services.update_style(actor=actor, style=style, fill_colour="#000000"),
        "save_edited": lambda actor: services.save_edited(
            actor=actor,
            obj=Layer(**{**_fields(layer), "title": "Zmieniona"}),
            changed=["title"],
            created=False,
        ),
        "publish": lambda actor: services.publish_to_gminas(actor=actor, layer=layer, gminas=[gmina]),
        # Refused before anything is done, not only when a layer would be created.
        "publish_none": lambda actor: services.publish_to_gminas(actor=actor, layer=layer, gminas=[]),
        "delete": lambda actor: services.delete_layer(actor=actor, layer=layer),
        "harvest": lambda actor: services.harvest_service(actor=actor, service=service, timeout=1),
        "import_sld": lambda actor: services.import_sld(actor=actor, style=style, sld=SLD),
    }
    with pytest.raises(PermissionDenied, match="jednostka centralna"):
        calls[write](editor)
    _unchanged(layer)
    assert Layer.objects.count() == count
    assert Style.objects.get(pk=style.pk).fill_colour == before_style
    assert ExternalService.objects.get(pk=service.pk).last_error == ""


def _fields(layer: Layer) -> dict:
    return {f.attname: getattr(layer, f.attname) for f in Layer._meta.concrete_fields}


def test_a_token_is_issued_only_to_oneself(editor, other_editor, central_admin):
    with pytest.raises(PermissionDenied, match="tylko sobie"):
        services.create_access_token(actor=editor, user=other_editor, label="cudzy")
    assert not AccessToken.objects.filter(user=other_editor).exists()
    services.create_access_token(actor=editor, user=editor, label="mój")
    services.create_access_token(actor=central_admin, user=other_editor, label="od centrali")
    assert AccessToken.objects.filter(user=other_editor).count() == 1


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.mark.parametrize("model", [Layer, Style, ExternalService])
def test_registry_admin_pages_are_the_central_units(model, client, editor, central_admin):
    model_admin = admin.site._registry[model]
    obj = model.objects.first() or model.objects.create(title="U", url="http://127.0.0.1:9/wms", kind="wms")
    for user, allowed in ((editor, False), (central_admin, True)):
        request = _request(user)
        assert model_admin.has_module_permission(request) is allowed
        assert model_admin.has_view_permission(request, obj) is allowed
        assert model_admin.has_change_permission(request, obj) is allowed
        assert model_admin.has_delete_permission(request, obj) is allowed
    client.force_login(editor)
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    assert client.get(url).status_code == 403
    assert client.get(f"{url}{obj.pk}/delete/").status_code == 403


def test_staff_see_and_delete_only_their_own_tokens(client, editor, other_editor, central_admin):
    mine, _ = services.create_access_token(actor=editor, user=editor, label="mój-token")
    theirs, _ = services.create_access_token(actor=other_editor, user=other_editor, label="cudzy-token")
    model_admin = admin.site._registry[AccessToken]
    assert list(model_admin.get_queryset(_request(editor))) == [mine]
    assert set(model_admin.get_queryset(_request(central_admin))) >= {mine, theirs}
    assert model_admin.has_view_permission(_request(editor), mine)
    assert not model_admin.has_view_permission(_request(editor), theirs)
    assert not model_admin.has_delete_permission(_request(editor), theirs)
    assert model_admin.has_view_permission(_request(central_admin), theirs)
    client.force_login(editor)
    page = client.get("/admin/layers/accesstoken/").content.decode()
    assert "mój-token" in page and "cudzy-token" not in page
    client.post(f"/admin/layers/accesstoken/{theirs.pk}/delete/", {"post": "yes"})
    assert AccessToken.objects.filter(pk=theirs.pk).exists()


def test_internal_layers_only_for_their_gmina_and_roles(central_admin, editor, other_editor, viewer, gmina):
    from django.contrib.auth.models import Group

    from layers.selectors import forget_catalogue, visible_layers
    from sip.tenancy import VIEWER

    services.create_layer(
        actor=central_admin,
        name="wew-gminy",
        title="Wewnętrzna",
        source="dzialki",
        gmina=gmina,
        visibility="staff",
    )
    roles = services.create_layer(
        actor=central_admin,
        name="dla-rol",
        title="Dla ról",
        source="dzialki",
        gmina=gmina,
        visibility="roles",
    )
    roles.roles.set([Group.objects.get(name=VIEWER)])
    services.bump_version()
    forget_catalogue()

    def names(user):
        return {i.layer.name for i in visible_layers(user)}

    assert {"wew-gminy", "dla-rol"} <= names(viewer)
    assert "wew-gminy" in names(editor) and "dla-rol" not in names(editor)
    assert not {"wew-gminy", "dla-rol"} & names(other_editor)
    assert {"wew-gminy", "dla-rol"} <= names(central_admin)
