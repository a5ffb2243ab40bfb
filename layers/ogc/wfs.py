"""WFS 2.0 at /ows/wfs through django-gisserver, from the same registry and visibility as WMS.

Each caller gets the feature types of the layers it may see (layers.selectors.visible_layers);
a type name that is hidden from the caller gets the same answer as one that does not exist, as
in the WMS: 401 with WWW-Authenticate for anonymous callers (a login may show more), 400 for
logged-in ones. Attribute labels from the registry become the fields' abstracts.
"""

from __future__ import annotations

import re
import threading
from decimal import Decimal

import orjson
from defusedxml import DefusedXmlException
from django.utils.functional import Promise
from django.utils.translation import gettext
from gisserver import output
from gisserver.crs import CRS
from gisserver.exceptions import OWSException
from gisserver.features import FeatureType, ServiceDescription, field
from gisserver.geometries import WGS84BoundingBox
from gisserver.operations import wfs20
from gisserver.views import WFSView

from sip.geometry import ACCEPTED_SRIDS, STORAGE_SRID
from sip.urls_public import request_url

from ..crs import transform_extent
from ..selectors import LayerInfo, catalogue, internal_rows_of, may_see
from .auth import BadCredentials, LockedOut, lockout_report, ows_user
from .params import request_params

XML_NAMESPACE = "urn:x-sip:warstwy"
# A gml:Envelope start tag that names no CRS (GDAL's WFS driver sends these).
_ENVELOPE_WITHOUT_SRS = re.compile(r"<((?:[A-Za-z_][\w.-]*:)?Envelope)(?![^>]*\bsrsName=)(?=[\s/>])")
_cache_lock = threading.Lock()
# COUNT and STARTINDEX: ASCII digits (str.isdigit also takes "²"), at most this.
_DIGITS = re.compile(r"[0-9]{1,19}")
MAX_PAGING_NUMBER = 2**31 - 1
_feature_types: dict[tuple[int, str, tuple[int, ...] | None, str], FeatureType] = {}


class WFSLayerNotVisible(OWSException):
    """A type name the caller cannot see, whether it exists or not."""

    code = "InvalidParameterValue"
    status_code = 400


def _json_value(value):
    """What orjson does not write itself: decimals (as gisserver writes them, text) and lazy
    translations."""
    if isinstance(value, (Decimal, Promise)):
        return str(value)
    raise TypeError(f"{type(value).__name__} nie da się zapisać w GeoJSON")


class RowGeoJsonRenderer(output.DBGeoJsonRenderer):
    """GeoJSON from database rows as tuples rather than model instances.

    gisserver's DBGeoJsonRenderer builds a model instance for every feature and reads each
    property through it; for 10,000 parcels that costs about as much as PostGIS needs to
    write their geometries. The registry's layers are flat (plain columns of the layer's
    model or view, see registry.register), so the rows are read with values_list(): same
    columns, same pagination and counts, no instances. Anything else (nested elements, related
    rows gisserver would prefetch) takes gisserver's own path."""

    def __init__(self, *args, **kwargs):
        # (feature id prefix, property names) of each projection read as rows; filled by
        # decorate_queryset, which gisserver's __init__ calls.
        self._names: dict[int, tuple[str, list[str]]] = {}
        super().__init__(*args, **kwargs)

    def decorate_queryset(self, projection, queryset):
        queryset = super().decorate_queryset(projection, queryset)
        elements = self._flat_elements(projection)
        if elements is None or queryset._prefetch_related_lookups:
            return queryset
        self._names[id(projection)] = (f"{projection.feature_type.name}.", [e.name for e in elements])
        return queryset.values_list("pk", *(e.orm_path for e in elements), "_as_db_geojson")

    @staticmethod
    def _flat_elements(projection):
        """The non-geometry root elements if every one is a plain value; else None."""
        if projection.main_geometry_element is None or projection.feature_type.show_name_field:
            return None
        elements = [e for e in projection.xsd_root_elements if not e.type.is_geometry]
        if any(e.type.is_complex_type or e.is_many for e in elements):
            return None
        return elements

    def render_feature(self, projection, instance) -> bytes:
        if not isinstance(instance, tuple):
            return super().render_feature(projection, instance)
        prefix, names = self._names[id(projection)]
        pk, *values, geojson = instance
        fmt = self._format_geojson_value
        properties = {name: fmt(v) for name, v in zip(names, values, strict=True)}
        return b'    {"type":"Feature","id":%b,"geometry":%b,"properties":%b}' % (
            orjson.dumps(prefix + str(pk)),
            b"null" if geojson is None else geojson.encode(),
            orjson.dumps(properties, default=_json_value),
        )


