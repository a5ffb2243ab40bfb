"""The burials' folded name words again, by today's fold (sip_fold, one definition with Python's
sip.text.fold since sip 0012): words stored by the older fold (dashes, quotes, ligatures and
spaces folded otherwise) would not meet a query folded by the new one. The words are those of
cemetery_routing.models.name_tokens: surname, first name and family name, hyphens as spaces,
each word once, in that order. Name words no burial holds any more leave the search's list."""

from django.db import migrations

REFOLD = r"""
UPDATE cemetery_routing_burial b SET search_names = t.words
FROM (
  SELECT id, ARRAY(
    SELECT w FROM (
      SELECT w, min(n) AS n
      FROM unnest(regexp_split_to_array(
        sip_fold(replace(concat_ws(' ', surname, first_name, family_name), '-', ' ')), '\s+'
      )) WITH ORDINALITY AS u(w, n)
      WHERE w <> ''
      GROUP BY w
    ) words ORDER BY n
  )::varchar(80)[] AS words
  FROM cemetery_routing_burial
) t
WHERE t.id = b.id AND b.search_names IS DISTINCT FROM t.words;
DELETE FROM cemetery_routing_nametoken t WHERE NOT EXISTS
  (SELECT 1 FROM cemetery_routing_burial b WHERE b.search_names @> ARRAY[t.token]::varchar(80)[]);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cemetery_routing", "0006_photos_reencoded_images"),
        ("sip", "0012_sip_fold_from_the_python_table"),
    ]
    operations = [migrations.RunSQL(REFOLD, migrations.RunSQL.noop)]
