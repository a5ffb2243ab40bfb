from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from planning.app_gml_export import write
from planning.models import Plan
from sip.text import plain_int


class Command(BaseCommand):
    help = "Eksportuje plan (akt, rysunek, dokument formalny, a w APP 2.0 także tereny) do pliku APP GML."

    def add_arguments(self, parser):
        parser.add_argument(
            "--plan", required=True, action="append", help="idIIP albo numer planu (można powtórzyć)"
        )
        parser.add_argument("--schema", choices=["1.0", "2.0"], default="2.0", help="wersja schematu APP")
        parser.add_argument("-o", "--output", required=True, help="plik wynikowy .gml")

    def handle(self, *args, **opts):
        plans = []
        for ref in opts["plan"]:
            plan = Plan.objects.filter(app_id=ref).first() or (
                Plan.objects.filter(pk=plain_int(ref)).first() if plain_int(ref) is not None else None
            )
            if plan is None:
                raise CommandError(f"Nie ma planu „{ref}”.")
            plans.append(plan)
        Path(opts["output"]).write_bytes(write(plans, opts["schema"]))
        self.stdout.write(self.style.SUCCESS(f"Zapisano {len(plans)} akt(y) do {opts['output']}."))
