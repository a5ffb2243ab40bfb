-- Whether residents see a register of a gmina, version 1: the one definition, read by the
-- register API and pages (inventory.selectors) and by the map views behind the register layers.
-- A gmina's choice (inventory_registervisibility) wins; without one, the register's default:
-- every register is public except the lighting lines (internal infrastructure).
CREATE OR REPLACE FUNCTION inventory_register_public_default(register text)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT $1 NOT IN ('lighting-lines')
$$;

CREATE OR REPLACE FUNCTION inventory_register_is_public(gmina bigint, register text)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT COALESCE(
        (SELECT v.is_public FROM inventory_registervisibility v WHERE v.gmina_id = $1 AND v.register = $2),
        inventory_register_public_default($2)
    )
$$;

CREATE OR REPLACE VIEW inventory_tree_map AS
SELECT t.id, t.gmina_id, t.external_id, s.polish_name AS species_polish,
       s.latin_name AS species_latin, t.trunk_circumference_cm, t.height_m, t.crown_diameter_m,
       t.condition, t.natural_monument, t.geom, inventory_register_is_public(t.gmina_id, 'trees') AS is_public
  FROM inventory_tree t JOIN inventory_treespecies s ON s.id = t.species_id;

CREATE OR REPLACE VIEW inventory_smallarchitecture_map AS
SELECT t.id, t.gmina_id, t.external_id, t.kind, t.material, t.condition, t.installed_on, t.geom,
       inventory_register_is_public(t.gmina_id, 'small-architecture') AS is_public
  FROM inventory_smallarchitecture t;

CREATE OR REPLACE VIEW inventory_lamp_map AS
SELECT t.id, t.gmina_id, t.external_id, t.circuit, t.switch_cabinet, t.pole_type, t.height_m,
       t.luminaire, t.power_w, t.is_led, t.geom, inventory_register_is_public(t.gmina_id, 'lamps') AS is_public
  FROM inventory_lamp t;

CREATE OR REPLACE VIEW inventory_lightingline_map AS
SELECT t.id, t.gmina_id, t.external_id, t.circuit, t.switch_cabinet, t.cable, t.geom,
       inventory_register_is_public(t.gmina_id, 'lighting-lines') AS is_public
  FROM inventory_lightingline t;
