"""The route function again: step-free routes start only at step-free gates."""

from django.db import migrations

from cemetery_routing.routing import ROUTE_FUNCTION_SQL


class Migration(migrations.Migration):
    dependencies = [("cemetery_routing", "0003_route_function")]
    operations = [migrations.RunSQL(ROUTE_FUNCTION_SQL, migrations.RunSQL.noop)]
