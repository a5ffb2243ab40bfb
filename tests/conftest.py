"""Shared fixtures: reference points with known coordinates, factories, demo data, accounts."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import factory
import pytest
from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.management import call_command
from hypothesis import HealthCheck, settings

from sip.models import Gmina, Membership, Obreb, Parcel, Unit
from sip.tenancy import CENTRAL_ADMIN, EDITOR, PLANNER, VIEWER, sync_roles

# Property tests judge results, not speed (speed is for `make bench`): on a shared 2-core
# runner a stall of the machine made Hypothesis's timing checks fail a test whose inputs are
# plain integers (too_slow after one 2 s draw). The examples and assertions stay as they are.
settings.register_profile("sip", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("sip")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Mark each test by what it loads, so that `-m "not demo and not live"` is a quick run:
    `demo` when it asks for the demo data (directly or through a fixture), `live` when it asks for
    the live server. The markers follow the fixtures, so no test can carry the wrong one."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "demo_data" in names:
            item.add_marker(pytest.mark.demo)
        if "live_server_url" in names:
            item.add_marker(pytest.mark.live)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: pages that keep a figure for minutes (the landing
    page's parcel counts, published statistics) must not show another test's data."""
    from django.core.cache import cache

    cache.clear()


def pytest_sessionstart(session):
    """Compile the translations (locale/*/LC_MESSAGES/*.po to .mo files, which are not committed)
    as `make setup` does, before any test renders a page: a run straight after a fresh clone
    shows the English texts too. Up-to-date .mo files are left alone."""
    from django.conf import settings as django_settings

    with contextlib.chdir(django_settings.BASE_DIR):
        call_command("compilemessages", ignore_patterns=[".*"], verbosity=0)


@dataclass(frozen=True)
class ReferencePoint:
    name: str
    lon: float
    lat: float
    x2180: float  # easting, PL-1992
    y2180: float  # northing, PL-1992
    x2176: float  # easting, PL-2000 zone 5
    y2176: float


# Coordinates computed once with PROJ (pyproj 3.7) and kept here as the reference: the test of
# reprojection checks PostGIS against these and against pyproj run now.
REFERENCE_POINTS = [
    ReferencePoint("Bolesławiec, Rynek", 15.5697, 51.2636, 260766.442, 383023.609, 5539761.385, 5681128.161),
    ReferencePoint("Nowogrodziec, Rynek", 15.3989, 51.1978, 248499.159, 376282.122, 5527880.431, 5673729.737),
    ReferencePoint("Osiecznica", 15.4003, 51.3531, 249443.934, 393535.505, 5527884.113, 5691006.523),
]
BOLESLAWIEC = REFERENCE_POINTS[0]


def square(x: float, y: float, size: float, srid: int = 2180) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((x, y, x + size, y + size)), srid=srid)


class GminaFactory(factory.django.DjangoModelFactory):
    """A test gmina: a 4 km square, each next one 5 km further east of Osiecznica."""

    class Meta:
        model = Gmina
        django_get_or_create = ("teryt",)

    teryt = factory.Sequence(lambda n: f"0299{n % 100:02d}_2")
    name = factory.Sequence(lambda n: f"Gmina testowa {n}")
    kind = "rural"
    slug = factory.Sequence(lambda n: f"gmina-testowa-{n}")
    # The place follows the TERYT code, which wraps at 100: a long run creates hundreds of test
    # gminas, and 5 km steps past the hundredth would leave Poland (x > 850,000).
    boundary = factory.Sequence(lambda n: square(252_000 + 5_000 * (n % 100), 392_000, 4_000))


class ObrebFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Obreb

    gmina = factory.SubFactory(GminaFactory)
    code = factory.Sequence(lambda n: f"{n % 9000 + 1:04d}")
    name = factory.Sequence(lambda n: f"Obręb {n}")
    geom = factory.LazyAttribute(lambda o: o.gmina.boundary)


