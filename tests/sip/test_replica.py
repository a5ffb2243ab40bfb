"""Read-only requests served by a PostgreSQL streaming replica (sip/dbrouting.py).

The replica is real: a second PostgreSQL started from a pg_basebackup of the test cluster as a
streaming standby, on a free port, and stopped afterwards."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.test.utils import CaptureQueriesContext

from layers.render.mapfile import postgis_connection
from sip import dbrouting
from sip.models import Parcel

pytestmark = pytest.mark.django_db(databases=["default", dbrouting.REPLICA])

BIN = Path("/usr/lib/postgresql/15/bin")


def _owner_cmd(args: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; the embedded cluster belongs to `postgres` then.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _conninfo(db: dict, **override) -> str:
    parts = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"], "user": db["USER"]}
    parts.update({"password": db["PASSWORD"], "dbname": db["NAME"], **override})
    return " ".join(f"{k}={v}" for k, v in parts.items())


@pytest.fixture(scope="module")
def standby(django_db_setup, django_db_blocker):
    """The port of a streaming standby of the test cluster, running for this module."""
    primary = connections["default"].settings_dict
    folder = Path(tempfile.mkdtemp(prefix="sip-standby-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    folder.chmod(0o700)
    port = _free_port()
    source = _conninfo(primary, dbname="postgres")
    subprocess.run(
        _owner_cmd(
            [str(BIN / "pg_basebackup"), "-d", source, "-D", str(data), "-R", "-X", "stream", "-c", "fast"]
        ),
        check=True,
        capture_output=True,
        timeout=300,
    )
    # The copied configuration names the primary's port and socket folder: the last line wins.
    with open(data / "postgresql.conf", "a") as conf:
        conf.write(
            f"\nport = {port}\nunix_socket_directories = '{folder}'\nhot_standby = on\narchive_mode = off\n"
        )
    ctl = [str(BIN / "pg_ctl"), "-D", str(data)]
    subprocess.run(
        _owner_cmd([*ctl, "-l", str(folder / "log"), "-w", "-t", "60", "start"]), check=True, timeout=90
    )
    # The `replica` alias as DATABASE_REPLICA_URL makes it; known before the tests' database
    # setup, which wraps each alias the test names.
    connections.settings[dbrouting.REPLICA] = {**primary, "HOST": "127.0.0.1", "PORT": str(port)}
    try:
        yield port
    finally:
        connections[dbrouting.REPLICA].close()
        del connections[dbrouting.REPLICA]
        del connections.settings[dbrouting.REPLICA]
        subprocess.run(_owner_cmd([*ctl, "-m", "immediate", "-w", "stop"]), check=False, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def replica(standby):
    return connections[dbrouting.REPLICA]


def test_the_replica_is_a_standby_of_the_primary(replica):
    with replica.cursor() as cur:
        cur.execute("SELECT pg_is_in_recovery()")
        assert cur.fetchone()[0] is True
    with connections["default"].cursor() as cur:
        cur.execute("SELECT pg_is_in_recovery()")
        assert cur.fetchone()[0] is False


def test_a_change_on_the_primary_streams_to_the_replica(replica, standby):
    primary = connections["default"].settings_dict
    with psycopg.connect(_conninfo(primary), autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS replica_probe (marker text)")
        marker = f"m{time.time_ns()}"
        conn.execute("INSERT INTO replica_probe VALUES (%s)", [marker])
        try:
            with psycopg.connect(_conninfo(primary, port=standby)) as standby_conn:
                deadline = time.monotonic() + 20
                while True:
                    try:  # until the CREATE TABLE is replayed too, the table is unknown
                        row = standby_conn.execute(
                            "SELECT 1 FROM replica_probe WHERE marker = %s", [marker]
                        ).fetchone()
                    except psycopg.errors.UndefinedTable:
                        row = None
                    standby_conn.rollback()
                    if row or time.monotonic() > deadline:
                        break
                    time.sleep(0.1)
            assert row, "the marker written on the primary never reached the replica"
        finally:
            conn.execute("DROP TABLE replica_probe")


def test_search_reads_its_parcels_from_the_replica(client, demo_data, replica):
    prefix = "020104_3.0002.1"
    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        resp = client.get("/api/parcels/", {"q": prefix})
    assert resp.status_code == 200
    found = sorted(f["properties"]["identifier"] for f in resp.json()["features"])
    expected = sorted(
        Parcel.objects.filter(identifier__startswith=prefix).values_list("identifier", flat=True)
    )
    assert found and found == expected[: len(found)]
    assert any("sip_parcel" in q["sql"] for q in on_replica.captured_queries)
    assert not any("sip_parcel" in q["sql"] for q in on_primary.captured_queries)


def test_wfs_features_come_from_the_replica(client, demo_data, replica):
    with CaptureQueriesContext(replica) as on_replica:
        resp = client.get(
            "/ows/wfs",
            {
                "SERVICE": "WFS",
                "VERSION": "2.0.0",
                "REQUEST": "GetFeature",
                "TYPENAMES": "dzialki",
                "COUNT": "3",
            },
        )
        body = b"".join(resp.streaming_content)  # the features are read while streaming
    assert resp.status_code == 200 and b"dzialki" in body
    assert any("sip_parcel" in q["sql"] for q in on_replica.captured_queries)


def test_writes_accounts_and_other_requests_stay_on_the_primary(client, demo_data, replica):
    with CaptureQueriesContext(replica) as on_replica:
        client.get("/nowogrodziec/")
        client.post("/api/parcels/", {"q": "x"})
    assert on_replica.captured_queries == []
    token = dbrouting._read_only.set(True)
    try:
        assert router.db_for_read(Parcel) == dbrouting.REPLICA
        assert router.db_for_read(Session) == "default"
        assert router.db_for_write(Parcel) == "default"
    finally:
        dbrouting._read_only.reset(token)
    assert router.db_for_read(Parcel) in (None, "default")


def test_maps_are_drawn_from_the_replica(replica, standby):
    conninfo = postgis_connection()
    assert f"port='{standby}'" in conninfo and "jit=off" in conninfo
