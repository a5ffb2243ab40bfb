#!/usr/bin/env python3
"""Remove each permission or tenancy check in turn and see whether a test notices.

A check is found in the source's syntax tree (never by matching text), in the apps' modules
(not their migrations, not sip/tenancy.py, which defines the checks):

  raise      an `if …: raise PermissionDenied(…)` statement            -> the statement goes
  call       a statement calling a check: tenancy.require(…), check_relations(…), check_m2m(…),
             or any function whose name starts with `require` or `_require`  -> it goes
  grant      a call answering a permission question: tenancy.can / in_scope /
             is_central_admin, user.has_perm(…)                           -> True
  scope      tenancy.scope_queryset(qs, …), tenancy.scope_choices(qs, …) -> qs;
             tenancy.scoped_gminas(user)                                 -> every gmina

For each check, the module is compiled with that one change (the changed node's text replaced
in the source, so line numbers stay) and the code of the function around it is put into the
running function object, under its decorators, so views, admin methods and signal receivers
already wired up call it. Then the tests mapped to the check's app run (stopping at the first
failure) and the code is put back. Everything happens in one pytest session, so the database
and the demo data are set up once. A check whose tests still pass is a survivor: no test
protects it.

Run from the project root, with the test database of your environment (not part of
`make test`: it runs the selected tests once per check, which takes a while):

    python scripts/mutate_checks.py                 # every check
    python scripts/mutate_checks.py --list          # only list the checks found
    python scripts/mutate_checks.py planning/views.py layers   # some files or apps
    python scripts/mutate_checks.py --json var/mutate_checks.json
"""

from __future__ import annotations

import argparse
import ast
import importlib
import json
import os
import sys
import threading
import time
import types
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("sip", "layers", "planning", "inventory", "cemetery_routing", "geoportal")
SKIP = ("sip/tenancy.py", "sip/settings/", "/migrations/", "/management/commands/")

# The tests that guard each app's checks, fastest and most pointed first (pytest -x stops at
# the first failure, so a removed check that a test notices costs only that test).
TESTS = {
    "sip": [
        "tests/sip/test_permission_checks.py",
        "tests/sip/test_tenancy.py",
        "tests/sip/test_tenancy_relations.py",
    ],
    "layers": ["tests/layers/test_permission_checks.py", "tests/layers/test_admin.py"],
    "planning": ["tests/planning/test_permission_checks.py", "tests/planning/test_pages.py"],
    "inventory": ["tests/inventory/test_permission_checks.py", "tests/inventory/test_registers.py"],
    "cemetery_routing": [
        "tests/cemetery_routing/test_permission_checks.py",
        "tests/cemetery_routing/test_staff.py",
    ],
    "geoportal": ["tests/geoportal/test_permission_checks.py"],
}

GRANT_CALLS = {"can", "in_scope", "is_central_admin", "has_perm"}
SCOPE_CALLS = {"scope_queryset", "scope_choices"}
CHECK_CALLS = {"check_relations", "check_m2m"}


@dataclass
class Check:
    path: str
    line: int
    end_line: int
    kind: str
    function: str
    outer: str  # qualified name of the outermost function around the check (its code is swapped)
    source: str
    replacement: str
    result: str = ""
    seconds: float = 0.0
    killed_by: str = ""

    @property
    def name(self) -> str:
        return f"{self.path}:{self.line} {self.function} [{self.kind}] {self.source}"


def _call_name(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute):
            return func.attr
        if isinstance(func, ast.Name):
            return func.id
    return ""


def _raises_permission_denied(stmts: list[ast.stmt]) -> bool:
    return (
        len(stmts) == 1
        and isinstance(stmts[0], ast.Raise)
        and stmts[0].exc is not None
        and "PermissionDenied" in ast.unparse(stmts[0].exc)
    )


def _is_check_call(name: str) -> bool:
    return name in CHECK_CALLS or name.startswith(("require", "_require"))


