"""Photos become images re-encoded on save (sip.images); uploaded registers leave MEDIA_ROOT.

Register files uploaded for an import used to wait in MEDIA_ROOT/inventory/imports, public
under /media/; they move to SIP_PRIVATE_ROOT/inventory/imports (the same relative paths, so
the signed preview links of imports under way keep working).
"""

import shutil
from pathlib import Path

from django.conf import settings
from django.db import migrations

import sip.images


def move_uploads_to_private(apps, schema_editor):
    source = Path(settings.MEDIA_ROOT) / "inventory" / "imports"
    if not source.is_dir():
        return
    target = Path(settings.SIP_PRIVATE_ROOT) / "inventory" / "imports"
    target.mkdir(parents=True, exist_ok=True)
    for folder in source.iterdir():
        if not (target / folder.name).exists():
            shutil.move(folder, target / folder.name)
    shutil.rmtree(source, ignore_errors=True)


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0006_public_map_models"),
    ]

    operations = [
        migrations.AlterField(
            model_name="photo",
            name="image",
            field=sip.images.SanitizedImageField(upload_to="inventory/photos/%Y/%m/", verbose_name="zdjęcie"),
        ),
        migrations.RunPython(move_uploads_to_private, migrations.RunPython.noop),
    ]
