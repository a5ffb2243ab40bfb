from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cemetery_routing.models import Cemetery
from cemetery_routing.routing import PathRouter, dangling_lines, snap_lines


class Command(BaseCommand):
    help = (
        "Buduje sieć alejek cmentarza do wyznaczania tras: dzieli aleje i ścieżki na skrzyżowaniach, "
        "łączy końce alejek z alejkami bliższymi niż SIP_ALLEY_SNAP_M (domyślnie 0,5 m), "
        "tworzy topologię pgRouting i zgłasza każde takie połączenie, końce alejek, które nadal "
        "z niczym się nie łączą, oraz części sieci niepołączone z żadną bramą."
    )

    def add_arguments(self, parser):
        parser.add_argument("cemetery", nargs="*", help="skróty cmentarzy (domyślnie wszystkie)")

    def handle(self, *args, **opts):
        cemeteries = Cemetery.objects.select_related("gmina").order_by("pk")
        if opts["cemetery"]:
            cemeteries = cemeteries.filter(slug__in=opts["cemetery"])
            missing = set(opts["cemetery"]) - {c.slug for c in cemeteries}
            if missing:
                raise CommandError(f"Nie ma cmentarzy: {', '.join(sorted(missing))}.")
        problems = 0
        for cemetery in cemeteries:
            with transaction.atomic():
                report = PathRouter(cemetery.pk).build()
            self.stdout.write(
                f"{cemetery.name} ({cemetery.gmina.name}): krawędzie: {report.edges}, "
                f"spójne części sieci: {len(report.components)}."
            )
            if not report.edges:
                self.stdout.write(self.style.WARNING("  Brak alejek – nie da się wyznaczać tras."))
                problems += 1
            for index, part in enumerate(report.components, start=1):
                gates = ", ".join(part.gates) if part.gates else "brak"
                line = f"  część {index}: krawędzie: {part.edges}, {part.length_m:.0f} m; bramy: {gates}"
                if part.gates:
                    self.stdout.write(line)
                else:
                    problems += 1
                    self.stdout.write(self.style.WARNING(line + " – NIEPOŁĄCZONA z żadną bramą"))
            for name, distance in report.gates_off_network:
                problems += 1
                self.stdout.write(
                    self.style.WARNING(f"  Brama „{name}” jest {distance:.1f} m od najbliższej alejki.")
                )
            for line in snap_lines(report):
                self.stdout.write("  " + line)
            for line in dangling_lines(report):
                self.stdout.write(self.style.WARNING("  " + line))
        if problems:
            self.stdout.write(self.style.WARNING(f"Sieć zbudowana; problemów do sprawdzenia: {problems}."))
        else:
            self.stdout.write(self.style.SUCCESS("Sieć zbudowana, wszystkie części połączone z bramami."))
