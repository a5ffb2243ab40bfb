from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save


def _sync_layers(sender, **kwargs):
    from .services import sync_registered_layers

    sync_registered_layers()


def _external_service_urls():
    from .models import ExternalService

    return ExternalService.objects.values_list("url", flat=True)


def _forget_policy(sender, **kwargs):
    from sip import csp

    csp.forget()


def _bump(sender, **kwargs):
    from .services import bump_version

    bump_version()


class LayersConfig(AppConfig):
    name = "layers"
    verbose_name = "Warstwy i usługi WMS/WFS"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # The core's layers first (sip imports nothing above it), then every app's
        # <app>/maplayers.py (see layers.registry).
        from . import core_layers  # noqa: F401
        from .models import Layer, Style, StyleRule

        autodiscover_modules("maplayers")
        post_migrate.connect(_sync_layers, sender=self, dispatch_uid="layers.sync")
        # Any change to a layer or a style, from a service or the admin, makes every worker
        # rebuild its map objects on its next request.
        for model in (Layer, Style, StyleRule):
            post_save.connect(_bump, sender=model, dispatch_uid=f"layers.bump.save.{model.__name__}")
            post_delete.connect(_bump, sender=model, dispatch_uid=f"layers.bump.delete.{model.__name__}")
        m2m_changed.connect(_bump, sender=Layer.roles.through, dispatch_uid="layers.bump.roles")
        # The geoportal loads external WMS/WMTS images straight from their hosts: those hosts go
        # into the Content-Security-Policy's img-src, rebuilt when a service changes.
        from sip import csp

        from .models import ExternalService

        csp.register_image_sources(_external_service_urls)
        post_save.connect(_forget_policy, sender=ExternalService, dispatch_uid="layers.csp.save")
        post_delete.connect(_forget_policy, sender=ExternalService, dispatch_uid="layers.csp.delete")
