"""PostGIS functions GeoDjango does not ship."""

from django.contrib.gis.db.models.functions import GeomOutputGeoFunc


class SimplifyPreserveTopology(GeomOutputGeoFunc):
    """ST_SimplifyPreserveTopology(geom, tolerance in the geometry's units)."""

    function = "ST_SimplifyPreserveTopology"
    arity = 2
