"""Migrations do what they did when they were written: they import no live application code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db import connection

from cemetery_routing.routing import ROUTE_FUNCTION_VERSION

ROOT = Path(__file__).resolve().parents[2]
APPS = ("sip", "layers", "planning", "cemetery_routing", "inventory", "incidents", "participation")
APPS += ("reporting", "geoportal", "fixtures")
# Django's autodetector writes field classes, validators and storages as dotted references
# (`import sip.images` ... `sip.images.SanitizedImageField(...)`): declarations of a column, run
# no SQL and move no data. Anything else (a `from app import X`, SQL or a function of today's
# code) would change what an old migration does when the app moves on.
DECLARATION_MODULES = {
    "sip.images",
    "sip.storage",
    "sip.identifiers",
    "planning.models",
    "participation.models.consultations",  # validate_pdf of the attachments
}


def migration_files() -> list[Path]:
    return sorted(p for app in APPS for p in (ROOT / app / "migrations").glob("0*.py"))


def app_imports(path: Path) -> list[str]:
    """The project modules a migration file imports, as 'module' or 'from module import name'."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names if a.name.split(".")[0] in APPS]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in APPS:
            out += [f"from {node.module} import {a.name}" for a in node.names]
    return out


def test_there_are_migrations_to_check():
    assert len(migration_files()) > 30
    assert app_imports(ROOT / "tests/sip/test_migrations_pinned.py") == [
        "from cemetery_routing.routing import ROUTE_FUNCTION_VERSION"
    ]


@pytest.mark.parametrize("path", migration_files(), ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_migration_imports_no_application_code(path):
    assert [m for m in app_imports(path) if m not in DECLARATION_MODULES] == []


def _body(sql: str) -> str:
    return sql.split("$route$")[1].strip()


@pytest.mark.django_db
def test_database_runs_the_route_function_version_the_code_expects():
    # The test database was migrated from nothing: through route_v1, v2 and v3 in turn.
    folder = ROOT / "cemetery_routing" / "sql"
    versions = sorted(int(p.stem.removeprefix("route_v")) for p in folder.glob("route_v*.sql"))
    assert versions == list(range(1, ROUTE_FUNCTION_VERSION + 1))
    with connection.cursor() as cur:
        cur.execute("SELECT prosrc FROM pg_proc WHERE proname = 'cemetery_routing_route'")
        [(installed,)] = cur.fetchall()
    latest = (folder / f"route_v{ROUTE_FUNCTION_VERSION}.sql").read_text()
    assert installed.strip() == _body(latest)
    assert _body(latest) != _body((folder / f"route_v{ROUTE_FUNCTION_VERSION - 1}.sql").read_text())
