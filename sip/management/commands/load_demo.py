import time

from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from fixtures.demo import STEPS, version
from sip.models import DemoDataset


class Command(BaseCommand):
    help = "Wczytuje deterministyczne dane demonstracyjne gmin partnerskich (zastępuje poprzednie)."

    def handle(self, *args, **opts):
        started = time.monotonic()
        quiet = opts["verbosity"] == 0

        def progress(items, desc):
            return tqdm(items, desc=desc, disable=quiet, file=self.stderr._out, leave=False)

        for title, load in STEPS:
            with transaction.atomic():
                counts = load(progress)
            summary = ", ".join(f"{k}: {v}" for k, v in counts.items())
            if not quiet:
                self.stdout.write(f"{title}: {summary}")
        # Test databases and benchmarks reload the demo only when the generator changed.
        DemoDataset.objects.all().delete()
        DemoDataset.objects.create(version=version())
        if not quiet:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Dane demonstracyjne gotowe w {time.monotonic() - started:.1f} s. "
                    "Konta demonstracyjne mają hasło „sip-demo”."
                )
            )
