from django.contrib.postgres.operations import CreateExtension, TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        CreateExtension("postgis"),
        CreateExtension("pgrouting"),
        TrigramExtension(),
        UnaccentExtension(),
    ]
