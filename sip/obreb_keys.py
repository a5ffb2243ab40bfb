"""Models that store the obręb containing each row's point, declared by the apps that own them.

A stored obręb key (e.g. inventory's PointItem.obreb) lets reports group tens of thousands of
rows by obręb without a spatial join; it stays right only if every change of an obręb boundary
recomputes it. sip may not import the apps that keep such keys, so they declare their models
here, in their AppConfig.ready()::

    from sip.obreb_keys import register

    register(Tree)   # a model with fields gmina, geom (a point) and obreb (FK to sip.Obreb)

and every writer of obręby (sip.services.save_obreb and delete_obreb, used by the admin; the
parcel import; the demo loader) calls sip.services.refresh_obreb_keys for the changed area.
"""

from __future__ import annotations

_MODELS: dict[str, type] = {}


def register(model) -> None:
    """Declare a model whose rows keep the obręb of their point in the column obreb_id."""
    _MODELS[model._meta.label] = model


def models() -> list[type]:
    """The declared models, in a fixed order."""
    return [_MODELS[label] for label in sorted(_MODELS)]
