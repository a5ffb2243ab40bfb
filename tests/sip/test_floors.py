"""The floors stay the floors: no module of an app imports an app on a higher floor.

sip (the core) < layers < the domain apps < geoportal and reporting. A higher app is filled by
registrations into a lower one (layers.registry.register, sip.search.register_provider,
sip.datasets.register), never by the lower one importing it. The project's wiring (sip/project:
root URLconf and WSGI; sip/settings) names every app and is exempt. The import graph is read from
the source (ast), so lazy imports inside functions count as well."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLOORS = {
    "sip": 0,
    "layers": 1,
    "planning": 2,
    "cemetery_routing": 2,
    "inventory": 2,
    "incidents": 2,
    "participation": 2,
    "geoportal": 3,
    "reporting": 3,
}
# Wiring, not core domain: they name every app on purpose.
EXEMPT = (ROOT / "sip" / "project", ROOT / "sip" / "settings")


def imported_apps(source: str, filename: str = "<source>") -> list[tuple[int, str]]:
    """(line, module) of every absolute import of a project app in `source`."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] in FLOORS]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] in FLOORS:
                found.append((node.lineno, node.module))
    return found


def upward_imports(app: str, source: str, filename: str = "<source>") -> list[str]:
    """The imports in `source` (a module of `app`) of an app on a higher floor."""
    return [
        f"{filename}:{line}: {app} (floor {FLOORS[app]}) imports {module} "
        f"(floor {FLOORS[module.split('.')[0]]})"
        for line, module in imported_apps(source, filename)
        if FLOORS[module.split(".")[0]] > FLOORS[app]
    ]


def app_sources(app: str) -> list[Path]:
    return sorted(
        p for p in (ROOT / app).rglob("*.py") if not any(p.is_relative_to(exempt) for exempt in EXEMPT)
    )


@pytest.mark.parametrize("app", sorted(FLOORS, key=FLOORS.get))
def test_no_module_of_an_app_imports_a_higher_floor(app):
    sources = app_sources(app)
    assert sources, f"no sources found for {app}"
    found = []
    for path in sources:
        found += upward_imports(app, path.read_text(), str(path.relative_to(ROOT)))
    assert not found, "imports above the floor:\n" + "\n".join(found)


def test_the_check_sees_upward_imports_at_module_level_and_inside_functions():
    source = (
        "import layers.registry\n"
        "from sip import text\n"
        "from . import models\n"
        "def ready():\n"
        "    from geoportal.search import register_provider\n"
    )
    assert upward_imports("sip", source) == [
        "<source>:1: sip (floor 0) imports layers.registry (floor 1)",
        "<source>:5: sip (floor 0) imports geoportal.search (floor 3)",
    ]
    # Downward and sideways are allowed: incidents reads the registers of inventory.
    assert upward_imports("incidents", "from inventory import selectors\nfrom sip import text\n") == []
    assert upward_imports("reporting", "import planning.selectors\n") == []


def test_only_the_wiring_is_exempt_and_it_does_wire_the_apps():
    urls = (ROOT / "sip" / "project" / "urls.py").read_text()
    assert upward_imports("sip", urls), "the root URLconf names the apps above the core"
    assert not any(p.is_relative_to(ROOT / "sip" / "project") for p in app_sources("sip"))
    assert ROOT / "sip" / "models.py" in app_sources("sip")
