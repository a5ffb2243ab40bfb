from django import forms

from .models import ExtractCase


class ExtractApplicationForm(forms.Form):
    applicant = forms.CharField(label="Wnioskodawca (imię i nazwisko lub nazwa)", max_length=200)
    applicant_address = forms.CharField(label="Adres wnioskodawcy", max_length=250, required=False)
    application_date = forms.DateField(
        label="Data wniosku", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kind = forms.ChoiceField(label="Wydać", choices=ExtractCase.Kind.choices, initial=ExtractCase.Kind.BOTH)
    parcels = forms.CharField(
        label="Działki (identyfikatory EGiB, po jednym w wierszu albo po przecinku)",
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "020101_1.0001.123/4"}),
    )
    purpose = forms.CharField(label="Cel (opcjonalnie)", max_length=250, required=False)

    def clean_parcels(self):
        raw = self.cleaned_data["parcels"].replace(",", "\n").replace(";", "\n")
        items = [line.strip() for line in raw.splitlines() if line.strip()]
        if not items:
            raise forms.ValidationError("Podaj co najmniej jedną działkę.")
        return items
