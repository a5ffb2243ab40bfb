"""Whether a register of a gmina is public, as one SQL function (sql/register_public_v1.sql),
read by the register API and pages and by the map views, instead of the default typed twice
(the registry's Python and these views' SQL). The SQL is pinned in the versioned file; going
back restores the views of 0008 (pinned there)."""

from importlib import import_module
from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


def _views_of_0008() -> str:
    views = import_module("inventory.migrations.0008_map_views_with_public_flag").VIEWS
    return " ".join(f"DROP VIEW IF EXISTS {name}; CREATE VIEW {name} AS {sql};" for name, sql in views)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0008_map_views_with_public_flag")]
    operations = [
        migrations.RunSQL(
            (SQL / "register_public_v1.sql").read_text(),
            _views_of_0008()
            + " DROP FUNCTION IF EXISTS inventory_register_is_public(bigint, text);"
            " DROP FUNCTION IF EXISTS inventory_register_public_default(text);",
        )
    ]
