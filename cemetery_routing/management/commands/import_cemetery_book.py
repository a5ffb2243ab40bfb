from django.core.management.base import BaseCommand, CommandError

from cemetery_routing.cemetery_book import BookError, import_book
from cemetery_routing.models import Cemetery
from sip.commands import actor_from_option, add_actor_argument


class Command(BaseCommand):
    help = (
        "Importuje księgę cmentarną z pliku XLSX (jeden pochówek w wierszu); zgłasza każdy odrzucony wiersz."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="plik XLSX")
        parser.add_argument(
            "--cemetery", required=True, help="skrót cmentarza, np. cmentarz-komunalny-boleslawiec"
        )
        parser.add_argument("--dry-run", action="store_true", help="tylko sprawdź plik, nic nie zapisuj")
        add_actor_argument(parser)

    def handle(self, *args, **opts):
        cemetery = Cemetery.objects.filter(slug=opts["cemetery"]).first()
        if cemetery is None:
            raise CommandError(f"Nie ma cmentarza „{opts['cemetery']}”.")
        try:
            report = import_book(
                actor=actor_from_option(opts["user"]),
                cemetery=cemetery,
                path_or_file=opts["path"],
                dry_run=opts["dry_run"],
            )
        except BookError as exc:
            raise CommandError(str(exc)) from exc
        except FileNotFoundError as exc:
            raise CommandError(f"Nie ma pliku {opts['path']}.") from exc
        for row in report.rows:
            if row.status != "imported":
                label = "pominięty" if row.status == "skipped" else "odrzucony"
                self.stdout.write(f"wiersz {row.row}: {label} – {row.message}")
        self.stdout.write(self.style.SUCCESS(report.summary.capitalize() + "."))
