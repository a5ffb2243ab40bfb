"""`load_demo --region N`: synthetic gminas, copies of the demo ones, for the scale bench."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count

from cemetery_routing.models import Grave
from fixtures.demo import region
from inventory.models import Tree
from sip.identifiers import PARCEL_ID_RE
from sip.models import AddressPoint, Gmina, Parcel

pytestmark = pytest.mark.django_db


def _tree_obreb_mismatches(gmina) -> int:
    with connection.cursor() as c:
        c.execute(
            """SELECT count(*) FROM inventory_tree t WHERE t.gmina_id = %s AND t.obreb_id IS DISTINCT FROM
            (SELECT o.id FROM sip_obreb o WHERE o.gmina_id = t.gmina_id AND ST_Within(t.geom, o.geom))""",
            [gmina.pk],
        )
        return c.fetchone()[0]


def _address_parcel_mismatches(gmina) -> int:
    """Addresses whose stored parcel is not their gmina's parcel (first by identifier) under them."""
    with connection.cursor() as c:
        c.execute(
            """SELECT count(*) FROM sip_addresspoint a WHERE a.gmina_id = %s AND a.parcel_id IS DISTINCT FROM
            (SELECT p.id FROM sip_parcel p WHERE p.gmina_id = a.gmina_id AND ST_Contains(p.geom, a.geom)
             ORDER BY p.identifier LIMIT 1)""",
            [gmina.pk],
        )
        return c.fetchone()[0]


def test_region_adds_marked_copies_of_the_demo_gminas_and_removes_them(demo_data):
    real = list(Gmina.objects.order_by("teryt"))
    out = io.StringIO()
    call_command("load_demo", region=4, stdout=out)
    assert "gmina 4/4" in out.getvalue() and "zostało około" in out.getvalue()
    synthetic = list(region.synthetic_gminas().order_by("teryt"))
    assert len(synthetic) == 4
    for g in synthetic:
        assert g.teryt.startswith("99") and g.name.endswith("(syntetyczna)") and "-syntetyczna-" in g.slug
        source = next(r for r in real if r.teryt[4:] == g.teryt[4:])
        assert g.name.startswith(source.name + " ")
        assert g.kind == source.kind
        assert abs(g.boundary.area - source.boundary.area) < 1
        # Nothing of the copy lies on a real gmina: the grid moves it 45 km at least.
        assert not any(g.boundary.intersects(r.boundary) for r in real)
        for model in (Parcel, AddressPoint, Tree):
            assert model.objects.filter(gmina=g).count() == model.objects.filter(gmina=source).count()
        assert (
            Grave.objects.filter(cemetery__gmina=g).count()
            == Grave.objects.filter(cemetery__gmina=source).count()
        )
        identifiers = Parcel.objects.filter(gmina=g).values_list("identifier", flat=True)
        assert all(PARCEL_ID_RE.match(i) and i.startswith(g.teryt + ".") for i in identifiers)
        # The trees' stored obręby are copied too: the copy's obręby containing the moved points.
        assert not Tree.objects.filter(gmina=g, obreb__isnull=False).exclude(obreb__gmina=g).exists()
        assert (
            Tree.objects.filter(gmina=g, obreb__isnull=False).count()
            == Tree.objects.filter(gmina=source, obreb__isnull=False).count()
            > 0
        )
        assert _tree_obreb_mismatches(g) == 0
        # The parcel under each address is copied too (by identifier, not looked up again).
        assert AddressPoint.objects.filter(gmina=g, parcel__gmina=g).count() > 0
        assert _address_parcel_mismatches(g) == 0
        # Each parcel in an obręb of its own gmina; each address on a street of its own gmina.
        assert not Parcel.objects.filter(gmina=g).exclude(obreb__gmina=g).exists()
        assert (
            not AddressPoint.objects.filter(gmina=g, street__isnull=False).exclude(street__gmina=g).exists()
        )
    assert len({g.teryt for g in synthetic}) == 4
    # Run again: replaced, not added to.
    call_command("load_demo", region=4, verbosity=0)
    assert region.synthetic_gminas().count() == 4
    call_command("load_demo", region=0, verbosity=0)
    assert not region.synthetic_gminas().exists()
    assert list(Gmina.objects.order_by("teryt")) == real
    per_gmina = dict(Parcel.objects.values_list("gmina__teryt").annotate(n=Count("id")))
    assert set(per_gmina) == {g.teryt for g in real}


def test_region_size_is_bounded(demo_data):
    with pytest.raises(CommandError, match="od 1 do 180"):
        call_command("load_demo", region=500, verbosity=0)
