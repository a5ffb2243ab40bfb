"""Forms of the staff pages, built from the register declarations."""

from __future__ import annotations

from django import forms
from django.db import models as djm
from leaflet.forms.widgets import LeafletWidget

from sip.geometry import ACCEPTED_SRIDS
from sip.images import SanitizedImageFormField
from sip.uploads import check_upload_size

from .importing.headers import GEOMETRY_LABELS
from .models import Inspection
from .registers import Register


def item_form_class(register: Register, gmina) -> type[forms.ModelForm]:
    """A ModelForm with the register's attributes and a map to draw the geometry on."""
    names = [a.name for a in register.all_attrs]

    class ItemForm(forms.ModelForm):
        class Meta:
            model = register.model
            fields = [*names, "geom"]
            widgets = {"geom": LeafletWidget(), "notes": forms.Textarea(attrs={"rows": 2})}
            labels = {n: register.label(n) for n in names}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for attr in register.all_attrs:
                if attr.ref is not None:
                    self.fields[attr.name].queryset = attr.ref.options(gmina)
                self.fields[attr.name].required = attr.required
            self.fields["geom"].label = (
                "Położenie – kliknij na mapie"
                if register.geometry == "Point"
                else ("Przebieg – narysuj linię na mapie")
            )

    return ItemForm


def filter_fields(register: Register, params) -> list[dict]:
    """What the filter form above a register table shows: one entry per filterable attribute,
    with the current values from the query string (the same parameters as the API)."""
    out = []
    for attr in register.all_attrs:
        if not attr.filter:
            continue
        f = register.model_field(attr.name)
        entry = {"name": attr.name, "label": register.label(attr.name)}
        if isinstance(f, djm.BooleanField):
            entry.update(
                kind="choice", choices=[("tak", "tak"), ("nie", "nie")], value=params.get(attr.name, "")
            )
        elif f.choices:
            entry.update(
                kind="choice",
                choices=[(str(v), str(lbl)) for v, lbl in f.choices],
                value=params.get(attr.name, ""),
            )
        elif attr.ref is None and isinstance(f, djm.IntegerField | djm.DecimalField | djm.DateField):
            entry.update(
                kind="range",
                input="date" if isinstance(f, djm.DateField) else "text",
                low=params.get(f"{attr.name}__gte", ""),
                high=params.get(f"{attr.name}__lte", ""),
            )
        else:
            entry.update(kind="text", value=params.get(attr.name, ""))
        out.append(entry)
    for c in register.computed:
        out.append(
            {
                "name": c.name,
                "label": c.label,
                "kind": "choice",
                "choices": list(c.choices),
                "value": params.get(c.name, ""),
            }
        )
    return out


class InspectionForm(forms.ModelForm):
    class Meta:
        model = Inspection
        fields = ["inspected_on", "inspector", "result", "next_due", "notes"]
        widgets = {
            "inspected_on": forms.DateInput(attrs={"type": "date"}),
            "next_due": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class PhotoForm(forms.Form):
    image = SanitizedImageFormField(label="Zdjęcie")
    caption = forms.CharField(label="Opis", max_length=200, required=False)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Plik rejestru",
        help_text="XLSX, ODS, CSV, GPKG, GeoJSON albo Shapefile spakowany do ZIP.",
    )
    srid = forms.TypedChoiceField(
        label="Układ współrzędnych pliku",
        choices=[("", "rozpoznaj po liczbach")] + [(s, f"EPSG:{s}") for s in ACCEPTED_SRIDS if s != 3857],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload_size(upload)
        return upload


def mapping_choices(register: Register) -> list[tuple[str, str]]:
    choices = [("", "— pomiń kolumnę —")]
    choices += [(a.name, register.label(a.name)) for a in register.all_attrs]
    positions = ["x", "y", "lat", "lon", "coords", "wkt"] if register.geometry == "Point" else ["wkt"]
    choices += [(t, GEOMETRY_LABELS[t]) for t in positions]
    return choices
