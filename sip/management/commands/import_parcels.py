from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sip.commands import actor_from_option, add_actor_argument, gmina_from_option, srid_from_option
from sip.parcel_import import ParcelFileError, import_parcels


class Command(BaseCommand):
    help = "Importuje działki z eksportu EGiB (GML, GPKG, SHP) do wskazanej gminy."

    def add_arguments(self, parser):
        parser.add_argument("file", help="plik GML, GPKG albo SHP")
        parser.add_argument("--gmina", required=True, help="kod TERYT gminy, np. 020101_1")
        parser.add_argument("--srid", help="układ współrzędnych pliku: 2176–2180 (domyślnie z pliku)")
        parser.add_argument("--dry-run", action="store_true", help="sprawdź plik bez zapisywania")
        add_actor_argument(parser)

    def handle(self, *args, **opts):
        gmina = gmina_from_option(opts["gmina"])
        srid = srid_from_option(opts["srid"])
        if srid is not None and not 2176 <= srid <= 2180:
            raise CommandError("Opcja --srid przyjmuje układy PL-2000 (2176–2179) i PL-1992 (2180).")
        actor = actor_from_option(opts["user"])
        try:
            report = import_parcels(
                actor=actor,
                path=opts["file"],
                gmina=gmina,
                srid=srid,
                dry_run=opts["dry_run"],
                progress=lambda it: tqdm(it, desc="Działki", unit=" obiekt", file=self.stderr._out),
            )
        except ParcelFileError as exc:
            raise CommandError(str(exc)) from exc
        report.write_to(self)