class Finder(ast.NodeVisitor):
    """Collects the checks of one module with the text that replaces each."""

    def __init__(self, path: str, text: str):
        self.path, self.lines, self.found = path, text.splitlines(keepends=True), []
        self.function, self.outer, self.scope = "<module>", "<module>", []

    def _segment(self, node) -> str:
        return " ".join(ast.get_source_segment("".join(self.lines), node).split())[:120]

    def _add(self, node, kind: str, replacement: str) -> None:
        self.found.append(
            Check(
                self.path,
                node.lineno,
                node.end_lineno,
                kind,
                self.function,
                self.outer,
                self._segment(node),
                replacement,
            )
        )

    def visit_ClassDef(self, node):
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    def visit_FunctionDef(self, node):
        saved = self.function, self.outer, self.scope
        self.function = node.name
        if self.outer == "<module>":
            self.outer = ".".join([*self.scope, node.name])
        self.scope = [*self.scope, node.name, "<locals>"]
        if not node.name.startswith(("require", "_require")) and node.name not in CHECK_CALLS:
            self.generic_visit(node)  # a check's own body is the check: its callers are mutated
        self.function, self.outer, self.scope = saved

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_If(self, node):
        if _raises_permission_denied(node.body):
            # `if refused: raise` goes; an else branch stays as the only path.
            rest = "\n".join(ast.unparse(s) for s in node.orelse) if node.orelse else "pass"
            self._add(node, "raise", rest)
        self.generic_visit(node)

    def visit_Expr(self, node):
        if _is_check_call(_call_name(node.value)):
            self._add(node, "call", "pass")
            return
        self.generic_visit(node)

    def visit_Call(self, node):
        name = _call_name(node)
        if name in GRANT_CALLS:
            self._add(node, "grant", "True")
        elif name in SCOPE_CALLS and node.args:
            self._add(node, "scope", f"({ast.unparse(node.args[0])})")
        elif name == "scoped_gminas":
            self._add(node, "scope", "(__import__('sip.models').models.Gmina.objects.all())")
        self.generic_visit(node)


def find_checks(paths: list[Path]) -> list[Check]:
    checks = []
    for path in paths:
        rel = path.relative_to(ROOT).as_posix()
        if any(s in f"/{rel}" or rel.startswith(s) for s in SKIP):
            continue
        text = path.read_text()
        finder = Finder(rel, text)
        finder.visit(ast.parse(text))
        checks += finder.found
    # A grant or scope call inside a removed `if … raise` is that check's business: keep it only
    # when it is not already covered by a statement-level check around it.
    statements = [(c.path, c.line, c.end_line) for c in checks if c.kind in ("raise", "call")]
    return [
        c
        for c in checks
        if c.kind in ("raise", "call")
        or not any(p == c.path and lo <= c.line and c.end_line <= hi for p, lo, hi in statements)
    ]


def _offset(lines: list[str], lineno: int, col: int) -> int:
    """The character offset in the text of a syntax-tree position (columns count UTF-8 bytes)."""
    return sum(len(x) for x in lines[: lineno - 1]) + len(lines[lineno - 1].encode()[:col].decode())


def mutate(text: str, check: Check) -> str:
    """The module's text with the one check replaced (columns from the syntax tree)."""
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) != check.line or getattr(node, "end_lineno", None) != check.end_line:
            continue
        if Finder(check.path, text)._segment(node) != check.source:
            continue
        lines = text.splitlines(keepends=True)
        start = _offset(lines, node.lineno, node.col_offset)
        end = _offset(lines, node.end_lineno, node.end_col_offset)
        replacement = check.replacement
        if isinstance(node, ast.stmt):
            indent = " " * node.col_offset
            replacement = replacement.replace("\n", "\n" + indent)
            # Keep the line count, so that tracebacks of other checks still point right.
            replacement += "\n" * (node.end_lineno - node.lineno)
        mutated = text[:start] + replacement + text[end:]
        ast.parse(mutated)  # a mutant that does not compile would be "killed" for nothing
        return mutated
    raise LookupError(f"check not found again: {check.name}")


