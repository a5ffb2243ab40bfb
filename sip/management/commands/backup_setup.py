"""make setup's backup part (sip/backup/setup.py)."""

from django.core.management.base import BaseCommand, CommandError

from sip.backup.layout import BackupError, Layout
from sip.backup.setup import setup


class Command(BaseCommand):
    help = "Przygotowuje kopie zapasowe: pgBackRest (repo1, repo2, archiwizacja WAL) i restic."

    def handle(self, *args, **options):
        try:
            for line in setup(Layout.from_env()):
                if options["verbosity"] >= 1:
                    self.stdout.write(f"SIP kopie: {line}")
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
