from django.apps import AppConfig


class GeoportalConfig(AppConfig):
    name = "geoportal"
    verbose_name = "Geoportal"

    def ready(self):
        from . import search

        search.register_core_providers()