class GetCapabilities(wfs20.GetCapabilities):
    """Capabilities that also announce the page limit as WFS 2.0's standard ``CountDefault``.

    gisserver names the limit only ``DefaultMaxFeatures`` (a WFS 1.1 notion); QGIS, GDAL and
    MapServer's clients read ``CountDefault`` (OGC 09-025r2, table 14) and, not finding it,
    take 5,000 features for the whole layer without a warning."""

    def render_xml(self, context, ows_request):
        response = super().render_xml(context, ows_request)
        constraint = (
            f'<ows:Constraint name="CountDefault"><ows:NoValues/>'
            f"<ows:DefaultValue>{int(self.view.max_page_size)}</ows:DefaultValue></ows:Constraint>\n    "
        ).encode()
        body = response.content
        anchor = b"</ows:OperationsMetadata>"
        if b'name="CountDefault"' not in body and anchor in body:
            response.content = body.replace(anchor, constraint + anchor, 1)
        return response


class GetFeature(wfs20.GetFeature):
    def get_output_formats(self):
        formats = super().get_output_formats()
        for fmt in formats:
            if fmt.renderer_class is output.DBGeoJsonRenderer:
                fmt.renderer_class = RowGeoJsonRenderer
        return formats


class LayerFeatureType(FeatureType):
    """A registry layer's FeatureType; its WGS84BoundingBox is the layer's extent from the
    registry snapshot (the extent of its rows), not a query over the rows per capabilities
    request, as gisserver does."""

    def __init__(self, *args, extent_2180: tuple[float, float, float, float], **kwargs):
        super().__init__(*args, **kwargs)
        self.extent_2180 = extent_2180

    def get_bounding_box(self) -> WGS84BoundingBox:
        return WGS84BoundingBox(*transform_extent(self.extent_2180, 4326))


def feature_type(info: LayerInfo, version: int, internal_of: tuple[int, ...] | None = ()) -> FeatureType:
    """The gisserver FeatureType of a layer, built once per registry version and row scope
    (the gminas whose internal rows the caller sees, layers.selectors.internal_rows_of)."""
    if not info.source.public_field:
        internal_of = None  # the same rows for everyone: one FeatureType
    # The title is the layer's in the answer's language (layers.ogc.language).
    title = info.layer.display_title
    key = (version, info.name, internal_of, title)
    with _cache_lock:
        found = _feature_types.get(key)
        if found is None:
            if len(_feature_types) > 500:
                _feature_types.clear()
            src = info.source
            found = LayerFeatureType(
                src.queryset(info.layer.gmina_id, internal_of=internal_of).order_by("pk"),
                fields=[field(attr, abstract=label) for attr, label in src.fields]
                + [field(src.geometry_field, abstract="geometria")],
                geometry_field_name=src.geometry_field,
                name=info.name,
                title=title,
                abstract=info.layer.abstract or None,
                keywords=[k for k in (info.layer.group, src.name) if k],
                crs=CRS.from_srid(STORAGE_SRID),
                other_crs=[CRS.from_srid(s) for s in ACCEPTED_SRIDS if s != STORAGE_SRID],
                show_name_field=False,
                extent_2180=info.extent,
            )
            _feature_types[key] = found
    return found


def _requested_names(request) -> list[str]:
    params = request_params(request.GET.items())
    raw = params.get("typenames") or params.get("typename") or ""
    names = []
    for part in raw.replace("(", ",").replace(")", ",").split(","):
        part = part.strip()
        if part:
            names.append(part.split(":", 1)[-1])
    return names


