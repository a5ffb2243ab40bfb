"""The plans as the map draws them: the view planning_plan_layer (sql/plan_layer_v1.sql) with
each plan's `in_force` decided by planning_plan_applies, so the layer "plany" no longer colours a
plan as in force from its status alone. The layer's default style, where staff have not changed
it, takes classes on `in_force` instead of `status` (the values are pinned here, as a migration
must not import today's application code; tests/planning/test_plan_layer.py checks they equal
the registry's)."""

from pathlib import Path

import django.contrib.gis.db.models.fields
from django.db import migrations, models

SQL = Path(__file__).resolve().parent.parent / "sql"

OLD_RULES = [
    ("obowiązujący", "status", "in_force", "#6a3d9a"),
    ("w przygotowaniu", "status", "in_preparation", "#ff7f00"),
    ("uchylony", "status", "repealed", "#999999"),
]
NEW_RULES = [
    ("obowiązujący", "in_force", "true", "#6a3d9a"),
    ("w przygotowaniu", "status", "in_preparation", "#ff7f00"),
    ("nieobowiązujący (uchylony albo poza datami obowiązywania)", "in_force", "false", "#999999"),
]


def _rules(style):
    return [(r.title, r.field, r.value, r.stroke_colour) for r in style.rules.order_by("order", "id")]


def _swap(apps, old, new, rules_only):
    Style = apps.get_model("layers", "Style")
    style = Style.objects.filter(name="plany").first()
    if style is None or _rules(style) != old:
        return  # a new database (the registry makes the style after migrate) or staff's own
    style.rules.all().delete()
    for order, (title, field, value, stroke) in enumerate(new):
        style.rules.create(order=order, title=title, field=field, value=value, stroke_colour=stroke)
    style.rules_only = rules_only
    style.save(update_fields=["rules_only"])


def forwards(apps, schema_editor):
    _swap(apps, OLD_RULES, NEW_RULES, True)


def backwards(apps, schema_editor):
    _swap(apps, NEW_RULES, OLD_RULES, False)


class Migration(migrations.Migration):

    dependencies = [
        ('planning', '0008_plan_in_force_function'),
        ('layers', '0011_layer_title_en'),
    ]

    operations = [
        migrations.RunSQL((SQL / "plan_layer_v1.sql").read_text(), "DROP VIEW IF EXISTS planning_plan_layer"),
        migrations.CreateModel(
            name='PlanOnMap',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=500, verbose_name='tytuł')),
                ('resolution_number', models.CharField(max_length=60, verbose_name='numer uchwały')),
                ('status', models.CharField(choices=[('in_force', 'obowiązujący'), ('in_preparation', 'w przygotowaniu'), ('repealed', 'uchylony')], max_length=16, verbose_name='status')),
                ('valid_from', models.DateField(null=True, verbose_name='obowiązuje od')),
                ('valid_to', models.DateField(null=True, verbose_name='obowiązuje do')),
                ('scale', models.PositiveIntegerField(verbose_name='skala rysunku (mianownik)')),
                ('in_force', models.BooleanField(verbose_name='obowiązuje dziś')),
                ('boundary', django.contrib.gis.db.models.fields.MultiPolygonField(srid=2180, verbose_name='granica obszaru planu')),
            ],
            options={
                'verbose_name': 'plan na mapie',
                'verbose_name_plural': 'plany na mapie',
                'db_table': 'planning_plan_layer',
                'managed': False,
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
