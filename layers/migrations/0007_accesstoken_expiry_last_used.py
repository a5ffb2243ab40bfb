import datetime

from django.db import migrations, models
from django.db.models import F


def expire_a_year_after_issue(apps, schema_editor):
    # Tokens issued before expiry existed get the default validity, counted from their issue.
    AccessToken = apps.get_model("layers", "AccessToken")
    AccessToken.objects.update(expires_at=F("created_at") + datetime.timedelta(days=365))


class Migration(migrations.Migration):
    dependencies = [("layers", "0006_wmts")]

    operations = [
        migrations.AddField(
            model_name="accesstoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="ważny do"),
        ),
        migrations.AddField(
            model_name="accesstoken",
            name="last_used_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="ostatnio użyty"),
        ),
        migrations.RunPython(expire_a_year_after_issue, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="accesstoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="ważny do"),
        ),
    ]
