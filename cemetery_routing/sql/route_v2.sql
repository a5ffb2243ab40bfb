CREATE OR REPLACE FUNCTION cemetery_routing_route(
    p_grave bigint, p_gate bigint, p_x float8, p_y float8, p_step_free boolean
) RETURNS TABLE (
    o_gate_id bigint, o_gate_name varchar, o_start_x float8, o_start_y float8, o_start_access float8,
    o_final float8, o_net_x float8, o_net_y float8, o_alley_id bigint, o_alley_name varchar,
    o_alley_kind varchar, o_alley_accusative varchar, o_piece bytea, o_section varchar, o_row varchar,
    o_number varchar, o_cemetery varchar, o_grave_x float8, o_grave_y float8
) LANGUAGE plpgsql STABLE AS $route$
BEGIN
RETURN QUERY
WITH grave AS (
    SELECT g.id, g.geom, g.cemetery_id, s.name AS section, g.row, g.number, c.name AS cemetery_name
    FROM cemetery_routing_grave g
    JOIN cemetery_routing_section s ON s.id = g.section_id
    JOIN cemetery_routing_cemetery c ON c.id = g.cemetery_id
    WHERE g.id = p_grave
),
target AS (
    SELECT 1::bigint AS pid, e.id AS edge_id, ST_LineLocatePoint(e.geom, grave.geom) AS fraction,
           ST_Distance(e.geom, grave.geom) AS access, e.component,
           ST_ClosestPoint(e.geom, grave.geom) AS on_net
    FROM grave CROSS JOIN LATERAL (
        SELECT id, geom, component FROM cemetery_routing_alleyedge
        WHERE cemetery_id = grave.cemetery_id AND (step_free OR NOT p_step_free)
        ORDER BY geom <-> grave.geom LIMIT 1
    ) e
),
start_points AS (
    SELECT 1 + row_number() OVER (ORDER BY gt.id) AS pid, gt.id AS gate_id, gt.name, gt.geom
    FROM cemetery_routing_gate gt JOIN grave ON gt.cemetery_id = grave.cemetery_id
    WHERE p_x::float8 IS NULL AND (p_gate::bigint IS NULL OR gt.id = p_gate::bigint)
      AND (gt.step_free OR NOT p_step_free)
    UNION ALL
    SELECT 2, NULL, NULL, ST_SetSRID(ST_MakePoint(p_x::float8, p_y::float8), 2180)
    FROM grave JOIN cemetery_routing_cemetery c ON c.id = grave.cemetery_id
    WHERE p_x::float8 IS NOT NULL
      AND ST_Contains(c.boundary, ST_SetSRID(ST_MakePoint(p_x::float8, p_y::float8), 2180))
),
starts AS (
    SELECT s.pid, s.gate_id, s.name, ST_X(s.geom) AS x, ST_Y(s.geom) AS y, e.id AS edge_id,
           ST_LineLocatePoint(e.geom, s.geom) AS fraction, ST_Distance(e.geom, s.geom) AS access
    FROM start_points s CROSS JOIN grave CROSS JOIN LATERAL (
        SELECT id, geom, component FROM cemetery_routing_alleyedge
        WHERE cemetery_id = grave.cemetery_id AND (step_free OR NOT p_step_free)
        ORDER BY geom <-> s.geom LIMIT 1
    ) e
    WHERE e.component = (SELECT component FROM target)
),
pts AS (
    SELECT pid, edge_id, access,
           least(greatest(fraction, 1e-07), 1 - 1e-07) AS fraction
    FROM (SELECT pid, edge_id, fraction, access FROM target
          UNION ALL SELECT pid, edge_id, fraction, access FROM starts) AS u
),
path AS (
    SELECT start_pid, path_seq, node, edge, agg_cost FROM pgr_withPoints(
        format('SELECT id, source, target, length AS cost, length AS reverse_cost
                FROM cemetery_routing_alleyedge WHERE cemetery_id = %L AND (step_free OR NOT %L)',
               (SELECT cemetery_id FROM grave), p_step_free),
        format('SELECT pid, edge_id, fraction
                FROM unnest(%L::bigint[], %L::bigint[], %L::float8[]) AS t(pid, edge_id, fraction)',
               (SELECT array_agg(pid ORDER BY pid) FROM pts),
               (SELECT array_agg(edge_id ORDER BY pid) FROM pts),
               (SELECT array_agg(fraction ORDER BY pid) FROM pts)),
        (SELECT array_agg(-pid ORDER BY pid) FROM starts), -1::bigint, directed => false)
),
best AS (
    SELECT p.start_pid FROM path p JOIN pts ON pts.pid = -p.start_pid
    WHERE p.edge = -1 ORDER BY p.agg_cost + pts.access LIMIT 1
),
legs AS (
    SELECT p.path_seq, p.node, p.edge, p.start_pid, lead(p.node) OVER (ORDER BY p.path_seq) AS next_node
    FROM path p JOIN best USING (start_pid)
)
SELECT s.gate_id, s.name, s.x, s.y, s.access, t.access, ST_X(t.on_net), ST_Y(t.on_net),
       a.id, a.name, a.kind, a.name_accusative, ST_AsBinary(
    CASE WHEN f.a <= f.b THEN ST_LineSubstring(e.geom, f.a, f.b)
         ELSE ST_Reverse(ST_LineSubstring(e.geom, f.b, f.a)) END),
       grave.section, grave.row, grave.number, grave.cemetery_name, ST_X(grave.geom), ST_Y(grave.geom)
FROM legs l
JOIN starts s ON s.pid = -l.start_pid
CROSS JOIN target t
CROSS JOIN grave
JOIN cemetery_routing_alleyedge e ON e.id = l.edge
JOIN cemetery_routing_alley a ON a.id = e.alley_id
CROSS JOIN LATERAL (
    SELECT CASE WHEN l.node < 0 THEN (SELECT fraction FROM pts WHERE pid = -l.node)
                WHEN l.node = e.source THEN 0.0 ELSE 1.0 END AS a,
           CASE WHEN l.next_node < 0 THEN (SELECT fraction FROM pts WHERE pid = -l.next_node)
                WHEN l.next_node = e.source THEN 0.0 ELSE 1.0 END AS b
) f
ORDER BY l.path_seq
;
END
$route$
