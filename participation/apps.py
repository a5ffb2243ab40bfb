from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = "Partycypacja (konsultacje, uwagi, budżet obywatelski)"

    def ready(self):
        from .budget.roles import grant_budget_permissions

        grant_budget_permissions()
