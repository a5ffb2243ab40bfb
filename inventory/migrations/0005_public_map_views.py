"""Map views of the registers: only rows of gminas where the register is public.

RegisterVisibility holds a gmina's choice; without a row the register's default applies
(trees, small architecture and lamps public, lighting lines internal: see registers.py).
"""

from django.db import migrations


def public(slug: str, default: bool) -> str:
    return (
        "COALESCE((SELECT v.is_public FROM inventory_registervisibility v "
        f"WHERE v.gmina_id = t.gmina_id AND v.register = '{slug}'), {str(default).upper()})"
    )


VIEWS = [
    ("inventory_tree_map", f"""
        SELECT t.id, t.gmina_id, t.external_id, s.polish_name AS species_polish,
               s.latin_name AS species_latin, t.trunk_circumference_cm, t.height_m, t.crown_diameter_m,
               t.condition, t.natural_monument, t.geom
          FROM inventory_tree t JOIN inventory_treespecies s ON s.id = t.species_id
         WHERE {public('trees', True)}"""),
    ("inventory_smallarchitecture_map", f"""
        SELECT t.id, t.gmina_id, t.external_id, t.kind, t.material, t.condition, t.installed_on, t.geom
          FROM inventory_smallarchitecture t WHERE {public('small-architecture', True)}"""),
    ("inventory_lamp_map", f"""
        SELECT t.id, t.gmina_id, t.external_id, t.circuit, t.switch_cabinet, t.pole_type, t.height_m,
               t.luminaire, t.power_w, t.is_led, t.geom
          FROM inventory_lamp t WHERE {public('lamps', True)}"""),
    ("inventory_lightingline_map", f"""
        SELECT t.id, t.gmina_id, t.external_id, t.circuit, t.switch_cabinet, t.cable, t.geom
          FROM inventory_lightingline t WHERE {public('lighting-lines', False)}"""),
]


class Migration(migrations.Migration):
    dependencies = [("inventory", "0004_tree_on_map_model")]
    operations = [
        migrations.RunSQL(
            "DROP VIEW IF EXISTS inventory_tree_map; "
            + " ".join(f"CREATE VIEW {name} AS {sql};" for name, sql in VIEWS),
            " ".join(f"DROP VIEW IF EXISTS {name};" for name, _ in VIEWS),
        )
    ]
