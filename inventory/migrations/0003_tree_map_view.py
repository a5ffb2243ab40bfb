from django.db import migrations

VIEW = """
CREATE VIEW inventory_tree_map AS
SELECT t.id, t.gmina_id, t.external_id, s.polish_name AS species_polish, s.latin_name AS species_latin,
       t.trunk_circumference_cm, t.height_m, t.crown_diameter_m, t.condition, t.natural_monument, t.geom
  FROM inventory_tree t JOIN inventory_treespecies s ON s.id = t.species_id
"""


class Migration(migrations.Migration):
    dependencies = [("inventory", "0002_species")]
    operations = [migrations.RunSQL(VIEW, "DROP VIEW IF EXISTS inventory_tree_map")]
