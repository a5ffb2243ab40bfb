""""Plan in force" as one SQL function (sql/plan_in_force_v1.sql), read by the zoning query,
Plan.objects.in_force() and the map's view planning_zone_in_force, instead of three copies of
the rule (a Python SQL string, a queryset filter and the view's own WHERE). The SQL is pinned in
the versioned file; going back restores the view of 0006 (pinned there)."""

from importlib import import_module
from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


def _view_of_0006() -> str:
    return import_module("planning.migrations.0006_zone_in_force_local_date").VIEW


class Migration(migrations.Migration):
    dependencies = [("planning", "0007_extract_documents_private")]
    operations = [
        migrations.RunSQL(
            (SQL / "plan_in_force_v1.sql").read_text(),
            _view_of_0006()
            + "; DROP FUNCTION IF EXISTS planning_today(); "
            "DROP FUNCTION IF EXISTS planning_plan_applies(text, date, date, date);",
        )
    ]
