from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from inventory.importing import ImportFileError, import_file, write_error_report
from inventory.importing.headers import target_label
from inventory.registers import REGISTERS, UnknownRegister, get_register
from sip.commands import actor_from_option, add_actor_argument, gmina_from_option, srid_from_option


class Command(BaseCommand):
    help = (
        "Importuje rejestr (mała architektura, oświetlenie, drzewa) z pliku XLSX, CSV, GPKG, SHP "
        "albo GeoJSON do wskazanej gminy. Wiersze z numerem już obecnym w rejestrze są aktualizowane."
    )

    def add_arguments(self, parser):
        parser.add_argument("register", help="rejestr: " + ", ".join(REGISTERS))
        parser.add_argument("file", help="plik XLSX, CSV, GPKG, SHP (albo ZIP z SHP) lub GeoJSON")
        parser.add_argument("--gmina", required=True, help="kod TERYT gminy, np. 020101_1")
        parser.add_argument(
            "--srid", help="układ współrzędnych pliku (2176–2180, 4326); domyślnie rozpoznawany po liczbach"
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="KOLUMNA=POLE",
            help="przypisanie kolumny do pola (np. „Obw.=trunk_circumference_cm”); puste pole pomija kolumnę",
        )
        parser.add_argument("--dry-run", action="store_true", help="sprawdź plik bez zapisywania")
        parser.add_argument(
            "--errors", help="plik XLSX z odrzuconymi wierszami (domyślnie obok importowanego: *-bledy.xlsx)"
        )
        add_actor_argument(parser)

    def handle(self, *args, **opts):
        try:
            register = get_register(opts["register"])
        except UnknownRegister as exc:
            raise CommandError(str(exc)) from exc
        gmina = gmina_from_option(opts["gmina"])
        srid = srid_from_option(opts["srid"])
        mapping = {}
        for item in opts["map"]:
            column, sep, target = item.partition("=")
            if not sep:
                raise CommandError(f"--map „{item}”: oczekiwano KOLUMNA=POLE.")
            mapping[column.strip()] = target.strip()
        actor = actor_from_option(opts["user"])
        bar = tqdm(total=None, desc=register.title, unit=" wiersz", file=self.stderr._out)

        def progress(done, total):
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            report = import_file(
                actor=actor,
                register=register,
                gmina=gmina,
                path=opts["file"],
                mapping=mapping or None,
                srid=srid,
                dry_run=opts["dry_run"],
                progress=progress,
            )
        except (ImportFileError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        self.stdout.write("Kolumny:")
        for index, column in enumerate(report.columns):
            target = report.mapping.get(index)
            shown = f"{target_label(register, target)} ({target})" if target else "pominięta"
            self.stdout.write(f"  {column or '(bez nazwy)'} → {shown}")
        if report.rejected:
            target = Path(
                opts["errors"] or Path(opts["file"]).with_name(Path(opts["file"]).stem + "-bledy.xlsx")
            )
            write_error_report(report, target)
            self.stdout.write(f"Odrzucone wiersze zapisano w {target}.")
        report.write_to(self)
