"""The one-round-trip route query as a PL/pgSQL function (its text lives in routing.py)."""

from django.db import migrations

from cemetery_routing.routing import DROP_ROUTE_FUNCTION_SQL, ROUTE_FUNCTION_SQL


class Migration(migrations.Migration):
    dependencies = [("cemetery_routing", "0002_search")]
    operations = [migrations.RunSQL(ROUTE_FUNCTION_SQL, DROP_ROUTE_FUNCTION_SQL)]
