from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = "Partycypacja (konsultacje, uwagi, budżet obywatelski)"

    def ready(self):
        from .budget.roles import grant_budget_permissions
        from .consultations.roles import grant_roles as grant_consultation_roles

        grant_budget_permissions()
        grant_consultation_roles()
        # The admin of consultations and comments lives with them (participation/admin.py is
        # the budget's).
        from .consultations import admin as _consultation_admin  # noqa: F401
        from .consultations import maplayers as _consultation_layers  # noqa: F401
