from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = "Planowanie przestrzenne (plany miejscowe, wypisy i wyrysy)"

    def ready(self):
        from sip import tenancy

        models = ("plan", "zone", "amendment", "extractoffice")
        read = [f"planning.view_{m}" for m in (*models, "extractcase", "issueddocument")]
        write = [f"planning.{a}_{m}" for m in models for a in ("add", "change", "delete")]
        issue = ["planning.view_extractcase", "planning.add_extractcase", "planning.add_issueddocument"]
        tenancy.grant(tenancy.CENTRAL_ADMIN, [*read, *write, *issue])
        tenancy.grant(tenancy.EDITOR, [*read, *write])
        tenancy.grant(tenancy.PLANNER, [*read, *issue])
        tenancy.grant(tenancy.VIEWER, read)
