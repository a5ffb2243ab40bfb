"""manage.py import_voters FILE --gmina TERYT --budget ID: the resident register of an edition."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from participation.budget.register import RegisterFileError, import_register
from participation.models import BudgetEdition
from sip.commands import actor_from_option, add_actor_argument


class Command(BaseCommand):
    help = (
        "Wczytuje rejestr mieszkańców uprawnionych do głosowania w edycji budżetu obywatelskiego "
        "z pliku CSV (pesel,imie,nazwisko[,adres]; przecinek albo średnik; UTF-8 albo Windows-1250). "
        "Ponowne uruchomienie aktualizuje dane tych samych osób, nie dubluje ich."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--gmina", required=True, help="kod TERYT gminy, np. 020101_1")
        parser.add_argument("--budget", required=True, type=int, help="identyfikator edycji budżetu")
        parser.add_argument("--dry-run", action="store_true", help="sprawdź plik, niczego nie zapisuj")
        add_actor_argument(parser)

    def handle(self, *args, **opts):
        edition = BudgetEdition.objects.select_related("gmina").filter(pk=opts["budget"]).first()
        if edition is None:
            raise CommandError(f"Nie ma edycji budżetu o identyfikatorze {opts['budget']}.")
        if edition.gmina.teryt != opts["gmina"]:
            raise CommandError(
                f"Edycja {edition.pk} należy do gminy {edition.gmina.teryt} ({edition.gmina.name}), "
                f"nie do {opts['gmina']}."
            )
        actor = actor_from_option(opts["user"])
        quiet = opts["verbosity"] == 0

        def progress(rows):
            return tqdm(
                rows, desc="Wiersze", unit=" wierszy", disable=quiet, file=self.stderr._out, leave=False
            )

        try:
            report = import_register(
                actor=actor,
                edition=edition,
                path=opts["file"],
                dry_run=opts["dry_run"],
                progress=progress,
            )
        except RegisterFileError as exc:
            raise CommandError(str(exc)) from None
        report.write_to(self)
