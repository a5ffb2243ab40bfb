"""Map views of the registers: every row, with is_public (whether the register is public in
the row's gmina) instead of leaving internal rows out.

The map layers then show residents the public rows and staff their own gmina's internal ones
(layers.registry ``public_field``); with the rows left out, staff saw nothing of an internal
register through WMS and WFS. The rule itself is unchanged from 0005: RegisterVisibility holds a
gmina's choice, without a row the register's default applies (lighting lines internal).
The SQL is pinned here, not imported.
"""

from importlib import import_module

from django.db import migrations


def public(slug: str, default: bool) -> str:
    return (
        "COALESCE((SELECT v.is_public FROM inventory_registervisibility v "
        f"WHERE v.gmina_id = t.gmina_id AND v.register = '{slug}'), {str(default).upper()})"
    )


VIEWS = [
    (
        "inventory_tree_map",
        f"""
        SELECT t.id, t.gmina_id, t.external_id, s.polish_name AS species_polish,
               s.latin_name AS species_latin, t.trunk_circumference_cm, t.height_m, t.crown_diameter_m,
               t.condition, t.natural_monument, t.geom, {public("trees", True)} AS is_public
          FROM inventory_tree t JOIN inventory_treespecies s ON s.id = t.species_id""",
    ),
    (
        "inventory_smallarchitecture_map",
        f"""
        SELECT t.id, t.gmina_id, t.external_id, t.kind, t.material, t.condition, t.installed_on, t.geom,
               {public("small-architecture", True)} AS is_public
          FROM inventory_smallarchitecture t""",
    ),
    (
        "inventory_lamp_map",
        f"""
        SELECT t.id, t.gmina_id, t.external_id, t.circuit, t.switch_cabinet, t.pole_type, t.height_m,
               t.luminaire, t.power_w, t.is_led, t.geom, {public("lamps", True)} AS is_public
          FROM inventory_lamp t""",
    ),
    (
        "inventory_lightingline_map",
        f"""
        SELECT t.id, t.gmina_id, t.external_id, t.circuit, t.switch_cabinet, t.cable, t.geom,
               {public("lighting-lines", False)} AS is_public
          FROM inventory_lightingline t""",
    ),
]


def _views_of_0005() -> list[tuple[str, str]]:
    # The earlier migration's own pinned SQL, for going back.
    return import_module("inventory.migrations.0005_public_map_views").VIEWS


class Migration(migrations.Migration):
    dependencies = [("inventory", "0007_photos_reencoded_images")]
    operations = [
        migrations.RunSQL(
            " ".join(f"DROP VIEW IF EXISTS {name}; CREATE VIEW {name} AS {sql};" for name, sql in VIEWS),
            # Back: the views of 0005 (only public rows).
            " ".join(
                f"DROP VIEW IF EXISTS {name}; CREATE VIEW {name} AS {sql};" for name, sql in _views_of_0005()
            ),
        )
    ]
