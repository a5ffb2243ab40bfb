from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from planning.imports import ImportFileError, import_zones
from planning.models import Plan
from sip.commands import actor_from_option, add_actor_argument, srid_from_option
from sip.text import plain_int


class Command(BaseCommand):
    help = "Importuje tereny planu z pliku GPKG/SHP/GML według wskazanego mapowania pól."

    def add_arguments(self, parser):
        parser.add_argument("file", help="plik GPKG, SHP albo GML z wielokątami terenów")
        parser.add_argument(
            "--plan", required=True, help="identyfikator APP (idIIP) albo numer planu w systemie"
        )
        parser.add_argument("--symbol-field", required=True, help="pole z symbolem terenu, np. SYMBOL")
        parser.add_argument("--provisions-field", help="pole z pełnym tekstem ustaleń dla terenu")
        parser.add_argument("--name-field", help="pole z nazwą przeznaczenia")
        parser.add_argument("--layer", help="nazwa warstwy (domyślnie pierwsza)")
        parser.add_argument("--srid", help="układ współrzędnych pliku: 2176–2180 (domyślnie z pliku)")
        parser.add_argument("--replace", action="store_true", help="usuń dotychczasowe tereny planu")
        parser.add_argument("--dry-run", action="store_true", help="sprawdź plik bez zapisywania")
        add_actor_argument(parser)

    def handle(self, *args, **opts):
        ref = opts["plan"]
        plan = Plan.objects.filter(app_id=ref).first() or (
            Plan.objects.filter(pk=plain_int(ref)).first() if plain_int(ref) is not None else None
        )
        if plan is None:
            raise CommandError(f"Nie ma planu „{ref}” (podaj idIIP albo numer planu).")
        srid = srid_from_option(opts["srid"])
        try:
            report = import_zones(
                actor=actor_from_option(opts["user"]),
                plan=plan,
                path=opts["file"],
                symbol_field=opts["symbol_field"],
                provisions_field=opts["provisions_field"],
                name_field=opts["name_field"],
                layer_name=opts["layer"],
                srid=srid,
                replace=opts["replace"],
                dry_run=opts["dry_run"],
                progress=lambda it: tqdm(it, desc="Tereny", unit=" obiekt", file=self.stderr._out),
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        report.title = f"Tereny planu {plan.resolution_number}"
        report.write_to(self)
        if report.refused:
            raise CommandError(report.refused)
        if not report.stored:
            raise CommandError("Z pliku nie zapisano żadnego terenu.")
