"""sip_fold() generated from the same tables as sip.text.fold: with unaccent it turned "–" into
"-" where Python kept it, and folded quotes, spaces, ligatures and many letters differently,
while searches compare the two."""

from pathlib import Path

from django.db import migrations

# Pinned: the function as of this version (sql/sip_fold_v2.sql), and the one it replaces.
FOLD_V2 = (Path(__file__).resolve().parent.parent / "sql" / "sip_fold_v2.sql").read_text()
FOLD_V1 = """
CREATE OR REPLACE FUNCTION sip_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;
"""
# AddressPoint.search_text is sip.text.fold of "street number locality", kept by save(): the
# rows whose text the new folding changes (dashes, quotes, invisible characters) are refolded,
# in SQL since sip_fold() now folds as Python does. The expression indexes hold old values.
REFOLD = """
UPDATE sip_addresspoint AS a SET search_text = f.folded
FROM (
    SELECT p.id, sip_fold(concat_ws(' ', NULLIF(s.name, ''), NULLIF(p.house_number, ''),
                                    NULLIF(p.locality, ''))) AS folded
    FROM sip_addresspoint p LEFT JOIN sip_street s ON s.id = p.street_id
) AS f
WHERE f.id = a.id AND a.search_text IS DISTINCT FROM f.folded;
"""
REINDEX = """
REINDEX INDEX obreb_name_folded_trgm;
REINDEX INDEX street_name_folded_trgm;
REINDEX INDEX address_locality_folded_trgm;
"""


class Migration(migrations.Migration):
    dependencies = [("sip", "0011_role_codes")]

    operations = [migrations.RunSQL(FOLD_V2 + REFOLD + REINDEX, FOLD_V1 + REINDEX)]
