"""Role groups named by stable codes instead of their Polish display names.

The groups keep their rows, so accounts keep their roles and layers keep the roles they are
shown to; only the names change. The mapping is pinned here, not imported from sip.tenancy.
"""

from django.db import migrations

CODES = {
    "Administrator jednostki centralnej": "central_admin",
    "Redaktor gminy": "gmina_editor",
    "Planista": "planner",
    "Przeglądający": "viewer",
}


def rename(apps, mapping):
    Group = apps.get_model("auth", "Group")
    for old, new in mapping.items():
        group = Group.objects.filter(name=old).first()
        if group is None:
            continue
        taken = Group.objects.filter(name=new).first()
        if taken is None:
            group.name = new
            group.save(update_fields=["name"])
        else:
            # Both exist (a group made by hand with the new name): its members and permissions
            # join the role's group; the old group stays, with whatever else points at it.
            taken.user_set.add(*group.user_set.all())
            taken.permissions.add(*group.permissions.all())


def to_codes(apps, schema_editor):
    rename(apps, CODES)


def to_display_names(apps, schema_editor):
    rename(apps, {new: old for old, new in CODES.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("sip", "0010_street_locality_folded_indexes"),
    ]

    operations = [migrations.RunPython(to_codes, to_display_names)]
