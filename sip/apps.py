from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_migrate, pre_save


def _sync_roles(sender, **kwargs):
    # post_migrate is sent once for each app with models: sync once, after the last of them,
    # when every app's permissions exist (each sync used to run a dozen times per migrate and
    # per flush of a transactional test).
    from django.apps import apps

    if sender is [c for c in apps.get_app_configs() if c.models_module is not None][-1]:
        from .tenancy import sync_roles

        sync_roles()


def _check_relations(sender, instance, raw=False, **kwargs):
    # Every save, whatever the entry point: no object points at another gmina's object.
    if not raw:
        from .tenancy import check_relations

        check_relations(instance)


def _check_m2m(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action != "pre_add" or not pk_set:
        return
    from .tenancy import check_m2m, gmina_path

    if reverse:
        # parcel.extract_cases.add(case): check each case's parcels field against this parcel.
        for obj in model._default_manager.filter(pk__in=pk_set):
            for field in obj._meta.many_to_many:
                if field.remote_field.through is sender and gmina_path(type(instance)):
                    check_m2m(obj, field.name, [instance])
        return
    for field in instance._meta.many_to_many:
        if field.remote_field.through is sender and gmina_path(model):
            check_m2m(instance, field.name, model._default_manager.filter(pk__in=pk_set))


class SipConfig(AppConfig):
    name = "sip"
    verbose_name = "Dane podstawowe (gminy, działki, adresy)"

    def ready(self):
        from . import media  # noqa: F401 - registers the check that private files stay private

        # Once, after every app's migrations: other apps add permissions to roles in ready().
        post_migrate.connect(_sync_roles, dispatch_uid="sip.sync_roles")
        # The audit entry of every failed login (after axes' own receiver: "axes" is listed first).
        from . import security  # noqa: F401

        pre_save.connect(_check_relations, dispatch_uid="sip.check_relations")
        m2m_changed.connect(_check_m2m, dispatch_uid="sip.check_m2m")
