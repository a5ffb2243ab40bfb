"""The zones in force on the gmina's local date (Europe/Warsaw, as the plans' querysets and the
zoning of a parcel use it), not the database session's CURRENT_DATE, which is the UTC date:
between midnight and 1–2 a.m. the map showed a plan taking effect "today" differently from the
zoning answer and the extracts."""

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
  CROSS JOIN LATERAL (SELECT (CURRENT_TIMESTAMP AT TIME ZONE 'Europe/Warsaw')::date AS day) today
  LEFT JOIN LATERAL (
        SELECT ST_Union(a.boundary) AS replaced
          FROM planning_amendment am JOIN planning_plan a ON a.id = am.amending_id
         WHERE am.amended_id = pl.id AND a.status = 'in_force'
           AND (a.valid_from IS NULL OR a.valid_from <= today.day)
           AND (a.valid_to IS NULL OR a.valid_to >= today.day)
  ) r ON TRUE
 WHERE pl.status = 'in_force'
   AND (pl.valid_from IS NULL OR pl.valid_from <= today.day)
   AND (pl.valid_to IS NULL OR pl.valid_to >= today.day)
"""


class Migration(migrations.Migration):
    dependencies = [("planning", "0005_zone_in_force_amendment_dates")]
    operations = [migrations.RunSQL(VIEW, migrations.RunSQL.noop)]
