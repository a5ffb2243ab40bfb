"""The one map renderer: registry layers for a ground extent at a size and resolution, with
overlays (an outlined parcel, a route, labels) and legend images.

WMS GetMap, the geoportal print and the planning wyrys all draw through ``draw_map``; layer
styles come only from the registry (``registry_class``/``registry_colour`` for features that a
caller brings itself, such as one plan's zones). See ``layers.render.service``.
"""

from .service import (
    Frame,
    LayerNotDrawable,
    Overlay,
    draw_legend,
    draw_map,
    registry_colour,
    registry_style,
)

__all__ = [
    "Frame",
    "LayerNotDrawable",
    "Overlay",
    "draw_legend",
    "draw_map",
    "registry_colour",
    "registry_style",
]
