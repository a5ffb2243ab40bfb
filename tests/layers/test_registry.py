"""The layer registry: registration by apps, layer rows, services, visibility, styles."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError

from layers import registry, services
from layers.models import Layer, PublishedSource, Style, StyleRule
from layers.render.mapfile import layer_sql, rule_expression
from layers.selectors import catalogue, forget_catalogue, may_see, registry_version, visible_layers
from sip.models import AuditLog
from sip.tenancy import PLANNER
from tests.conftest import ParcelFactory

CORE = {"gminy", "obreby", "dzialki", "adresy"}


def test_core_layers_are_registered_and_have_rows(db):
    assert CORE <= {s.name for s in registry.sources()}
    rows = {layer.name: layer for layer in Layer.objects.select_related("style")}
    assert CORE <= set(rows)
    assert rows["dzialki"].title == "Działki ewidencyjne"
    assert rows["dzialki"].style.fill_colour == "#fee8c8"
    assert registry.get_source("adresy").geometry_kind == "point"
    assert registry.get_source("gminy").gmina_column == "id"


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"name": "Zła Nazwa"}, "must match"),
        ({"fields": [("nie_ma", "brak")]}, "has no field"),
        ({"fields": [("obreb__name", "obręb")]}, "has no field"),
        ({"fields": [("geom", "geometria")]}, "not a plain column"),
        ({"geometry_field": "number"}, "not a point, line or polygon"),
        ({"visibility": "sekretna"}, "Unknown visibility"),
    ],
)
def test_register_refuses_a_bad_description(kwargs, message):
    base = {"name": "proba", "model": "sip.Parcel", "title": "Próba", "fields": [("number", "numer")]}
    with pytest.raises(ImproperlyConfigured, match=message):
        registry.register(**{**base, **kwargs})
    assert registry.get_source("proba") is None


def test_sync_publishes_a_source_once_and_keeps_staff_edits(db):
    # A source registered for the first time gets its layer; staff edits are kept afterwards.
    PublishedSource.objects.filter(name="adresy").delete()
    Layer.objects.filter(name="dzialki").update(title="Działki (zmienione przez centralę)")
    Layer.objects.filter(name="adresy").delete()
    created = services.sync_registered_layers()
    assert [layer.name for layer in created] == ["adresy"]
    entry = AuditLog.objects.get(model="layers.layer", object_id=str(created[0].pk), action="create")
    assert entry.user is None and entry.changes == {"source": "adresy", "by": "registry"}
    assert Layer.objects.get(name="dzialki").title == "Działki (zmienione przez centralę)"
    assert services.sync_registered_layers() == []


def test_a_layer_staff_deleted_stays_deleted_after_migrate(db):
    # The registry's promise: the default layer is created once, then staff own it.
    Layer.objects.filter(name="drzewa").delete()
    assert services.sync_registered_layers() == []
    assert not Layer.objects.filter(name="drzewa").exists()


def test_only_the_central_unit_publishes_layers(db, editor, central_admin, gmina):
    with pytest.raises(PermissionDenied):
        services.create_layer(actor=editor, name="moje-dzialki", source="dzialki", title="Moje", gmina=gmina)
    before = registry_version()
    layer = services.create_layer(
        actor=central_admin, name="dzialki-testowe", source="dzialki", title="Działki testowe", gmina=gmina
    )
    assert registry_version() > before
    entry = AuditLog.objects.get(model="layers.layer", object_id=str(layer.pk))
    assert entry.user == central_admin and entry.action == "create" and entry.gmina == gmina
    with pytest.raises(ValidationError):
        services.create_layer(actor=central_admin, name="x1", source="nie-ma-zrodla", title="X")


def test_style_may_only_label_with_the_sources_attributes(db, central_admin):
    style = Style.objects.get(name="dzialki")
    with pytest.raises(ValidationError, match="nie należy do źródła"):
        services.update_style(actor=central_admin, style=style, label_field="haslo")
    services.update_style(actor=central_admin, style=style, label_field="identifier")
    assert Style.objects.get(name="dzialki").label_field == "identifier"


def test_publish_to_many_gminas_at_once(db, central_admin, gmina, other_gmina):
    base = Layer.objects.get(name="obreby")
    created = services.publish_to_gminas(actor=central_admin, layer=base, gminas=[gmina, other_gmina])
    assert sorted(layer.name for layer in created) == sorted(
        [f"obreby-{gmina.slug}", f"obreby-{other_gmina.slug}"]
    )
    assert {layer.gmina for layer in created} == {gmina, other_gmina}
    assert services.publish_to_gminas(actor=central_admin, layer=base, gminas=[gmina]) == []


def test_visibility_rules(db, gmina, other_gmina, editor, other_editor, central_admin, planner, viewer):
    admin = central_admin
    staff = services.create_layer(
        actor=admin, name="wewn", source="dzialki", title="Wewnętrzna", gmina=gmina, visibility="staff"
    )
    roles = services.create_layer(
        actor=admin, name="dla-planistow", source="dzialki", title="Planiści", gmina=gmina, visibility="roles"
    )
    roles.roles.add(Group.objects.get(name=PLANNER))
    everywhere_staff = services.create_layer(
        actor=admin, name="wewn-wszystkie", source="dzialki", title="Wszystkie gminy", visibility="staff"
    )
    hidden = services.create_layer(actor=admin, name="ukryta", source="dzialki", title="Ukryta")
    hidden.published = False
    hidden.save()
    forget_catalogue()
    cat = catalogue()
    assert cat.get("ukryta") is None

    def sees(user):
        return {name for name in ("wewn", "dla-planistow", "wewn-wszystkie") if may_see(user, cat.get(name))}

    assert sees(AnonymousUser()) == set()
    assert sees(other_editor) == set()
    assert sees(editor) == {"wewn"}
    assert sees(viewer) == {"wewn"}
    assert sees(planner) == {"wewn", "dla-planistow"}
    assert sees(admin) == {"wewn", "dla-planistow", "wewn-wszystkie"}
    assert CORE <= {i.name for i in visible_layers(AnonymousUser())}
    assert staff and everywhere_staff


def test_gmina_layer_sql_selects_only_that_gmina(db, gmina, other_gmina, central_admin):
    from django.db import connection

    ParcelFactory.create_batch(3, obreb__gmina=gmina)
    ParcelFactory.create_batch(2, obreb__gmina=other_gmina)
    services.create_layer(
        actor=central_admin, name="dz-jednej", source="dzialki", title="Jednej", gmina=gmina
    )
    forget_catalogue()
    data = layer_sql(catalogue().get("dz-jednej"))
    subquery = data.split(" FROM (", 1)[1].rsplit(") AS sub", 1)[0]
    with connection.cursor() as cur:
        cur.execute(f"SELECT identifier FROM ({subquery}) s")
        identifiers = [r[0] for r in cur.fetchall()]
    assert len(identifiers) == 3 and all(i.startswith(gmina.teryt) for i in identifiers)


def test_style_rules_become_safe_mapserver_expressions(db):
    style = Style.objects.create(name="klasy")
    rule = StyleRule(style=style, title="MN", field="number", value='1" OR "1"="1')
    rule.full_clean()
    assert rule_expression(rule) == '("[number]" = "1\\" OR \\"1\\"=\\"1")'
    ranged = StyleRule(style=style, title="duże", field="registered_area_m2", min_value=1000, max_value=5000)
    ranged.full_clean()
    assert rule_expression(ranged) == "([registered_area_m2] >= 1000.0 AND [registered_area_m2] < 5000.0)"
    for bad in (
        StyleRule(style=style, title="oba", field="number", value="1", min_value=1),
        StyleRule(style=style, title="nic", field="number"),
        StyleRule(style=style, title="odwrotnie", field="number", min_value=5, max_value=1),
    ):
        with pytest.raises(ValidationError):
            bad.full_clean()
    with pytest.raises(ValueError):
        rule_expression(StyleRule(style=style, title="x", field="number] OR [1", value="1"))


def test_mapa_sip_migration_pins_the_registry_defaults_of_the_core_layers():
    """Databases published before scale-dependent classes get the core layers' classes from a
    migration with pinned values: they must be the registry's, or old and new databases differ."""
    import importlib

    from layers.registry import get_source

    migration = importlib.import_module("layers.migrations.0010_mapa_sip_core_layers")
    for name, pinned in migration.CORE_LAYERS.items():
        source = get_source(name)
        # The classes' English titles came later (0012): sync_registered_layers gives them to
        # the classes this migration made.
        rules = [{k: v for k, v in r.items() if k != "title_en"} for r in source.style["rules"]]
        assert pinned == {
            "max_scale": source.max_scale,
            "base_map": source.base_map,
            "style": {**source.style, "rules": rules},
        }, name


def test_base_map_layers_in_drawing_order(db):
    from django.contrib.auth.models import AnonymousUser

    from layers.selectors import base_map_layers

    names = base_map_layers(AnonymousUser(), None)
    assert names[:1] == ("pokrycie-terenu",) and names[-1] == "adresy"
    assert names.index("dzialki") < names.index("budynki") < names.index("ulice") < names.index("gminy")


def test_a_legend_at_a_scale_shows_only_the_classes_drawn_there(db):
    """A print's legend: the obręby layer has one class at the gmina scale and one close in;
    each scale's legend has one key (a shorter image), the legend of all scales both."""
    import io

    from PIL import Image

    from layers.render import draw_legend
    from layers.selectors import catalogue

    info = catalogue().get("obreby")

    def height(png: bytes) -> int:
        return Image.open(io.BytesIO(png)).height

    both, close, far = (height(draw_legend(info, scale)) for scale in (None, 1_000, 50_000))
    assert close == far < both
    gminy = catalogue().get("gminy")  # also two classes, split at 1:60,000
    assert height(draw_legend(gminy, 1_000)) == close
