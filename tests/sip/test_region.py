"""`load_demo --region N`: synthetic gminas generated around the demo ones for the scale bench."""

import io

import pytest
import shapely
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count

from cemetery_routing.models import Burial, Cemetery, Grave
from fixtures.demo import region
from inventory.models import Lamp, SmallArchitecture, Tree
from sip.identifiers import PARCEL_ID_RE, TERYT_RE
from sip.models import AddressPoint, Gmina, Obreb, Parcel, Street
from tests.reporting.test_obreb_edits import key_mismatches
from tests.sip.test_demo import DEMO, tiling_problems
from tests.sip.test_demo_shape import shared_border

pytestmark = pytest.mark.django_db
N = 3


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


def _fingerprint(gmina) -> list:
    return list(
        Parcel.objects.filter(gmina=gmina)
        .order_by("identifier")
        .values_list("identifier", "registered_area_m2")
    )


def _outline(gmina):
    return shapely.from_wkb(bytes(gmina.boundary.wkb))


def test_region_generates_marked_gminas_around_the_demo_and_removes_them(demo_data):
    real = list(Gmina.objects.order_by("teryt"))
    real_names = {g.name for g in real} | set(
        Obreb.objects.filter(gmina__in=real).values_list("name", flat=True)
    )
    out = io.StringIO()
    call_command("load_demo", region=N, stdout=out)
    assert f"gmina {N}/{N}" in out.getvalue() and "zostało około" in out.getvalue()
    synthetic = list(region.synthetic_gminas().order_by("teryt"))
    assert len(synthetic) == N
    names = [g.name for g in synthetic]
    assert len(set(names)) == N
    for g in synthetic:
        assert TERYT_RE.match(g.teryt) and g.teryt.startswith("99"), g.teryt
        assert g.name.endswith(" (syntetyczna)") and "-syntetyczna-" in g.slug
        assert g.name.removesuffix(" (syntetyczna)") not in real_names
        assert g.kind in ("rural", "urban_rural")
        # Generated, not copied: nothing of the demo's names in it.
        obreby = list(Obreb.objects.filter(gmina=g).values_list("name", flat=True))
        assert len(obreby) >= 8 and not set(obreby) & real_names
        assert 50 < g.boundary.area / 1e6 < 200
        identifiers = Parcel.objects.filter(gmina=g).values_list("identifier", flat=True)
        assert len(identifiers) > 3000
        assert all(PARCEL_ID_RE.match(i) and i.startswith(g.teryt + ".") for i in identifiers)
        assert not Parcel.objects.filter(gmina=g).exclude(obreb__gmina=g).exists()
        # Streets first: numbered roads, village roads, field roads; addresses along them.
        categories = set(Street.objects.filter(gmina=g).values_list("road_category", flat=True))
        assert {"gminna", "wewnetrzna"} <= categories and categories & {"powiatowa", "wojewodzka"}
        assert AddressPoint.objects.filter(gmina=g).count() > 500
        assert (
            not AddressPoint.objects.filter(gmina=g, street__isnull=False).exclude(street__gmina=g).exists()
        )
        if g.kind == "urban_rural":
            assert AddressPoint.objects.filter(gmina=g, street__isnull=False).count() > 300
        assert _address_parcel_mismatches(g) == 0
        # Registers and the cemetery, with graves and burials.
        assert Tree.objects.filter(gmina=g).count() > 500 and Lamp.objects.filter(gmina=g).count() > 100
        assert SmallArchitecture.objects.filter(gmina=g).count() > 100
        assert key_mismatches(g) == 0
        cemetery = Cemetery.objects.get(gmina=g)
        assert g.boundary.contains(cemetery.boundary)
        assert Grave.objects.filter(cemetery=cemetery).count() >= 900
        assert Burial.objects.filter(grave__cemetery=cemetery).exists()
    assert tiling_problems([g.teryt for g in synthetic]) == []
    # Around the real ones, with smooth outlines that neighbours share exactly; no overlaps.
    everyone = real + synthetic
    touching = 0
    for i, a in enumerate(everyone):
        for b in everyone[i + 1 :]:
            if a in real and b in real:
                continue
            shared, overlap, loose = shared_border(a.teryt, b.teryt)
            assert overlap < 0.01, (a.teryt, b.teryt, overlap)
            if shared > 0:
                assert shared > 1000 and loose == 0, (a.teryt, b.teryt, shared, loose)
                touching += b in synthetic and a in synthetic
                touching += (a in real) != (b in real)
    assert touching >= N
    assert any(_outline(g).intersects(_outline(r)) for g in synthetic for r in real)
    # Smooth: many vertices, no long straight edge.
    for g in synthetic:
        ring = shapely.get_coordinates(_outline(g).geoms[0].exterior)
        steps = ((ring[1:] - ring[:-1]) ** 2).sum(axis=1) ** 0.5
        assert len(ring) > 200 and steps.max() < 1500, (g.teryt, len(ring), steps.max())

    # Growing and shrinking keeps the gminas there; one made again comes out the same.
    last = Gmina.objects.get(teryt=region.plan()[N - 1]["teryt"])
    before = _fingerprint(last)
    first_pk = Gmina.objects.get(teryt=region.plan()[0]["teryt"]).pk
    call_command("load_demo", region=N - 1, verbosity=0)
    assert region.synthetic_gminas().count() == N - 1
    assert not Gmina.objects.filter(teryt=last.teryt).exists()
    call_command("load_demo", region=N, verbosity=0)
    assert region.synthetic_gminas().count() == N
    assert Gmina.objects.get(teryt=region.plan()[0]["teryt"]).pk == first_pk
    assert _fingerprint(Gmina.objects.get(teryt=last.teryt)) == before

    call_command("load_demo", region=0, verbosity=0)
    assert not region.synthetic_gminas().exists()
    assert list(Gmina.objects.order_by("teryt")) == real
    per_gmina = dict(Parcel.objects.values_list("gmina__teryt").annotate(n=Count("id")))
    assert set(per_gmina) == set(DEMO)
    assert not Grave.objects.exclude(cemetery__gmina__teryt__in=DEMO).exists()
    assert not Tree.objects.exclude(gmina__teryt__in=DEMO).exists()


def test_region_plan_is_inside_poland_and_never_overlaps():
    specs = region.plan()
    assert len(specs) == region.MAX_GMINAS
    assert len({s["teryt"] for s in specs}) == len(specs)
    assert len({s["name"] for s in specs}) == len(specs)
    villages = [n for s in specs for n in s["obreby"]]
    assert len(set(villages)) == len(villages)
    outlines = [s["shape"] for s in specs]
    assert all(o.is_valid and o.geom_type == "Polygon" for o in outlines)
    tree = shapely.STRtree(outlines)
    a, b = tree.query(outlines, predicate="intersects")
    pairs = [(i, j) for i, j in zip(a.tolist(), b.tolist(), strict=True) if i < j]
    assert len(pairs) > len(specs)  # a tiling: most have several neighbours
    for i, j in pairs:
        assert outlines[i].intersection(outlines[j]).area < 0.01
    x0, y0, x1, y1 = shapely.union_all(outlines).bounds
    assert 200_000 < x0 and x1 < 450_000 and 360_000 < y0 and y1 < 520_000  # Lower Silesia and around
    # About 120 km² each, near the demo first.
    areas = [o.area / 1e6 for o in outlines]
    assert 80 < sum(areas) / len(areas) < 160


def test_region_size_is_bounded(demo_data):
    with pytest.raises(CommandError, match=f"od 1 do {region.MAX_GMINAS}"):
        call_command("load_demo", region=500, verbosity=0)
