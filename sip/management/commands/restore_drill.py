"""make restore-drill (sip/backup/drill.py); exits non-zero on any mismatch."""

import os

from django.core.management.base import BaseCommand, CommandError

from sip.backup.drill import report_lines, run_drill
from sip.backup.layout import Layout


class Command(BaseCommand):
    help = "Próba odtworzenia bazy (z repo2) i plików (z restic2) z porównaniem z systemem żywym."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("SIP_DRILL_PORT", "5434")))
        parser.add_argument(
            "--keep", action="store_true", help="zostaw odtworzone pliki (klaster zatrzymany)"
        )

    def handle(self, *args, **options):
        report = run_drill(Layout.from_env(), port=options["port"], keep=options["keep"])
        for line in report_lines(report):
            self.stdout.write(line)
        if not report["ok"]:
            raise CommandError("próba odtworzenia wykazała niezgodności")
