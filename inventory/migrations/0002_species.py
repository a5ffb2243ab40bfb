"""The tree species dictionary as shipped (inventory/species.py when this migration was written),
pinned here so that the migration loads the same rows whatever that module says later."""

from django.db import migrations

# (latin name, Polish name, permit-free trunk circumference in cm)
SPECIES = (
    ("Acer platanoides", "klon pospolity", 50),
    ("Acer pseudoplatanus", "klon jawor", 50),
    ("Acer campestre", "klon polny", 50),
    ("Acer negundo", "klon jesionolistny", 80),
    ("Acer saccharinum", "klon srebrzysty", 80),
    ("Aesculus hippocastanum", "kasztanowiec zwyczajny", 65),
    ("Alnus glutinosa", "olsza czarna", 50),
    ("Betula pendula", "brzoza brodawkowata", 50),
    ("Carpinus betulus", "grab pospolity", 50),
    ("Fagus sylvatica", "buk zwyczajny", 50),
    ("Fraxinus excelsior", "jesion wyniosły", 50),
    ("Larix decidua", "modrzew europejski", 50),
    ("Picea abies", "świerk pospolity", 50),
    ("Pinus sylvestris", "sosna zwyczajna", 50),
    ("Platanus × hispanica", "platan klonolistny", 65),
    ("Populus alba", "topola biała", 80),
    ("Populus nigra", "topola czarna", 80),
    ("Populus nigra 'Italica'", "topola włoska", 80),
    ("Populus tremula", "topola osika", 80),
    ("Prunus avium", "czereśnia ptasia", 50),
    ("Prunus cerasifera", "śliwa wiśniowa (ałycza)", 50),
    ("Quercus robur", "dąb szypułkowy", 50),
    ("Quercus petraea", "dąb bezszypułkowy", 50),
    ("Quercus rubra", "dąb czerwony", 50),
    ("Robinia pseudoacacia", "robinia akacjowa", 65),
    ("Salix alba", "wierzba biała", 80),
    ("Salix fragilis", "wierzba krucha", 80),
    ("Salix babylonica", "wierzba płacząca", 80),
    ("Sorbus aucuparia", "jarząb pospolity", 50),
    ("Tilia cordata", "lipa drobnolistna", 50),
    ("Tilia platyphyllos", "lipa szerokolistna", 50),
    ("Tilia × europaea", "lipa holenderska", 50),
    ("Ulmus laevis", "wiąz szypułkowy", 50),
    ("Ulmus glabra", "wiąz górski", 50),
    ("Juglans regia", "orzech włoski", 50),
    ("Malus domestica", "jabłoń domowa", 50),
    ("Pyrus communis", "grusza pospolita", 50),
    ("Taxus baccata", "cis pospolity", 50),
    ("Thuja occidentalis", "żywotnik zachodni", 50),
    ("Gleditsia triacanthos", "glediczja trójcierniowa", 50),
)


def load_species(apps, schema_editor):
    TreeSpecies = apps.get_model("inventory", "TreeSpecies")
    for latin, polish, threshold in SPECIES:
        TreeSpecies.objects.update_or_create(
            latin_name=latin,
            defaults={"polish_name": polish, "felling_threshold_cm": threshold},
        )


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]
    operations = [migrations.RunPython(load_species, migrations.RunPython.noop)]
