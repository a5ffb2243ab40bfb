from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs):
    from .tenancy import sync_roles

    sync_roles()


class SipConfig(AppConfig):
    name = "sip"
    verbose_name = "Dane podstawowe (gminy, działki, adresy)"

    def ready(self):
        from . import media  # noqa: F401 - registers the check that private files stay private

        # Once, after every app's migrations: other apps add permissions to roles in ready().
        post_migrate.connect(_sync_roles, dispatch_uid="sip.sync_roles")
        # The audit entry of every failed login (after axes' own receiver: "axes" is listed first).
        from . import security  # noqa: F401
