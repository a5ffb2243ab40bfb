-- The plans as the map draws them, version 1: every plan with "in force today" decided by
-- planning_plan_applies (plan_in_force_v1.sql), the rule the zoning API and the extracts read,
-- so the layer "plany" colours a plan as in force only when its status and its dates say so.
CREATE OR REPLACE VIEW planning_plan_layer AS
SELECT p.id, p.gmina_id, p.title, p.resolution_number, p.status, p.valid_from, p.valid_to, p.scale,
       planning_plan_applies(p.status, p.valid_from, p.valid_to, planning_today()) AS in_force,
       p.boundary
  FROM planning_plan p;
