"""make backup-status: exits non-zero when a backup is older than 26 h or the drill than 35 days."""

import json

from django.core.management.base import BaseCommand, CommandError

from sip.backup import jobs
from sip.backup.layout import Layout


class Command(BaseCommand):
    help = "Stan kopii zapasowych i ostatniej próby odtworzenia."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        st = jobs.status(Layout.from_env())
        if options["json"]:
            self.stdout.write(json.dumps(st, indent=2, ensure_ascii=False))
        else:
            for line in jobs.status_lines(st):
                self.stdout.write(line)
        if not st["ok"]:
            raise CommandError("kopie zapasowe wymagają uwagi")
