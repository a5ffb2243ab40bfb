-- "Plan in force", version 1: the one definition, read by the zoning query and the extracts
-- (planning.models.IN_FORCE_SQL and Plan.objects.in_force()) and by the map (the view
-- planning_zone_in_force behind the layer "strefy").
-- A plan applies on a day when its status is in_force and the day lies within its validity
-- dates. "Today" is the gmina's local date (Europe/Warsaw, the project's TIME_ZONE), not the
-- database session's UTC CURRENT_DATE.
CREATE OR REPLACE FUNCTION planning_plan_applies(status text, valid_from date, valid_to date, day date)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT status = 'in_force'
       AND (valid_from IS NULL OR valid_from <= day)
       AND (valid_to IS NULL OR valid_to >= day)
$$;

CREATE OR REPLACE FUNCTION planning_today() RETURNS date LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT (CURRENT_TIMESTAMP AT TIME ZONE 'Europe/Warsaw')::date
$$;

-- Zones as they apply today: zones of plans in force, with the parts replaced by an amending
-- plan in force cut out.
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
         WHERE am.amended_id = pl.id
           AND planning_plan_applies(a.status, a.valid_from, a.valid_to, planning_today())
  ) r ON TRUE
 WHERE planning_plan_applies(pl.status, pl.valid_from, pl.valid_to, planning_today());
