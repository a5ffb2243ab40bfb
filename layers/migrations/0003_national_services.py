"""The national services every partner gmina shows (shared/DOMAIN.md): configured here, their
layers are read with "Odczytaj warstwy" in the admin where the office network reaches them."""

from django.db import migrations

NATIONAL = [
    ("Ortofotomapa (GUGiK)", "https://mapy.geoportal.gov.pl/wss/service/PZGIK/ORTO/WMS/StandardResolution"),
    (
        "Krajowa Integracja Ewidencji Gruntów (GUGiK)",
        "https://integracja.gugik.gov.pl/cgi-bin/KrajowaIntegracjaEwidencjiGruntow",
    ),
    (
        "Krajowa Integracja Miejscowych Planów Zagospodarowania Przestrzennego (GUGiK)",
        "https://mapy.geoportal.gov.pl/wss/ext/KrajowaIntegracjaMiejscowychPlanowZagospodarowaniaPrzestrzennego",
    ),
]


def add(apps, schema_editor):
    ExternalService = apps.get_model("layers", "ExternalService")
    for title, url in NATIONAL:
        ExternalService.objects.get_or_create(url=url, defaults={"title": title})


def remove(apps, schema_editor):
    apps.get_model("layers", "ExternalService").objects.filter(url__in=[u for _, u in NATIONAL]).delete()


class Migration(migrations.Migration):
    dependencies = [("layers", "0002_external_services")]
    operations = [migrations.RunPython(add, remove)]
