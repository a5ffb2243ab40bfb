from django.apps import AppConfig

_DATA = ("cemetery", "gate", "section", "grave", "burial", "gravephoto", "alley", "orthophoto")


class CemeteryRoutingConfig(AppConfig):
    name = "cemetery_routing"
    verbose_name = "Cmentarze (e-cmentarz)"

    def ready(self):
        from sip import tenancy

        view = [f"cemetery_routing.view_{m}" for m in _DATA]
        write = [f"cemetery_routing.{a}_{m}" for m in _DATA for a in ("add", "change", "delete")]
        # The grave holder (dysponent) is personal data: only those who manage leases see it.
        holder = [f"cemetery_routing.{a}_graveholder" for a in ("view", "add", "change", "delete")]
        tenancy.grant(tenancy.CENTRAL_ADMIN, [*view, *write, *holder])
        tenancy.grant(tenancy.EDITOR, [*view, *write, *holder])
        tenancy.grant(tenancy.PLANNER, view)
        tenancy.grant(tenancy.VIEWER, view)

        from sip.search import register_provider

        from .search import geoportal_graves

        register_provider("grave", "Grób", geoportal_graves, order=30)
