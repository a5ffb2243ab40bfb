from django.apps import AppConfig


class GeoportalConfig(AppConfig):
    name = "geoportal"
    verbose_name = "Geoportal"

    def ready(self):
        from sip.search import register_core_providers

        # The core's parcels and addresses; the apps register their own kinds in their ready().
        register_core_providers()
