"""make backup: the database to both pgBackRest repositories, the files to both restic ones."""

from django.core.management.base import BaseCommand, CommandError

from sip.backup import jobs
from sip.backup.layout import Layout


class Command(BaseCommand):
    help = "Kopia bazy danych (pgBackRest, repo1 i repo2) i plików (restic, oba repozytoria)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--type", choices=["full", "diff", "incr"], help="rodzaj kopii bazy (domyślnie sam wybiera)"
        )

    def handle(self, *args, **options):
        layout = Layout.from_env()
        lines, ok = jobs.backup(layout, kind=options["type"])
        for line in lines:
            self.stdout.write(line)
        for line in jobs.status_lines(jobs.status(layout))[:4]:
            self.stdout.write(line)
        if not ok:
            raise CommandError("nie wszystkie kopie się udały (szczegóły wyżej)")
