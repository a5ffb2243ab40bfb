from django.db import migrations

# An address's search_text is the folded "street number locality" (AddressPoint.make_search_text,
# written by save()); a street renamed in the admin or by an import left its addresses' texts
# under the old name, so the search found them by a name the street no longer has. A statement
# trigger on sip_street writes them again, by sip_fold (one definition with Python's fold since
# sip 0012), for every writer of street names.
CREATE = r"""
CREATE FUNCTION sip_street_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE sip_addresspoint a
  SET search_text = sip_fold(concat_ws(' ', NULLIF(n.name, ''), NULLIF(a.house_number, ''),
                                       NULLIF(a.locality, '')))
  FROM old_streets o JOIN new_streets n ON n.id = o.id
  WHERE a.street_id = n.id AND o.name IS DISTINCT FROM n.name;
  RETURN NULL;
END $$;
CREATE TRIGGER street_renamed AFTER UPDATE ON sip_street
  REFERENCING OLD TABLE AS old_streets NEW TABLE AS new_streets
  FOR EACH STATEMENT EXECUTE FUNCTION sip_street_renamed();
"""
DROP = """
DROP TRIGGER IF EXISTS street_renamed ON sip_street;
DROP FUNCTION IF EXISTS sip_street_renamed();
"""


class Migration(migrations.Migration):
    dependencies = [("sip", "0014_drop_address_locality_folded_index")]
    operations = [migrations.RunSQL(CREATE, DROP)]
