"""Raster files of layers move out of MEDIA_ROOT into the private storage.

Before this, a layer's GeoTIFF lay in MEDIA_ROOT/rasters/ and anyone could download it through
/media/rasters/…, whatever the layer's visibility. Each file moves (not copies) to
SIP_PRIVATE_ROOT under the same relative name, so the rows need no change; layers published
for several gminas share one file, which moves once. A file already missing is left as it is.
"""

import shutil
from pathlib import Path

from django.conf import settings
from django.db import migrations, models

import sip.storage


def move_rasters_to_private(apps, schema_editor):
    Layer = apps.get_model("layers", "Layer")
    media = Path(settings.MEDIA_ROOT)
    private = Path(settings.SIP_PRIVATE_ROOT)
    names = set(Layer.objects.exclude(raster="").values_list("raster", flat=True))
    for name in sorted(names):
        source, target = media / name, private / name
        if source.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(source, target)


class Migration(migrations.Migration):
    dependencies = [
        ("layers", "0007_accesstoken_expiry_last_used"),
    ]

    operations = [
        migrations.AlterField(
            model_name="layer",
            name="raster",
            field=models.FileField(
                blank=True,
                help_text="Np. ortofotomapa z drona; układ PL-1992, PL-2000, 3857 lub 4326.",
                storage=sip.storage.private_storage,
                upload_to="rasters/",
                verbose_name="plik rastra (GeoTIFF)",
            ),
        ),
        migrations.RunPython(move_rasters_to_private, migrations.RunPython.noop),
    ]
