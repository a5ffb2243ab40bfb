from django.db import migrations

# Pinned here, not read from application code: the function and index as of this version.
CREATE = """
CREATE FUNCTION sip_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;
CREATE INDEX obreb_name_folded_trgm ON sip_obreb USING gin (sip_fold(name) gin_trgm_ops);
"""
DROP = """
DROP INDEX IF EXISTS obreb_name_folded_trgm;
DROP FUNCTION IF EXISTS sip_fold(text);
"""


class Migration(migrations.Migration):
    dependencies = [("sip", "0005_drop_unused_identifier_prefix_index")]

    operations = [migrations.RunSQL(CREATE, DROP)]
