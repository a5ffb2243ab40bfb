"""AddressPoint.parcel, the gmina's parcel under the address point, kept by database triggers
for every writer: an address added or moved, a parcel added, reshaped, re-imported or deleted.
The oracle is the geometry itself: the parcel of the address's gmina that contains the point."""

import json

import pytest
from django.contrib.gis.geos import LineString, MultiLineString, Point
from django.db import connection

from sip import parcel_import, services
from sip.models import AddressPoint, Parcel
from tests.conftest import ObrebFactory, ParcelFactory, square

pytestmark = pytest.mark.django_db


def under(address: AddressPoint) -> Parcel | None:
    """The oracle: the parcel of the address's gmina containing its point, first by identifier."""
    return (
        Parcel.objects.filter(gmina=address.gmina_id, geom__contains=address.geom)
        .order_by("identifier")
        .first()
    )


def stored(address: AddressPoint) -> int | None:
    return AddressPoint.objects.filter(pk=address.pk).values_list("parcel_id", flat=True).get()


def check_constraints():
    # The key is deferred to the commit, which a test never reaches: check it now.
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("SET CONSTRAINTS ALL DEFERRED")


def address_at(gmina, x: float, y: float, number: str = "1") -> AddressPoint:
    a = AddressPoint(
        gmina=gmina, locality=gmina.name, house_number=number, postcode="59-700", geom=Point(x, y, srid=2180)
    )
    a.save()
    return a


def centre(parcel: Parcel) -> tuple[float, float]:
    c = parcel.geom.point_on_surface
    return c.x, c.y


def test_an_added_or_moved_address_gets_the_parcel_under_it(gmina):
    first, second = ParcelFactory.create_batch(2, obreb=ObrebFactory(gmina=gmina))
    a = address_at(gmina, *centre(first))
    assert a.parcel_id == stored(a) == first.pk == under(a).pk
    a.geom = Point(*centre(second), srid=2180)
    a.save()
    assert a.parcel_id == stored(a) == second.pk
    # Off every parcel (the factory's parcels are 30 m squares 40 m apart): none.
    x0, y0, _, _ = first.geom.extent
    AddressPoint.objects.filter(pk=a.pk).update(geom=Point(x0 - 5, y0 - 5, srid=2180))
    assert stored(a) is None and under(AddressPoint.objects.get(pk=a.pk)) is None
    # A bulk insert (the demo loader's and imports' way) gets it too.
    (b,) = AddressPoint.objects.bulk_create(
        [
            AddressPoint(
                gmina=gmina, locality="X", house_number="2", postcode="59-700", geom=Point(*centre(first))
            )
        ]
    )
    assert stored(b) == first.pk


def test_a_written_parcel_id_is_replaced_by_the_parcel_under_the_point(gmina):
    first, second = ParcelFactory.create_batch(2, obreb=ObrebFactory(gmina=gmina))
    a = address_at(gmina, *centre(first))
    AddressPoint.objects.filter(pk=a.pk).update(parcel=second)
    assert stored(a) == first.pk
    a.parcel = second
    a.save()
    assert a.parcel_id == stored(a) == first.pk


def test_parcel_changes_move_the_addresses(gmina, editor):
    obreb = ObrebFactory(gmina=gmina)
    (old,) = ParcelFactory.create_batch(1, obreb=obreb)
    x0, y0, x1, y1 = old.geom.extent
    inside = address_at(gmina, x0 + 10, y0 + 10, "1")
    beside = address_at(gmina, x1 + 5, y0 + 5, "2")  # in the 10 m gap east of the parcel
    assert (stored(inside), stored(beside)) == (old.pk, None)
    # A new parcel over the gap: the address there is now on it.
    new = services.create_parcel(
        actor=editor, identifier=f"{gmina.teryt}.{obreb.code}.900", geom=square(x1, y0, 10)
    )
    assert (stored(inside), stored(beside)) == (old.pk, new.pk)
    # Reshaped so that it leaves the first address out and takes in the second one.
    services.update_parcel(actor=editor, parcel=old, geom=square(x1 - 5, y0, 12))
    assert stored(inside) is None
    assert stored(beside) == under(beside).pk == min(old, new, key=lambda p: p.identifier).pk
    # A change of the registered area alone moves nothing.
    services.update_parcel(actor=editor, parcel=new, registered_area_m2=123)
    assert stored(beside) == under(beside).pk
    # Deleted: the address falls to the parcel still under it, then to none.
    services.delete_parcel(actor=editor, parcel=Parcel.objects.get(pk=under(beside).pk))
    assert stored(beside) == (under(beside).pk if under(beside) else None)
    for p in Parcel.objects.filter(gmina=gmina):
        services.delete_parcel(actor=editor, parcel=p)
    assert (stored(inside), stored(beside)) == (None, None)
    check_constraints()


