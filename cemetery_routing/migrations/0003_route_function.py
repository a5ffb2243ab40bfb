"""The one-round-trip route query as a PL/pgSQL function: version 1 (sql/route_v1.sql)."""

from pathlib import Path

from django.db import migrations

# The text as it was when this migration was written, never today's application code.
ROUTE_V1_SQL = (Path(__file__).resolve().parent.parent / "sql" / "route_v1.sql").read_text()
DROP_ROUTE_FUNCTION_SQL = (
    "DROP FUNCTION IF EXISTS cemetery_routing_route(bigint, bigint, float8, float8, boolean)"
)


class Migration(migrations.Migration):
    dependencies = [("cemetery_routing", "0002_search")]
    operations = [migrations.RunSQL(ROUTE_V1_SQL, DROP_ROUTE_FUNCTION_SQL)]
