"""The OpenAPI schema generator of SIP's API.

Views declare their bodies as nested `InputSerializer` and `OutputSerializer` classes (the house
style); drf-spectacular names a component after the class alone, so every app's "Input" and
"Output" would collide. A nested serializer is named after the class that holds it instead:
`ReportCreateView.InputSerializer` becomes the component `ReportCreateInput`. `Meta.ref_name`
still wins where a view names its component itself."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


class AutoSchema(SpectacularAutoSchema):
    def get_serializer_name(self, serializer, direction) -> str:
        cls = type(serializer)
        parts = cls.__qualname__.split(".")
        if len(parts) < 2 or "<locals>" in parts:
            return cls.__name__
        owner = parts[-2].removesuffix("View").removesuffix("Serializer")
        return owner + cls.__name__
