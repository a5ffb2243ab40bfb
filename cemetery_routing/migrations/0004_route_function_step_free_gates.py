"""The route function again (version 2, sql/route_v2.sql): step-free routes start only at
step-free gates."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):
    dependencies = [("cemetery_routing", "0003_route_function")]
    operations = [migrations.RunSQL((SQL / "route_v2.sql").read_text(), (SQL / "route_v1.sql").read_text())]
