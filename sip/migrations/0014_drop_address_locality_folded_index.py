from django.db import migrations

# The address search finds localities through the lead word's trigrams in search_text (which
# ends with the folded locality): checking sip_fold(locality) on every row this index found
# cost more than the index saved, and nothing else reads it (27 MB at 750,000 addresses).
DROP = "DROP INDEX IF EXISTS address_locality_folded_trgm;"
CREATE = """
CREATE INDEX address_locality_folded_trgm ON sip_addresspoint USING gin (sip_fold(locality) gin_trgm_ops);
"""


class Migration(migrations.Migration):
    dependencies = [("sip", "0013_addresspoint_parcel_under")]

    operations = [migrations.RunSQL(DROP, CREATE)]
