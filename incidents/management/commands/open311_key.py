"""manage.py open311_key NAME: issue an Open311 API key for an application; the key is printed
on the last line (only its hash is stored)."""

from django.core.management.base import BaseCommand, CommandError

from incidents.models import Open311Key
from incidents.open311.keys import new_key


class Command(BaseCommand):
    help = "Wydaje klucz Open311 (api_key) aplikacji NAME; klucz jest w ostatnim wierszu."

    def add_arguments(self, parser):
        parser.add_argument("name", help="nazwa aplikacji")

    def handle(self, *args, name: str, **options):
        name = name.strip()
        if not name or len(name) > 120 or "\x00" in name:
            raise CommandError("Podaj nazwę aplikacji (do 120 znaków).")
        if Open311Key.objects.filter(name=name).exists():
            raise CommandError(f"Aplikacja „{name}” ma już klucz; wyłącz go w panelu administracyjnym.")
        _, key = new_key(name=name)
        self.stdout.write(f"Klucz Open311 dla „{name}” (zapisz go, nie będzie pokazany ponownie):")
        self.stdout.write(key)
