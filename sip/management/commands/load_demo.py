import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from fixtures.demo import STEPS, version
from sip.models import DemoDataset


class Command(BaseCommand):
    help = "Wczytuje deterministyczne dane demonstracyjne gmin partnerskich (zastępuje poprzednie)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--region",
            type=int,
            metavar="N",
            help="dodatkowo N gmin syntetycznych wygenerowanych wokół gmin demonstracyjnych (skala "
            "województwa, np. 150); gminy już wygenerowane zostają (gmina k jest zawsze ta sama), "
            "nadmiarowe są usuwane; 0 usuwa wszystkie. Dane demonstracyjne wczytuje tylko, gdy "
            "ich brakuje.",
        )

    def handle(self, *args, **opts):
        if opts["region"] is not None:
            return self._region(opts["region"], quiet=opts["verbosity"] == 0)
        self._demo(quiet=opts["verbosity"] == 0)

    def _region(self, n: int, *, quiet: bool):
        from fixtures.demo import region

        write = (lambda text: None) if quiet else self.stdout.write
        if not DemoDataset.objects.filter(version=version()).exists():
            # A new generator: the synthetic gminas of the old one go too (the ones kept
            # between runs must be what the generator makes now).
            region.remove(write)
            self._demo(quiet=quiet)
        if n == 0:
            region.remove(write)
            return
        started = time.monotonic()
        try:
            counts = region.load(n, write)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        write(", ".join(f"{k}: {v}" for k, v in counts.items()))
        write(self.style.SUCCESS(f"Gminy syntetyczne gotowe w {time.monotonic() - started:.0f} s."))

    def _demo(self, *, quiet: bool):
        started, cpu_started = time.monotonic(), time.process_time()

        def progress(items, desc):
            return tqdm(items, desc=desc, disable=quiet, file=self.stderr._out, leave=False)

        for number, (title, load) in enumerate(STEPS, start=1):
            if not quiet:
                self.stdout.write(f"[{number}/{len(STEPS)}] {title}…")
            step_started, step_cpu = time.monotonic(), time.process_time()
            with transaction.atomic():
                counts = load(progress)
            summary = ", ".join(f"{k}: {v}" for k, v in counts.items())
            if not quiet:
                took, cpu = time.monotonic() - step_started, time.process_time() - step_cpu
                # The process's CPU time beside the clock's: on a busy machine only it compares.
                self.stdout.write(
                    f"[{number}/{len(STEPS)}] {title}: {summary} ({took:.1f} s, CPU {cpu:.1f} s)"
                )
        # Test databases and benchmarks reload the demo only when the generator changed.
        DemoDataset.objects.all().delete()
        DemoDataset.objects.create(version=version())
        if not quiet:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Dane demonstracyjne gotowe w {time.monotonic() - started:.1f} s "
                    f"(CPU tego procesu {time.process_time() - cpu_started:.1f} s). "
                    "Konta demonstracyjne mają hasło „sip-demo”."
                )
            )