def app_of(path: str) -> str:
    return path.split("/", 1)[0]


def module_of(path: str) -> str:
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def _code_named(code: types.CodeType, qualname: str) -> types.CodeType | None:
    if code.co_qualname == qualname:
        return code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found = _code_named(const, qualname)
            if found is not None:
                return found
    return None


def _live_function(module, qualname: str) -> types.FunctionType:
    """The function object the running program calls (under any decorators) for `qualname`."""
    obj = module
    for part in qualname.split("."):
        obj = vars(obj)[part] if isinstance(obj, type) else getattr(obj, part)
    for _ in range(10):
        if isinstance(obj, staticmethod | classmethod):
            obj = obj.__func__
        elif isinstance(obj, property):
            obj = obj.fget
        if isinstance(obj, types.FunctionType) and obj.__code__.co_qualname == qualname:
            return obj
        obj = getattr(obj, "__wrapped__", None)
        if obj is None:
            break
    raise LookupError(f"no function {qualname} in {module.__name__}")


class Swap:
    """Puts the mutated code of one function into the running function object, and back."""

    def __init__(self, check: Check, text: str):
        module = importlib.import_module(module_of(check.path))
        mutated = compile(mutate(text, check), str(ROOT / check.path), "exec")
        self.function = _live_function(module, check.outer)
        self.code = _code_named(mutated, check.outer)
        if self.code is None:
            raise LookupError(f"no code of {check.outer} in the mutated module")
        self.original = self.function.__code__

    def __enter__(self):
        self.function.__code__ = self.code

    def __exit__(self, *exc):
        self.function.__code__ = self.original


