"""The zones in force: an amending plan cuts out the amended one only once it applies (its
validity dates too, not only its status), as in the zoning of a parcel (planning.selectors)."""

from django.db import migrations

VIEW = """
CREATE OR REPLACE VIEW planning_zone_in_force AS
SELECT z.id, pl.gmina_id, pl.id AS plan_id, pl.title AS plan_title, pl.resolution_number,
       z.symbol, z.purpose, z.name,
       ST_Multi(CASE WHEN r.replaced IS NULL THEN z.geom
                     ELSE ST_CollectionExtract(ST_Difference(z.geom, r.replaced), 3) END)::geometry(MultiPolygon, 2180)
         AS geom
  FROM planning_zone z
  JOIN planning_plan pl ON pl.id = z.plan_id
  LEFT JOIN LATERAL (
        SELECT ST_Union(a.boundary) AS replaced
          FROM planning_amendment am JOIN planning_plan a ON a.id = am.amending_id
         WHERE am.amended_id = pl.id AND a.status = 'in_force'
           AND (a.valid_from IS NULL OR a.valid_from <= CURRENT_DATE)
           AND (a.valid_to IS NULL OR a.valid_to >= CURRENT_DATE)
  ) r ON TRUE
 WHERE pl.status = 'in_force'
   AND (pl.valid_from IS NULL OR pl.valid_from <= CURRENT_DATE)
   AND (pl.valid_to IS NULL OR pl.valid_to >= CURRENT_DATE)
"""


class Migration(migrations.Migration):
    dependencies = [("planning", "0004_zone_in_force_model")]
    operations = [migrations.RunSQL(VIEW, migrations.RunSQL.noop)]
