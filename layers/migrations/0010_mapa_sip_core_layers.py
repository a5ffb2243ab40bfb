"""Mapa SIP on databases whose core layers were published before scale-dependent classes: the
layers of gmina boundaries, obręby, parcels, address points and streets join the base map and
take the classes that layers/core_layers.py now registers for them (a new database gets them from
the registry itself, after migrate). A layer or style that staff have changed is left alone:
only a style still named after its source and without classes, and the layer's scale limit
still at the old default, are updated. The values are pinned here, as a migration must not
import today's application code; tests/layers/test_registry.py checks they equal the registry's.
"""

from django.db import migrations

# The scale limit each layer was first published with (before this migration).
OLD_MAX_SCALE = {"gminy": None, "obreby": None, "dzialki": 50_000, "adresy": 10_000, "ulice": 25_000}

CORE_LAYERS = {'gminy': {'max_scale': None,
           'base_map': 60,
           'style': {'stroke_colour': '#b2182b',
                     'stroke_width': 2.5,
                     'fill_colour': '',
                     'label_colour': '#8c0f1f',
                     'rules_only': True,
                     'rules': [{'title': 'granica gminy z nazwą',
                                'min_scale': 60000,
                                'max_scale': 1000000,
                                'label_field': 'name',
                                'label_size': 11},
                               {'title': 'granica gminy', 'max_scale': 60000}]}},
 'obreby': {'max_scale': None,
            'base_map': 50,
            'style': {'stroke_colour': '#6a51a3',
                      'stroke_width': 1.0,
                      'fill_colour': '',
                      'label_colour': '#3f007d',
                      'label_size': 9,
                      'rules_only': True,
                      'rules': [{'title': 'obręb z nazwą (skala gminy)',
                                 'min_scale': 13000,
                                 'max_scale': 150000,
                                 'label_field': 'name'},
                                {'title': 'obręb z nazwą',
                                 'max_scale': 13000,
                                 'stroke_width': 1.5,
                                 'label_field': 'name',
                                 'label_size': 10}]}},
 'dzialki': {'max_scale': 7500,
             'base_map': 20,
             'style': {'fill_colour': '#fee8c8',
                       'fill_opacity': 60,
                       'stroke_colour': '#b35806',
                       'stroke_width': 0.6,
                       'label_colour': '#7f3b08',
                       'label_size': 7,
                       'rules_only': True,
                       'rules': [{'title': 'działka z numerem',
                                  'min_scale': 3500,
                                  'max_scale': 7500,
                                  'label_field': 'number'},
                                 {'title': 'działka z numerem (zbliżenie)',
                                  'max_scale': 3500,
                                  'stroke_width': 1.0,
                                  'label_field': 'number',
                                  'label_size': 9}]}},
 'adresy': {'max_scale': 7500,
            'base_map': 70,
            'style': {'fill_colour': '#4d4d4d',
                      'stroke_colour': '#ffffff',
                      'symbol': 'circle',
                      'symbol_size': 5,
                      'stroke_width': 0.5,
                      'label_colour': '#000000',
                      'rules_only': True,
                      'rules': [{'title': 'punkt adresowy', 'min_scale': 3500, 'max_scale': 7500},
                                {'title': 'punkt adresowy z numerem',
                                 'max_scale': 3500,
                                 'label_field': 'house_number',
                                 'label_size': 8}]}},
 'ulice': {'max_scale': None,
           'base_map': 40,
           'style': {'stroke_colour': '#969696',
                     'stroke_width': 1.2,
                     'label_colour': '#252525',
                     'label_size': 8,
                     'rules_only': True,
                     'rules': [{'title': 'droga krajowa (z numerem)',
                                'field': 'road_category',
                                'value': 'krajowa',
                                'stroke_colour': '#d7301f',
                                'stroke_width': 4.5,
                                'min_scale': 13000,
                                'max_scale': 1000000,
                                'label_field': 'road_number',
                                'label_colour': '#67000d',
                                'label_size': 8},
                               {'title': 'droga wojewódzka (z numerem)',
                                'field': 'road_category',
                                'value': 'wojewodzka',
                                'stroke_colour': '#f16913',
                                'stroke_width': 3.5,
                                'min_scale': 13000,
                                'max_scale': 1000000,
                                'label_field': 'road_number',
                                'label_colour': '#67000d',
                                'label_size': 8},
                               {'title': 'droga powiatowa (z numerem)',
                                'field': 'road_category',
                                'value': 'powiatowa',
                                'stroke_colour': '#e6a100',
                                'stroke_width': 2.5,
                                'min_scale': 13000,
                                'max_scale': 1000000,
                                'label_field': 'road_number',
                                'label_colour': '#67000d',
                                'label_size': 8},
                               {'title': 'droga gminna lub wewnętrzna',
                                'min_scale': 13000,
                                'max_scale': 60000},
                               {'title': 'droga krajowa',
                                'field': 'road_category',
                                'value': 'krajowa',
                                'stroke_colour': '#d7301f',
                                'stroke_width': 6.5,
                                'max_scale': 13000,
                                'label_field': 'name',
                                'label_size': 9},
                               {'title': 'droga wojewódzka',
                                'field': 'road_category',
                                'value': 'wojewodzka',
                                'stroke_colour': '#f16913',
                                'stroke_width': 5.5,
                                'max_scale': 13000,
                                'label_field': 'name',
                                'label_size': 9},
                               {'title': 'droga powiatowa',
                                'field': 'road_category',
                                'value': 'powiatowa',
                                'stroke_colour': '#e6a100',
                                'stroke_width': 4.5,
                                'max_scale': 13000,
                                'label_field': 'name',
                                'label_size': 9},
                               {'title': 'ulica',
                                'stroke_colour': '#7a7a7a',
                                'stroke_width': 3,
                                'max_scale': 13000,
                                'label_field': 'name',
                                'label_size': 9}]}}}


def forwards(apps, schema_editor):
    Layer = apps.get_model("layers", "Layer")
    StyleRule = apps.get_model("layers", "StyleRule")
    RegistryVersion = apps.get_model("layers", "RegistryVersion")
    changed = False
    for name, target in CORE_LAYERS.items():
        layer = Layer.objects.filter(name=name, source=name).select_related("style").first()
        if layer is None:
            continue  # a new database: the registry publishes the layer with these defaults
        layer.base_map = target["base_map"]
        if layer.max_scale == OLD_MAX_SCALE[name]:
            layer.max_scale = target["max_scale"]
        layer.save(update_fields=["base_map", "max_scale"])
        style = layer.style
        if style.name == name and not StyleRule.objects.filter(style=style).exists():
            attrs = {k: v for k, v in target["style"].items() if k != "rules"}
            style.label_field = ""  # the labels are the classes' own now
            style.label_max_scale = None
            for key, value in attrs.items():
                setattr(style, key, value)
            style.save()
            for order, rule in enumerate(target["style"]["rules"]):
                StyleRule.objects.create(style=style, order=order, **rule)
        changed = True
    if changed:
        # Every process rebuilds its map objects (layers.services.bump_version).
        version, _ = RegistryVersion.objects.get_or_create(pk=1)
        version.version += 1
        version.save()


class Migration(migrations.Migration):
    dependencies = [
        ("layers", "0009_style_scale_classes_base_map"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
