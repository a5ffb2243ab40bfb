"""Database functions Django does not ship: PostGIS ones and SIP's own."""

from django.contrib.gis.db.models.functions import GeomOutputGeoFunc
from django.db.models import CharField, Func


class SimplifyPreserveTopology(GeomOutputGeoFunc):
    """ST_SimplifyPreserveTopology(geom, tolerance in the geometry's units)."""

    function = "ST_SimplifyPreserveTopology"
    arity = 2


class Fold(Func):
    """sip_fold(text): lower case without diacritics, as `unaccent` folds it. The function is
    IMMUTABLE (unaccent itself is only STABLE), so expression indexes can be built on it; the
    migration that creates it also indexes the obręb names for the "15 Kruszyn" search."""

    function = "sip_fold"
    output_field = CharField()