def _default_envelope_crs(request) -> None:
    """Give a FILTER's gml:Envelope without srsName the layers' storage CRS, as FES 2.0 says
    (the CRS of the geometry property); django-gisserver 2.5 refuses such envelopes."""
    key = next((k for k in request.GET if k.lower() == "filter"), None)
    if key is None or "Envelope" not in request.GET[key]:
        return
    fixed = _ENVELOPE_WITHOUT_SRS.sub(
        rf'<\1 srsName="urn:ogc:def:crs:EPSG::{STORAGE_SRID}"', request.GET[key]
    )
    if fixed != request.GET[key]:
        query = request.GET.copy()
        query[key] = fixed
        request.GET = query


class SIPWFSView(WFSView):
    accept_operations = {
        "WFS": {
            **WFSView.accept_operations["WFS"],
            "GetCapabilities": GetCapabilities,
            "GetFeature": GetFeature,
        }
    }
    xml_namespace = XML_NAMESPACE
    xml_namespace_aliases = {"sip": XML_NAMESPACE, "app": XML_NAMESPACE}

    def get_service_description(self, service=None) -> ServiceDescription:
        """The service's title and abstract in the answer's language (layers.ogc.language)."""
        return ServiceDescription(
            title=gettext("SIP – dane wektorowe gmin partnerskich"),
            abstract=gettext(
                "Usługa pobierania obiektów (WFS 2.0) systemu informacji przestrzennej gmin "
                "partnerskich: działki, obręby, granice gmin, adresy i warstwy tematyczne."
            ),
            keywords=["działki", "obręby", "gminy", "adresy"],
            provider_name="Jednostka centralna SIP",
        )

    def dispatch(self, request, *args, **kwargs):
        try:
            self.sip_user = ows_user(request)
        except BadCredentials:
            response = OWSException(
                "Błędna nazwa użytkownika, hasło lub token.",
                code="OperationProcessingFailed",
                status_code=401,
            ).as_response()
            response["WWW-Authenticate"] = 'Basic realm="SIP", charset="UTF-8"'
            return response
        except LockedOut as exc:
            return lockout_report(
                OWSException(exc.message, code="OperationProcessingFailed", status_code=429).as_response()
            )
        params = request_params(request.GET.items())
        for key in ("count", "maxfeatures", "startindex"):
            value = params.get(key, "").strip()
            if value and (not _DIGITS.fullmatch(value) or int(value) > MAX_PAGING_NUMBER):
                # gisserver 2.5 answers a negative COUNT with a 500 (negative slicing), and
                # PostgreSQL a STARTINDEX beyond its bigint OFFSET with another.
                return OWSException(
                    f"{key.upper()} musi być liczbą całkowitą od 0 do {MAX_PAGING_NUMBER}.",
                    code="InvalidParameterValue",
                    locator=key,
                ).as_response()
        _default_envelope_crs(request)
        cat = catalogue()
        for name in _requested_names(request):
            info = cat.get(name)
            if info is None or not may_see(self.sip_user, info):
                anonymous = not self.sip_user.is_authenticated
                text = (
                    f"Warstwa „{name}” nie istnieje albo jest dostępna tylko po zalogowaniu."
                    if anonymous
                    else f"Warstwa „{name}” nie istnieje albo nie masz do niej dostępu."
                )
                response = WFSLayerNotVisible(
                    text, locator="typeNames", status_code=401 if anonymous else 400
                ).as_response()
                if anonymous:
                    response["WWW-Authenticate"] = 'Basic realm="SIP", charset="UTF-8"'
                return response
        return super().dispatch(request, *args, **kwargs)

    def handle_exception(self, exc):
        if isinstance(exc, DefusedXmlException):
            # DTDs and entities (XML bombs, external entities) are refused by defusedxml;
            # gisserver 2.5 lets that exception become a 500.
            return OWSException(
                "Dokument XML z deklaracją DTD lub encjami jest niedozwolony.",
                code="OperationParsingFailed",
                locator="body",
            ).as_response()
        return super().handle_exception(exc)

    def get_feature_types(self) -> list[FeatureType]:
        cat = catalogue()
        internal_of = internal_rows_of(self.sip_user)
        return [
            feature_type(info, cat.version, internal_of)
            for info in cat.layers
            if info.is_vector and may_see(self.sip_user, info)
        ]

    @property
    def server_url(self):
        return request_url(self.request)