class ParcelFactory(factory.django.DjangoModelFactory):
    """A 30 m square parcel inside its gmina, placed on a grid by sequence number."""

    class Meta:
        model = Parcel

    obreb = factory.SubFactory(ObrebFactory)
    gmina = factory.LazyAttribute(lambda p: p.obreb.gmina)
    number = factory.Sequence(lambda n: str(n + 1))
    identifier = factory.LazyAttribute(lambda p: f"{p.gmina.teryt}.{p.obreb.code}.{p.number}")
    registered_area_m2 = 900
    geom = factory.LazyAttributeSequence(
        lambda p, n: square(
            p.gmina.boundary.extent[0] + 40 * (n % 90),
            p.gmina.boundary.extent[1] + 40 * (n // 90 % 90),
            30,
        )
    )


@pytest.fixture
def gmina(db):
    return GminaFactory()


@pytest.fixture
def other_gmina(db):
    return GminaFactory()


def make_user(username: str, role: str | None, gmina: Gmina | None, **extra) -> User:
    sync_roles()
    user = User.objects.create_user(username=username, password="haslo-testowe", is_staff=True, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    unit = Unit.objects.create(
        name=f"Jednostka {username}", kind="gmina_office" if gmina else "central", gmina=gmina
    )
    Membership.objects.create(user=user, unit=unit, gmina=gmina)
    return user


@pytest.fixture
def central_admin(db):
    return make_user("centrala-test", CENTRAL_ADMIN, None)


@pytest.fixture
def editor(gmina):
    return make_user("redaktor-test", EDITOR, gmina)


@pytest.fixture
def planner(gmina):
    return make_user("planista-test", PLANNER, gmina)


@pytest.fixture
def viewer(gmina):
    return make_user("przegladajacy-test", VIEWER, gmina)


@pytest.fixture
def other_editor(other_gmina):
    return make_user("redaktor-inny", EDITOR, other_gmina)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The kept test database (--reuse-db), brought up to the latest migrations.

    pytest-django sets the test database up only when a collected test asks for the database;
    a run of live-server tests alone (e.g. tests/sip/test_schemathesis.py) would otherwise load
    the demo data into, and serve, the development database named by DATABASE_URL."""
    from django.db import connection
    from django.test.utils import setup_databases

    with django_db_blocker.unblock():
        if connection.settings_dict["NAME"] != connection.creation._get_test_db_name():
            setup_databases(
                verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set(), keepdb=True
            )
        call_command("migrate", verbosity=0)


@pytest.fixture(scope="session")
def demo_data(django_db_setup, django_db_blocker):
    """The demo data, loaded once into the test database and kept between runs (--reuse-db)."""
    from fixtures.demo import version
    from sip.models import DemoDataset

    with django_db_blocker.unblock():
        if not DemoDataset.objects.filter(version=version()).exists():
            call_command("load_demo", verbosity=0)
    return True


def forget_services_on_this_machine() -> int:
    """Remove the external services registered at an address of this machine, with what was
    harvested and published from them.

    Live-server tests commit such services (the live server's own WMS, a stand-in WMTS), each at
    the port chosen for that run, and remove them by that URL afterwards; a run killed before
    its clean-up left them in the kept test database under a port nobody listens on. Neither
    the demo data nor any other test registers a service at 127.0.0.1 or localhost."""
    from layers.models import ExternalService

    deleted, _ = ExternalService.objects.filter(
        url__regex=r"^https?://(127\.0\.0\.1|localhost)(:[0-9]+)?(/|$)"
    ).delete()
    return deleted


@pytest.fixture(scope="session")
def live_server_url(demo_data, django_db_blocker):
    """A real server (gunicorn, 2 workers) on the test database with the demo data.

    Unlike pytest-django's live_server it does not flush the database, so the committed demo
    data stays; tests that need data of their own must commit it and remove it afterwards.
    What a killed earlier run left at its own random ports is removed before the server starts.
    """
    from django.db import connection

    from sip.liveserver import database_url, gunicorn

    with django_db_blocker.unblock():
        forget_services_on_this_machine()

    env = {
        "DATABASE_URL": database_url(connection.settings_dict),
        "DJANGO_SETTINGS_MODULE": "sip.settings.test",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # The tests play the reverse proxy: X-Forwarded-* from this machine are believed.
        "SIP_TRUSTED_PROXIES": "127.0.0.1",
    }
    with gunicorn(env=env, workers=2, threads=4) as base:
        yield base
