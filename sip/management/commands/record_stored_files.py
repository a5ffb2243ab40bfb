"""Records the SHA-256 of files that rows name but that have no record yet (written before
sip.StoredFile existed, or by a loader that bypasses the storages): run once after upgrading."""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import connection

from sip.backup.compare import django_file_columns, named_files
from sip.backup.layout import media_roots
from sip.models import StoredFile
from sip.storage import file_sha256


class Command(BaseCommand):
    help = "Zapisuje sumy SHA-256 plików wskazanych przez wiersze, które jeszcze ich nie mają."

    def handle(self, *args, **options):
        roots = media_roots()
        known = set(StoredFile.objects.values_list("storage", "name"))
        with connection.cursor() as cur:
            names = named_files(cur.connection, django_file_columns())
        added = missing = 0
        for storage, name in sorted(names - known):
            path = Path(roots[storage]) / name
            if not path.is_file():
                missing += 1
                self.stdout.write(f"brak pliku: {storage}:{name}")
                continue
            sha256, size = file_sha256(path)
            StoredFile.objects.create(storage=storage, name=name, sha256=sha256, size=size)
            added += 1
        self.stdout.write(f"zapisano sumy {added} plików; brakujących plików: {missing}")
