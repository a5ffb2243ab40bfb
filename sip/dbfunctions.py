"""Database functions Django does not ship: PostGIS ones and SIP's own."""

from django.contrib.gis.db.models.functions import GeomOutputGeoFunc
from django.db.models import CharField, Func


class SimplifyPreserveTopology(GeomOutputGeoFunc):
    """ST_SimplifyPreserveTopology(geom, tolerance in the geometry's units)."""

    function = "ST_SimplifyPreserveTopology"
    arity = 2


class Fold(Func):
    """sip_fold(text): the database's sip.text.fold (lower case without diacritics, ASCII dashes
    and quotes, single spaces), generated from the same tables. The function is IMMUTABLE, so
    expression indexes are built on it (obręb and street names, address localities)."""

    function = "sip_fold"
    output_field = CharField()
