import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("layers", "0008_layer_rasters_private"),
    ]

    operations = [
        migrations.AddField(
            model_name="style",
            name="rules_only",
            field=models.BooleanField(
                default=False,
                help_text="Obiekty rysują tylko klasy stylu (każda w swoim zakresie skal); obiekt, do którego "
                "w danej skali nie pasuje żadna klasa, nie jest rysowany.",
                verbose_name="tylko klasy",
            ),
        ),
        migrations.AlterField(
            model_name="stylerule",
            name="field",
            field=models.CharField(
                blank=True,
                help_text="Puste: wszystkie obiekty (klasa tylko ze skalami).",
                max_length=63,
                verbose_name="atrybut",
            ),
        ),
        migrations.AddField(
            model_name="stylerule",
            name="stroke_width",
            field=models.FloatField(
                blank=True,
                help_text="Puste: jak w stylu.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(0),
                    django.core.validators.MaxValueValidator(20),
                ],
                verbose_name="grubość linii [px]",
            ),
        ),
        migrations.AlterField(
            model_name="stylerule",
            name="min_scale",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Najbardziej szczegółowa skala (mianownik).",
                null=True,
                verbose_name="od skali 1:",
            ),
        ),
        migrations.AlterField(
            model_name="stylerule",
            name="max_scale",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Najmniej szczegółowa skala (mianownik), wyłącznie.",
                null=True,
                verbose_name="do skali 1:",
            ),
        ),
        migrations.AddField(
            model_name="stylerule",
            name="label_field",
            field=models.CharField(
                blank=True,
                help_text="Puste: etykiety jak w stylu.",
                max_length=63,
                verbose_name="etykieta z atrybutu",
            ),
        ),
        migrations.AddField(
            model_name="stylerule",
            name="label_colour",
            field=models.CharField(
                blank=True,
                help_text="Puste: jak w stylu.",
                max_length=7,
                validators=[
                    django.core.validators.RegexValidator(
                        "^#[0-9a-fA-F]{6}$", "Kolor w zapisie #rrggbb, np. #ff8800."
                    )
                ],
                verbose_name="kolor etykiety",
            ),
        ),
        migrations.AddField(
            model_name="stylerule",
            name="label_size",
            field=models.FloatField(
                blank=True,
                help_text="Puste: jak w stylu.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(4),
                    django.core.validators.MaxValueValidator(36),
                ],
                verbose_name="wielkość etykiety [pt]",
            ),
        ),
        migrations.AddField(
            model_name="layer",
            name="base_map",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Puste: warstwa tematyczna. Liczba: warstwa mapy bazowej geoportalu, rysowana od "
                "najmniejszej liczby (spód) do największej.",
                null=True,
                verbose_name="w mapie bazowej „Mapa SIP” (kolejność)",
            ),
        ),
    ]
