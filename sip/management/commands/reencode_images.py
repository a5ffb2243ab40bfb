"""Re-encode images stored before uploads were re-encoded; move anything that is not an image
out of reach (SIP_PRIVATE_ROOT/quarantine, its row deleted) so MEDIA_ROOT no longer serves it."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from sip.images import SanitizedImageField, sanitize_image


class Command(BaseCommand):
    help = (
        "Dekoduje i zapisuje ponownie (bez EXIF, w dozwolonym formacie) zdjęcia zapisane wcześniej; "
        "pliki, które nie są zdjęciami, przenosi do kwarantanny poza MEDIA_ROOT i usuwa ich wpisy."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="tylko pokaż, co zostałoby zmienione")

    def handle(self, *args, dry_run: bool = False, **options):
        done = quarantined = missing = 0
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if not isinstance(field, SanitizedImageField):
                    continue
                rows = model._default_manager.exclude(**{field.attname: ""}).values_list("pk", field.attname)
                for pk, name in rows.iterator():
                    storage = field.storage
                    if not storage.exists(name):
                        missing += 1
                        continue
                    label = f"{model._meta.label} {pk}: {name}"
                    try:
                        with storage.open(name, "rb") as fh:
                            clean = sanitize_image(fh, max_side=field.max_side, name=name)
                    except ValidationError as exc:
                        quarantined += 1
                        self.stdout.write(f"kwarantanna: {label} ({' '.join(exc.messages)})")
                        if not dry_run:
                            target = Path(settings.SIP_PRIVATE_ROOT) / "quarantine" / name
                            target.parent.mkdir(parents=True, exist_ok=True)
                            shutil.move(storage.path(name), target)
                            # A photo record without a photo would break every page showing it.
                            model._default_manager.filter(pk=pk).delete()
                        continue
                    done += 1
                    if not dry_run:
                        folder = str(Path(name).parent)
                        new_name = storage.save(f"{folder}/{clean.name}", clean)
                        model._default_manager.filter(pk=pk).update(**{field.attname: new_name})
                        if new_name != name:
                            storage.delete(name)
        verb = "Do zmiany" if dry_run else "Zapisano ponownie"
        self.stdout.write(f"{verb}: {done} zdjęć; kwarantanna: {quarantined}; brak pliku: {missing}.")
