import django.db.models.deletion
from django.db import migrations, models

# The parcel under each address point, kept by the database for every writer (the ORM, the
# demo and region loaders' COPY, the parcel import's UPDATE): the address
# search reads the column instead of a spatial lookup per candidate address.
#
# One rule, in sip_addresspoint_parcel(): the parcel of the address's gmina whose outline
# contains the point, the first by identifier (an address names a parcel of its own gmina, as
# every relation between gmina-scoped rows does). It runs for each address row whose point,
# gmina or parcel_id is written; the statement triggers on sip_parcel write parcel_id (to NULL) of the addresses a parcel change
# can move (inside an old or a new outline, or pointing at a changed or deleted parcel), which
# makes the row trigger compute them again. The foreign key is deferred (Django's default),
# so a deleted parcel's addresses are pointed elsewhere before it is checked.
CREATE = """
CREATE FUNCTION sip_addresspoint_parcel() RETURNS trigger LANGUAGE plpgsql
  SET enable_seqscan = off AS $$
BEGIN
  -- The parcels containing the point first, by the geometry index alone (OFFSET 0 keeps the
  -- gmina out of it: a bitmap of the gmina's every parcel made each lookup 0.5 ms).
  NEW.parcel_id := (
    SELECT c.id FROM (
      SELECT p.id, p.gmina_id, p.identifier FROM sip_parcel p WHERE ST_Contains(p.geom, NEW.geom) OFFSET 0
    ) c WHERE c.gmina_id = NEW.gmina_id ORDER BY c.identifier LIMIT 1
  );
  RETURN NEW;
END $$;
CREATE TRIGGER addresspoint_parcel BEFORE INSERT OR UPDATE OF geom, gmina_id, parcel_id
  ON sip_addresspoint
  FOR EACH ROW EXECUTE FUNCTION sip_addresspoint_parcel();

-- Each address a parcel change can move is written once, by its key. The candidates come from
-- LATERAL lookups, one per changed parcel, in the addresses' indexes (geometry, parcel_id):
-- a transition table has no statistics, and a plain join was planned as every pair of new
-- parcels and addresses (minutes for one gmina's parcels); sequential scans are off inside.
CREATE FUNCTION sip_parcel_addresses() RETURNS trigger LANGUAGE plpgsql
  SET enable_seqscan = off AS $$
DECLARE moved bigint;
BEGIN
  IF TG_OP = 'INSERT' THEN
    FOR moved IN
      SELECT DISTINCT i.id FROM new_parcels n CROSS JOIN LATERAL (
        SELECT a.id FROM sip_addresspoint a WHERE a.geom && n.geom AND ST_Contains(n.geom, a.geom)
      ) i
    LOOP
      UPDATE sip_addresspoint SET parcel_id = NULL WHERE id = moved;
    END LOOP;
  ELSIF TG_OP = 'DELETE' THEN
    FOR moved IN
      SELECT i.id FROM old_parcels o CROSS JOIN LATERAL (
        SELECT a.id FROM sip_addresspoint a WHERE a.parcel_id = o.id
      ) i
    LOOP
      UPDATE sip_addresspoint SET parcel_id = NULL WHERE id = moved;
    END LOOP;
  ELSE
    -- Only parcels whose outline, gmina or identifier changed (an identifier decides between
    -- overlapping parcels); a change of the registered area moves nothing.
    FOR moved IN
      WITH changed AS (
        SELECT n.id, n.geom FROM old_parcels o JOIN new_parcels n ON n.id = o.id
        WHERE NOT (o.geom = n.geom AND o.identifier = n.identifier AND o.gmina_id = n.gmina_id)
      )
      SELECT i.id FROM changed c CROSS JOIN LATERAL (
        SELECT a.id FROM sip_addresspoint a WHERE a.parcel_id = c.id
      ) i
      UNION
      SELECT i.id FROM changed c CROSS JOIN LATERAL (
        SELECT a.id FROM sip_addresspoint a WHERE a.geom && c.geom AND ST_Contains(c.geom, a.geom)
      ) i
    LOOP
      UPDATE sip_addresspoint SET parcel_id = NULL WHERE id = moved;
    END LOOP;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER parcel_addresses_insert AFTER INSERT ON sip_parcel
  REFERENCING NEW TABLE AS new_parcels FOR EACH STATEMENT EXECUTE FUNCTION sip_parcel_addresses();
CREATE TRIGGER parcel_addresses_update AFTER UPDATE ON sip_parcel
  REFERENCING OLD TABLE AS old_parcels NEW TABLE AS new_parcels
  FOR EACH STATEMENT EXECUTE FUNCTION sip_parcel_addresses();
CREATE TRIGGER parcel_addresses_delete AFTER DELETE ON sip_parcel
  REFERENCING OLD TABLE AS old_parcels FOR EACH STATEMENT EXECUTE FUNCTION sip_parcel_addresses();

UPDATE sip_addresspoint SET parcel_id = NULL;
"""
DROP = """
DROP TRIGGER IF EXISTS parcel_addresses_insert ON sip_parcel;
DROP TRIGGER IF EXISTS parcel_addresses_update ON sip_parcel;
DROP TRIGGER IF EXISTS parcel_addresses_delete ON sip_parcel;
DROP FUNCTION IF EXISTS sip_parcel_addresses();
DROP TRIGGER IF EXISTS addresspoint_parcel ON sip_addresspoint;
DROP FUNCTION IF EXISTS sip_addresspoint_parcel();
"""


class Migration(migrations.Migration):
    dependencies = [("sip", "0012_sip_fold_from_the_python_table")]

    operations = [
        migrations.AddField(
            model_name="addresspoint",
            name="parcel",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="sip.parcel",
                verbose_name="działka pod punktem",
            ),
        ),
        migrations.RunSQL(CREATE, DROP),
    ]
