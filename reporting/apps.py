from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Raporty i statystyki"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from sip.tenancy import CENTRAL_ADMIN, EDITOR, PLANNER, VIEWER, grant

        # Every app declares its datasets in <app>/datasets.py (see sip.datasets).
        autodiscover_modules("datasets")
        use = ["reporting.view_savedquery", "reporting.add_savedquery", "reporting.change_savedquery"]
        for role in (CENTRAL_ADMIN, EDITOR, PLANNER, VIEWER):
            grant(role, use)
        # Publishing for residents: the central unit and gmina editors.
        grant(CENTRAL_ADMIN, ["reporting.publish_savedquery", "reporting.view_queryrun"])
        grant(EDITOR, ["reporting.publish_savedquery", "reporting.view_queryrun"])
