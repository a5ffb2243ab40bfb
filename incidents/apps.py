from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Zgłoszenia mieszkańców"

    def ready(self):
        from sip.tenancy import CENTRAL_ADMIN, EDITOR, VIEWER, grant

        staff = ("report", "statuschange", "photo", "metoo")
        config = ("category", "categorygroup", "categorysetting", "routingrule", "open311key")
        read = [f"incidents.view_{m}" for m in (*staff, *config)]
        work = [f"incidents.change_{m}" for m in ("report",)]
        grant(CENTRAL_ADMIN, [*read, *work])
        grant(CENTRAL_ADMIN, [f"incidents.{a}_{m}" for m in config for a in ("add", "change", "delete")])
        grant(EDITOR, [*read, *work])
        grant(VIEWER, read)