def test_a_parcel_of_another_gmina_is_never_the_address_parcel(gmina, other_gmina):
    # Two gminas' parcels at the same place (overlapping data): each address takes its own.
    mine = ParcelFactory(obreb=ObrebFactory(gmina=gmina))
    theirs = ParcelFactory(obreb=ObrebFactory(gmina=other_gmina), geom=mine.geom)
    a = address_at(gmina, *centre(mine))
    b = address_at(other_gmina, *centre(mine))
    assert (stored(a), stored(b)) == (mine.pk, theirs.pk)
    Parcel.objects.filter(pk=mine.pk).delete()
    assert stored(a) is None and stored(b) == theirs.pk
    check_constraints()


def test_reimported_parcels_carry_their_addresses(gmina, editor, tmp_path):
    """The parcel import updates parcels in place (QuerySet.update): the addresses follow."""

    def egib_file(name, parcels):
        features = [
            {
                "type": "Feature",
                "properties": {"id_dzialki": f"{gmina.teryt}.0001.{number}"},
                "geometry": json.loads(square(x, y, 20).json),
            }
            for number, (x, y) in parcels.items()
        ]
        path = tmp_path / name
        crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2180"}}
        path.write_text(json.dumps({"type": "FeatureCollection", "crs": crs, "features": features}))
        return path

    x0, y0, _, _ = gmina.boundary.extent
    parcel_import.import_parcels(
        actor=editor,
        path=egib_file("a.geojson", {"1": (x0 + 100, y0 + 100), "2": (x0 + 200, y0 + 100)}),
        gmina=gmina,
    )
    a = address_at(gmina, x0 + 110, y0 + 110)
    first = Parcel.objects.get(identifier=f"{gmina.teryt}.0001.1")
    assert stored(a) == first.pk
    # Re-imported with parcel 1 moved away and parcel 2 now under the address.
    report = parcel_import.import_parcels(
        actor=editor,
        path=egib_file("b.geojson", {"1": (x0 + 300, y0 + 100), "2": (x0 + 100, y0 + 100)}),
        gmina=gmina,
    )
    assert report.updated == 2
    assert stored(a) == Parcel.objects.get(identifier=f"{gmina.teryt}.0001.2").pk == under(a).pk


def test_every_demo_address_has_the_parcel_under_it(demo_data):
    with connection.cursor() as cur:
        cur.execute(
            """SELECT count(*), count(a.parcel_id), count(*) FILTER (WHERE a.parcel_id IS DISTINCT FROM
            (SELECT p.id FROM sip_parcel p WHERE p.gmina_id = a.gmina_id AND ST_Contains(p.geom, a.geom)
             ORDER BY p.identifier LIMIT 1)) FROM sip_addresspoint a"""
        )
        total, with_parcel, wrong = cur.fetchone()
    assert total > 10_000 and with_parcel == total and wrong == 0


def test_a_renamed_street_renames_its_addresses_in_the_search(gmina):
    """sip 0015: an address's search text follows its street's name, for every writer of the
    name (the admin's save, an import's UPDATE); the oracle is AddressPoint.make_search_text."""
    from sip.models import Street
    from sip.selectors import addresses_matching

    line = MultiLineString(LineString((249_990, 380_000), (250_020, 380_000)), srid=2180)
    street = Street.objects.create(gmina=gmina, name="ul. Stara Wiązowa", geom=line)
    other = Street.objects.create(gmina=gmina, name="ul. Polna", geom=line)
    on_street = []
    for number in ("1", "2a", ""):
        a = AddressPoint(
            gmina=gmina,
            street=street,
            locality="Kruszyn",
            house_number=number,
            postcode="59-700",
            geom=Point(250_000, 380_000, srid=2180),
        )
        a.save()
        on_street.append(a)
    elsewhere = address_at(gmina, 250_010, 380_010)
    elsewhere.street = other
    elsewhere.save()
    assert {a.pk for a, _ in addresses_matching("Stara Wiązowa", gmina)} == {a.pk for a in on_street}

    street.name = "ul. Nowa Łąkowa"
    street.save()
    Street.objects.filter(pk=other.pk).update(name="ul. Polna")  # the same name: nothing rewritten
    for a in AddressPoint.objects.filter(gmina=gmina):
        name = a.street.name if a.street_id else None
        assert a.search_text == AddressPoint.make_search_text(name, a.house_number, a.locality), a.pk
    assert addresses_matching("Stara Wiązowa", gmina) == []
    assert {a.pk for a, _ in addresses_matching("Nowa Łąkowa 2a", gmina)} == {on_street[1].pk}
