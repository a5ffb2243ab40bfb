from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from planning.imports import ImportFileError, import_app_gml
from sip.commands import actor_from_option, add_actor_argument, gmina_from_option


class Command(BaseCommand):
    help = "Importuje akty planowania przestrzennego z pliku APP GML (schemat 1.0 lub 2.0) do gminy."

    def add_arguments(self, parser):
        parser.add_argument("file", help="plik GML zgodny ze schematem APP")
        parser.add_argument("--gmina", required=True, help="kod TERYT gminy, np. 020101_1")
        parser.add_argument("--dry-run", action="store_true", help="sprawdź plik bez zapisywania")
        add_actor_argument(parser)

    def handle(self, *args, **opts):
        gmina = gmina_from_option(opts["gmina"])
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"Nie ma pliku {path}.")
        try:
            report = import_app_gml(
                actor=actor_from_option(opts["user"]),
                gmina=gmina,
                data=path.read_bytes(),
                dry_run=opts["dry_run"],
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        report.title = "Akty planowania"
        report.write_to(self)
        if report.refused:
            raise CommandError(report.refused)
        if not report.stored:
            raise CommandError(
                "Z pliku nie zapisano żadnego aktu ani terenu"
                + (" (próba --dry-run)." if report.dry_run else ".")
            )
