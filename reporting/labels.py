"""Polish names of a table's dimensions and values (dataset choices, obręb and gmina names)."""

from __future__ import annotations

from sip.datasets import Dataset
from sip.models import Gmina, Obreb

SPATIAL_LABELS = {"gmina": "gmina", "obreb": "obręb", "grid_1km": "kwadrat 1 km"}
BUCKET_LABELS = {"month": "miesiąc", "quarter": "kwartał", "year": "rok", "decade": "dekada"}


def dimension_labels(ds: Dataset, group_by: list[str]) -> dict[str, str]:
    out = {}
    for g in group_by:
        name, _, bucket = g.partition(":")
        dim = ds.dimension(name)
        label = SPATIAL_LABELS.get(name) or (dim.label if dim else name)
        out[name] = f"{label} ({BUCKET_LABELS[bucket]})" if bucket in BUCKET_LABELS else label
    return out


def value_labels(ds: Dataset, dimensions: list[str], keys: list[tuple]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for i, name in enumerate(dimensions):
        values = {k[i] for k in keys if k[i] not in (None, "*")}
        if name == "obreb":
            pairs = {}
            for teryt, code, oname in Obreb.objects.filter(
                gmina__teryt__in={str(v).partition(".")[0] for v in values}
            ).values_list("gmina__teryt", "code", "name"):
                pairs[f"{teryt}.{code}"] = f"{code} {oname}"
            out[name] = {v: pairs.get(v, v) for v in values}
        elif name == "gmina":
            out[name] = dict(Gmina.objects.filter(teryt__in=values).values_list("teryt", "name"))
        else:
            dim = ds.dimension(name)
            if dim and dim.choices:
                choices = {str(c): label for c, label in dim.choices}
                out[name] = {v: choices.get(str(v), v) for v in values}
    return out
