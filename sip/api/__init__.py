"""REST API of the core domain (parcels) and the plumbing every API view shares.

Every view derives from `SipAPIView` (base): JSON bodies only, parsed safely (depth, NUL, lone
surrogates), writes authenticated and authorised before the body is read, input and output
through serializers that drf-spectacular documents, errors as {"detail": ...} (errors), lists
paged with a total and next/previous links (paging), shared parameters and fields (fields).

The names below are imported by the apps (`from sip.api import ...`) and by dotted path in the
settings (REST_FRAMEWORK["EXCEPTION_HANDLER"]) and sip/project/urls.py (handler404, handler500).
"""

from .base import (
    ID_SCHEMA,
    MAX_ID_DIGITS,
    MAX_JSON_DEPTH,
    MAX_QUERY_LENGTH,
    SafeJSONParser,
    SignedInForWrites,
    SipAPIView,
    SipAutoSchema,
)
from .errors import (
    BadRequest,
    ErrorSerializer,
    documented,
    errors,
    exception_handler,
    not_found,
    server_error,
    validated,
)
from .fields import (
    PARCEL_ID_PARAM,
    PARCEL_ID_PATTERN,
    SRID_PARAM,
    FlagField,
    SearchTextField,
    SridField,
    geometry_from_body,
    geometry_in_poland,
    request_srid,
)
from .paging import (
    CrsSerializer,
    GeoJSONGeometrySerializer,
    LinkSerializer,
    collection_serializer,
    feature_links,
    feature_serializer,
    page_links,
    page_serializer,
    paged_features,
    paged_list,
)
from .parcels import (
    GminaRefSerializer,
    ObrebRefSerializer,
    ParcelCollectionSerializer,
    ParcelDetailView,
    ParcelFeatureSerializer,
    ParcelPropertiesSerializer,
    ParcelSearchView,
)

__all__ = [
    "ID_SCHEMA",
    "MAX_ID_DIGITS",
    "MAX_JSON_DEPTH",
    "MAX_QUERY_LENGTH",
    "PARCEL_ID_PARAM",
    "PARCEL_ID_PATTERN",
    "SRID_PARAM",
    "BadRequest",
    "CrsSerializer",
    "ErrorSerializer",
    "FlagField",
    "GeoJSONGeometrySerializer",
    "GminaRefSerializer",
    "LinkSerializer",
    "ObrebRefSerializer",
    "ParcelCollectionSerializer",
    "ParcelDetailView",
    "ParcelFeatureSerializer",
    "ParcelPropertiesSerializer",
    "ParcelSearchView",
    "SafeJSONParser",
    "SearchTextField",
    "SignedInForWrites",
    "SipAPIView",
    "SipAutoSchema",
    "SridField",
    "collection_serializer",
    "documented",
    "errors",
    "exception_handler",
    "feature_links",
    "feature_serializer",
    "geometry_from_body",
    "geometry_in_poland",
    "not_found",
    "page_links",
    "page_serializer",
    "paged_features",
    "paged_list",
    "request_srid",
    "server_error",
    "validated",
]
