"""Typo-tolerant name search: fuzzystrmatch (levenshtein) and the list of distinct name words,
kept by statement-level triggers so that bulk inserts (imports, demo data) keep it too."""

from django.contrib.postgres.operations import CreateExtension
from django.db import migrations

TRIGGERS = """
CREATE FUNCTION cemetery_routing_collect_name_tokens() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO cemetery_routing_nametoken (token)
  SELECT DISTINCT unnest(search_names) FROM new_rows
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER burial_name_tokens_insert AFTER INSERT ON cemetery_routing_burial
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION cemetery_routing_collect_name_tokens();
CREATE TRIGGER burial_name_tokens_update AFTER UPDATE ON cemetery_routing_burial
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION cemetery_routing_collect_name_tokens();
"""

DROP = """
DROP TRIGGER IF EXISTS burial_name_tokens_insert ON cemetery_routing_burial;
DROP TRIGGER IF EXISTS burial_name_tokens_update ON cemetery_routing_burial;
DROP FUNCTION IF EXISTS cemetery_routing_collect_name_tokens();
"""


class Migration(migrations.Migration):
    dependencies = [("cemetery_routing", "0001_initial")]
    operations = [
        CreateExtension("fuzzystrmatch"),
        migrations.RunSQL(TRIGGERS, DROP),
    ]