class MutationPlugin:
    """Runs inside one pytest session: the database and demo data are set up once, then each
    check is removed in memory in turn and the tests of its app run again (stopping at the first
    failure)."""

    def __init__(self, checks: list[Check]):
        self.checks, self.items = checks, []

    def pytest_collection_modifyitems(self, session, config, items):
        self.items = list(items)

    def _selection(self, app: str) -> list:
        order = {t: n for n, t in enumerate(TESTS[app])}
        chosen = [i for i in self.items if i.nodeid.split("::")[0] in order]
        return sorted(chosen, key=lambda i: order[i.nodeid.split("::")[0]])

    def _run(self, session, items: list, following) -> tuple[str, str]:
        from _pytest.runner import runtestprotocol

        verdict = ("survived", "")
        for n, item in enumerate(items):
            nextitem = items[n + 1] if n + 1 < len(items) else following
            # Tear down to the next test's parent, never keeping this test's own fixtures (the
            # same test may run next, for the next check); module and session fixtures stay.
            reports = runtestprotocol(item, log=False, nextitem=(nextitem or item).parent)
            failed = [r for r in reports if r.failed]
            if failed:
                # A test that cannot even be set up says nothing about the check.
                kind = "error" if failed[0].when == "setup" else "killed"
                reason = str(failed[0].longrepr).strip().splitlines()[-1][:200]
                verdict = (kind, f"{item.nodeid}: {reason}")
                break
        session._setupstate.teardown_exact((following or items[0]).parent)
        return verdict

    def _trace(self, session, items: list) -> dict:
        """Run every item once, unchanged, recording the lines of the checked modules it runs."""
        files = {str(ROOT / c.path) for c in self.checks}
        reached: dict = {}
        for n, item in enumerate(items):
            hits: set = set()

            def local(frame, event, arg, hits=hits):
                if event == "line":
                    hits.add((frame.f_code.co_filename, frame.f_lineno))
                return local

            def call(frame, event, arg, local=local):
                return local if frame.f_code.co_filename in files else None

            sys.settrace(call)
            threading.settrace(call)
            try:
                verdict = self._run(session, [item], items[n + 1] if n + 1 < len(items) else items[0])
            finally:
                sys.settrace(None)
                threading.settrace(None)
            if verdict[0] != "survived":
                raise RuntimeError(f"a test fails without any change: {item.nodeid}")
            reached[item.nodeid] = hits
        return reached

    def pytest_runtestloop(self, session):
        out = sys.__stdout__
        apps = [a for a in TESTS if any(app_of(c.path) == a for c in self.checks)]
        everything = [i for app in apps for i in self._selection(app)]
        unique = list({i.nodeid: i for i in everything}.values())
        print(f"baseline: {len(unique)} tests, unchanged, recording what they reach", file=out, flush=True)
        try:
            reached = self._trace(session, unique)
        except RuntimeError as exc:
            print(exc, file=out, flush=True)
            session.shouldfail = str(exc)
            return True
        texts: dict[str, str] = {}
        runs: list[tuple[Check, list]] = []
        for check in self.checks:
            lines = {(str(ROOT / check.path), n) for n in range(check.line, check.end_line + 1)}
            items = [i for i in self._selection(app_of(check.path)) if reached[i.nodeid] & lines]
            runs.append((check, items))
        for n, (check, items) in enumerate(runs, 1):
            following = next((its[0] for _, its in runs[n:] if its), items[0] if items else None)
            started = time.monotonic()
            if not items:
                check.result, check.killed_by = "survived", "no selected test reaches it"
            else:
                text = texts.setdefault(check.path, (ROOT / check.path).read_text())
                try:
                    swap = Swap(check, text)
                except (LookupError, SyntaxError, ValueError) as exc:
                    check.result, check.killed_by = "error", str(exc)
                else:
                    try:
                        with swap:
                            check.result, check.killed_by = self._run(session, items, following)
                    except ValueError as exc:  # e.g. the code needs other closure variables
                        check.result, check.killed_by = "error", str(exc)
            check.seconds = round(time.monotonic() - started, 1)
            print(
                f"[{n}/{len(runs)}] {check.result:8} {check.seconds:6.1f}s ({len(items)} tests) {check.name}",
                file=out,
                flush=True,
            )
        return True


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("targets", nargs="*", help="files or apps (default: every app)")
    parser.add_argument("--list", action="store_true", help="list the checks and stop")
    parser.add_argument("--json", help="write every check with its verdict to this file")
    args = parser.parse_args()
    paths: list[Path] = []
    for target in args.targets or APPS:
        p = ROOT / target
        paths += sorted(p.rglob("*.py")) if p.is_dir() else [p]
    checks = find_checks(paths)
    if args.list:
        for c in checks:
            print(c.name)
        print(f"{len(checks)} checks")
        return 0
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sip.settings.test")
    import pytest

    tests = sorted({t for app in {app_of(c.path) for c in checks} for t in TESTS[app] if (ROOT / t).exists()})
    code = pytest.main(
        ["-q", "-p", "no:cacheprovider", "--no-header", *tests], plugins=[MutationPlugin(checks)]
    )
    if code not in (0, 5) or any(not c.result for c in checks):
        print("the run did not finish; no verdict", file=sys.stderr)
        return 2
    killed = [c for c in checks if c.result == "killed"]
    survivors = [c for c in checks if c.result == "survived"]
    errors = [c for c in checks if c.result == "error"]
    print(
        f"\nchecks found: {len(checks)}, killed: {len(killed)}, "
        f"survived: {len(survivors)}, errors: {len(errors)}"
    )
    for c in survivors:
        print(f"SURVIVED {c.name}" + (f" ({c.killed_by})" if c.killed_by else ""))
    for c in errors:
        print(f"ERROR    {c.name}: {c.killed_by}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps([asdict(c) for c in checks], ensure_ascii=False, indent=1))
    return 1 if survivors or errors else 0


if __name__ == "__main__":
    sys.exit(main())
