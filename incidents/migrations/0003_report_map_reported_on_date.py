"""The map view's `reported_on` as a date, no longer text: the text was a workaround for
GetFeatureInfo's JSON answer, which now writes dates (ISO 8601), as its GML writes xsd:date and
the WFS describes the column as xsd:date. A column's type cannot change under CREATE OR REPLACE
VIEW, so the view is dropped and made again; going back restores the view of 0002 (pinned
there). The SQL is pinned here."""

from importlib import import_module

from django.db import migrations, models

VIEW = """
DROP VIEW IF EXISTS incidents_report_map;
CREATE VIEW incidents_report_map AS
SELECT r.id, r.gmina_id, r.number, c.code AS category, c.name AS category_name, r.status,
       CASE r.status WHEN 'nowe' THEN 'nowe' WHEN 'przyjete' THEN 'przyjęte'
            WHEN 'w_realizacji' THEN 'w realizacji' WHEN 'zrealizowane' THEN 'zrealizowane'
            WHEN 'odrzucone' THEN 'odrzucone' WHEN 'przekazane' THEN 'przekazane'
            ELSE r.status END AS status_label,
       (r.created_at AT TIME ZONE 'Europe/Warsaw')::date AS reported_on,
       r.public_point AS geom
  FROM incidents_report r JOIN incidents_category c ON c.id = r.category_id
 WHERE r.status <> 'duplikat'
"""


def _view_of_0002() -> str:
    return "DROP VIEW IF EXISTS incidents_report_map; " + import_module(
        "incidents.migrations.0002_report_map_view"
    ).VIEW


class Migration(migrations.Migration):
    dependencies = [("incidents", "0002_report_map_view")]

    operations = [
        migrations.RunSQL(VIEW, _view_of_0002()),
        migrations.AlterField(
            model_name="reportonmap",
            name="reported_on",
            field=models.DateField(verbose_name="zgłoszono"),
        ),
    ]
