from django.db import migrations


def load_species(apps, schema_editor):
    from inventory.species import SPECIES, felling_threshold_cm

    TreeSpecies = apps.get_model("inventory", "TreeSpecies")
    for latin, polish in SPECIES:
        TreeSpecies.objects.update_or_create(
            latin_name=latin,
            defaults={"polish_name": polish, "felling_threshold_cm": felling_threshold_cm(latin)},
        )


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]
    operations = [migrations.RunPython(load_species, migrations.RunPython.noop)]
