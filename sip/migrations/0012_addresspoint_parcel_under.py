import django.db.models.deletion
from django.db import migrations, models

# The parcel under each address point, kept by the database for every writer (the ORM, the
# demo loader's COPY, the region's INSERT … SELECT, the parcel import's UPDATE): the address
# search reads the column instead of a spatial lookup per candidate address.
#
# One rule, in sip_addresspoint_parcel(): the parcel of the address's gmina whose outline
# contains the point, the first by identifier (an address names a parcel of its own gmina, as
# every relation between gmina-scoped rows does). It runs for each address row whose point,
# gmina or parcel_id is written; the
# statement triggers on sip_parcel write parcel_id (to NULL) of the addresses a parcel change
# can move (inside an old or a new outline, or pointing at a changed or deleted parcel), which
# makes the row trigger compute them again. The foreign key is deferred (Django's default),
# so a deleted parcel's addresses are pointed elsewhere before it is checked.
CREATE = """
CREATE FUNCTION sip_addresspoint_parcel() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.parcel_id := (
    SELECT p.id FROM sip_parcel p WHERE p.gmina_id = NEW.gmina_id AND ST_Contains(p.geom, NEW.geom)
    ORDER BY p.identifier LIMIT 1
  );
  RETURN NEW;
END $$;
CREATE TRIGGER addresspoint_parcel BEFORE INSERT OR UPDATE OF geom, gmina_id, parcel_id
  ON sip_addresspoint
  FOR EACH ROW EXECUTE FUNCTION sip_addresspoint_parcel();

CREATE FUNCTION sip_parcel_addresses() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE sip_addresspoint a SET parcel_id = NULL
      WHERE a.id IN (SELECT a2.id FROM new_parcels n JOIN sip_addresspoint a2 ON ST_Contains(n.geom, a2.geom));
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE sip_addresspoint a SET parcel_id = NULL
      WHERE a.parcel_id IN (SELECT o.id FROM old_parcels o);
  ELSE
    -- Only parcels whose outline, gmina or identifier changed (an identifier decides between
    -- overlapping parcels); a change of the registered area moves nothing.
    UPDATE sip_addresspoint a SET parcel_id = NULL
      WHERE a.id IN (
        WITH changed AS (
          SELECT n.id, n.geom FROM old_parcels o JOIN new_parcels n ON n.id = o.id
          WHERE NOT (o.geom = n.geom AND o.identifier = n.identifier AND o.gmina_id = n.gmina_id)
        )
        SELECT a2.id FROM changed c JOIN sip_addresspoint a2 ON a2.parcel_id = c.id
        UNION
        SELECT a2.id FROM changed c JOIN sip_addresspoint a2 ON ST_Contains(c.geom, a2.geom)
      );
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
    dependencies = [("sip", "0011_role_codes")]

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
