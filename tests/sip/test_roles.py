"""Roles are identified by stable codes (their groups' names); people see translated names."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission, User
from django.utils import translation

from sip import tenancy

pytestmark = pytest.mark.django_db

role_codes = importlib.import_module("sip.migrations.0011_role_codes")


def test_role_groups_are_named_by_codes_and_shown_by_translated_names():
    tenancy.sync_roles()
    assert set(Group.objects.filter(name__in=tenancy.ROLES).values_list("name", flat=True)) == {
        "central_admin",
        "gmina_editor",
        "planner",
        "viewer",
    }
    with translation.override("pl"):
        assert tenancy.role_label(tenancy.PLANNER) == "Planista"
        assert tenancy.role_label(tenancy.CENTRAL_ADMIN) == "Administrator jednostki centralnej"
    with translation.override("en"):
        assert tenancy.role_label(tenancy.PLANNER) == "Planner"
        assert tenancy.role_label(tenancy.VIEWER) == "Viewer"
    assert tenancy.role_label("Zespół ds. drzew") == "Zespół ds. drzew"  # a group made by hand


def test_the_migration_renames_a_role_group_and_keeps_its_members_and_permissions(planner):
    """An installation from before the codes: the planner group carried its Polish name."""
    group = Group.objects.get(name=tenancy.PLANNER)
    perms = set(group.permissions.values_list("pk", flat=True))
    assert perms and planner.groups.filter(pk=group.pk).exists()
    group.name = "Planista"
    group.save()

    role_codes.to_codes(apps, None)

    group.refresh_from_db()
    assert group.name == "planner" and not Group.objects.filter(name="Planista").exists()
    assert set(group.permissions.values_list("pk", flat=True)) == perms
    planner = User.objects.get(pk=planner.pk)
    assert tenancy.PLANNER in tenancy.role_names(planner)
    assert planner.has_perm("planning.add_extractcase")

    role_codes.to_display_names(apps, None)
    group.refresh_from_db()
    assert group.name == "Planista"


def test_the_migration_merges_into_a_group_that_already_has_the_code(viewer):
    """Both names exist: the old group's members and permissions join the role's group."""
    old = Group.objects.create(name="Przeglądający")
    someone = User.objects.create_user("dawny-przegladajacy")
    someone.groups.add(old)
    extra = Permission.objects.get(codename="view_auditlog", content_type__app_label="sip")
    old.permissions.add(extra)

    role_codes.to_codes(apps, None)

    role = Group.objects.get(name="viewer")
    assert role.user_set.filter(pk=someone.pk).exists() and role.user_set.filter(pk=viewer.pk).exists()
    assert role.permissions.filter(pk=extra.pk).exists()


def test_the_user_form_offers_roles_by_their_display_names(client, central_admin):
    tenancy.sync_roles()
    client.force_login(central_admin)
    page = client.get(f"/admin/auth/user/{central_admin.pk}/change/").content.decode()
    planner = Group.objects.get(name="planner")
    assert f'<option value="{planner.pk}">Planista</option>' in page


def test_sync_restores_a_roles_permissions_in_a_few_queries(django_assert_max_num_queries):
    """Test fixtures sync the roles for every account they make: in sync, it writes nothing."""
    tenancy.sync_roles()
    planner = Group.objects.get(name=tenancy.PLANNER)
    wanted = set(planner.permissions.values_list("pk", flat=True))
    stray = Permission.objects.get(codename="view_auditlog", content_type__app_label="sip")
    planner.permissions.remove(*Permission.objects.filter(codename="view_parcel"))
    planner.permissions.add(stray)
    Group.objects.filter(name=tenancy.VIEWER).delete()

    tenancy.sync_roles()

    assert set(planner.permissions.values_list("pk", flat=True)) == wanted
    assert Permission.objects.get(codename="view_parcel").pk in wanted
    viewer = Group.objects.get(name=tenancy.VIEWER)
    assert {f"{p.content_type.app_label}.{p.codename}" for p in viewer.permissions.all()} == (
        tenancy.ROLE_PERMISSIONS[tenancy.VIEWER]
    )
    with django_assert_max_num_queries(4):
        tenancy.sync_roles()
