"""manage.py export_gmina TERYT OUT_DIR (sip/backup/export.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sip.backup.export import export_gmina
from sip.models import Gmina


class Command(BaseCommand):
    help = "Eksport wszystkich danych jednej gminy: GeoPackage na aplikację, pliki, manifest z SHA-256."

    def add_arguments(self, parser):
        parser.add_argument("teryt")
        parser.add_argument("out_dir")

    def handle(self, *args, **options):
        try:
            manifest = export_gmina(options["teryt"], Path(options["out_dir"]))
        except Gmina.DoesNotExist as exc:
            raise CommandError(f"Nie ma gminy o kodzie TERYT {options['teryt']}.") from exc
        rows = sum(t["rows"] for t in manifest["tables"].values())
        g = manifest["gmina"]
        self.stdout.write(
            f"Gmina {g['name']} ({g['teryt']}): {len(manifest['tables'])} tabel, {rows} wierszy, "
            f"{len(manifest['files'])} plików w {options['out_dir']}"
        )
