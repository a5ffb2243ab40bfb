from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = "Rejestry (mała architektura, oświetlenie, drzewa)"

    def ready(self):
        from sip.tenancy import CENTRAL_ADMIN, EDITOR, PLANNER, VIEWER, grant

        items = ("smallarchitecture", "lightingline", "lamp", "tree", "inspection", "photo")
        write = [f"inventory.{a}_{m}" for m in items for a in ("add", "change", "delete")]
        read = [f"inventory.view_{m}" for m in (*items, "treespecies", "registervisibility")]
        grant(CENTRAL_ADMIN, [*read, *write, "inventory.add_treespecies", "inventory.change_treespecies"])
        grant(CENTRAL_ADMIN, ["inventory.change_registervisibility", "inventory.add_registervisibility"])
        grant(
            EDITOR, [*read, *write, "inventory.change_registervisibility", "inventory.add_registervisibility"]
        )
        grant(PLANNER, read)
        grant(VIEWER, read)

        from sip import obreb_keys

        from .models import PointItem

        # Their stored obręb follows every change of an obręb boundary (sip.services.save_obreb).
        for model in self.get_models():
            if issubclass(model, PointItem):
                obreb_keys.register(model)

        from sip.search import register_provider

        from .search import geoportal_register_items

        register_provider("register", "Obiekt rejestru", geoportal_register_items, order=40)
