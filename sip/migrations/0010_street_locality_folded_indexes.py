from django.db import migrations

# The address search finds the streets and localities that contain its longest word through
# these, instead of scanning the trigrams of every address (sip.selectors).
CREATE = """
CREATE INDEX street_name_folded_trgm ON sip_street USING gin (sip_fold(name) gin_trgm_ops);
CREATE INDEX address_locality_folded_trgm ON sip_addresspoint USING gin (sip_fold(locality) gin_trgm_ops);
"""
DROP = """
DROP INDEX IF EXISTS street_name_folded_trgm;
DROP INDEX IF EXISTS address_locality_folded_trgm;
"""


class Migration(migrations.Migration):
    dependencies = [("sip", "0009_building_landcover")]

    operations = [migrations.RunSQL(CREATE, DROP)]
