"""The texts of the UI come from gettext catalogues (locale/<language>/LC_MESSAGES), with Polish
as the source language: every text marked in the code, templates and scripts has its English
translation, and the hand-written dictionary of the geoportal is gone."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

from django.conf import settings
from django.utils.translation.template import templatize

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale"
# The project's own packages (not the venv, not the tests).
SOURCES = [p for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists() and p.name != "tests"]
GETTEXT_CALL = re.compile(r"\b(gettext|gettext_lazy|ngettext|ngettext_lazy|pgettext|pgettext_lazy|_)\(")
PYTHON_NAMES = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "gettext_noop",
}


def read_po(path: Path) -> dict[str, list[str]]:
    """msgid -> its msgstr values (one, or one per plural form), from a .po file."""
    entries: dict[str, list[str]] = {}
    msgid, strs, field = None, [], None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if msgid:
                entries[msgid] = strs
            msgid, strs, field = None, [], None
            continue
        if line.startswith("#"):
            continue
        key, _, rest = line.partition(" ")
        if key == "msgid":
            msgid, field = ast.literal_eval(rest), "id"
        elif key.startswith("msgstr"):
            strs.append(ast.literal_eval(rest))
            field = "str"
        elif key == "msgid_plural":
            field = "plural"
        elif line.startswith('"'):
            if field == "id":
                msgid += ast.literal_eval(line)
            elif field == "str":
                strs[-1] += ast.literal_eval(line)
    return entries


def literal_call_msgids(code: str) -> set[str]:
    """The first string argument of every gettext-like call in JavaScript or templatized text."""
    found = set()
    for match in GETTEXT_CALL.finditer(code):
        if match.group(1) == "_" and code[match.start() - 1 : match.start()] in (".", "$"):
            continue
        tokens = tokenize.generate_tokens(io.StringIO(code[match.end() :]).readline)
        try:
            first = next(t for t in tokens if t.type != tokenize.NL)
        except (tokenize.TokenError, StopIteration):
            continue
        if first.type == tokenize.STRING:
            found.add(ast.literal_eval(first.string))
    return found


def template_msgids() -> set[str]:
    found = set()
    for source in SOURCES:
        for path in source.glob("templates/**/*.html"):
            found |= literal_call_msgids(templatize(path.read_text(encoding="utf-8"), origin=str(path)))
    return found


def script_msgids() -> set[str]:
    found = set()
    for source in SOURCES:
        for path in source.glob("static/**/*.js"):
            found |= literal_call_msgids(path.read_text(encoding="utf-8"))
    return found


def python_msgids() -> set[str]:
    found = set()
    for source in SOURCES:
        for path in source.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in PYTHON_NAMES
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    found.add(node.args[0].value)
    return found


def test_the_scan_finds_known_texts():
    """The scanners below see texts from each kind of source (or the other tests prove nothing)."""
    assert "Szukaj: działka, adres, grób, obiekt" in template_msgids()
    assert "%(parcels)s działka" in template_msgids()
    assert "Przezroczystość" in script_msgids()
    assert "gmina miejska" in python_msgids() and "Planista" in python_msgids()


def test_every_text_of_the_templates_and_code_has_its_english_translation():
    english = read_po(LOCALE / "en" / "LC_MESSAGES" / "django.po")
    wanted = template_msgids() | python_msgids()
    missing = sorted(m for m in wanted if m not in english)
    untranslated = sorted(m for m in wanted if m in english and not all(english[m]))
    assert not missing, f"not in locale/en/LC_MESSAGES/django.po (run makemessages): {missing}"
    assert not untranslated, f"no English translation: {untranslated}"


def test_every_text_of_the_scripts_has_its_english_translation():
    english = read_po(LOCALE / "en" / "LC_MESSAGES" / "djangojs.po")
    wanted = script_msgids()
    assert wanted - set(english) == set()
    assert [m for m in wanted if not all(english[m])] == []


def test_polish_plurals_have_all_four_forms():
    """Polish is the source language, but a count needs its catalogue: 1 działka, 3 działki,
    5 działek (and fractions)."""
    polish = read_po(LOCALE / "pl" / "LC_MESSAGES" / "django.po")
    plural = {m: forms for m, forms in polish.items() if len(forms) > 1 or m == "%(parcels)s działka"}
    assert plural, "the parcel count is a plural entry"
    for msgid, forms in plural.items():
        assert len(forms) == 4 and all(forms), msgid


def test_catalogues_are_compiled_from_the_po_files():
    for po in LOCALE.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, mo


def test_the_hand_written_dictionary_is_gone():
    # (find_spec would look further than this tree: an editable install elsewhere may have one.)
    assert not (ROOT / "geoportal" / "i18n.py").exists()
    for source in SOURCES:
        for path in source.rglob("*.py"):
            assert not re.search(r"geoportal\.i18n|from \.i18n import", path.read_text("utf-8")), path
        for path in [*source.glob("templates/**/*.html"), *source.glob("static/**/*.js")]:
            text = path.read_text(encoding="utf-8")
            assert "{{ ui." not in text and "config.ui" not in text, path


def test_in_polish_every_text_is_its_own_msgid():
    """No other catalogue (Django's, an app's) turns a Polish msgid into something else: a
    msgid that is also an English word of Django's (Menu, Panel) stays as written."""
    from django.utils import translation
    from django.utils.translation import gettext

    english = read_po(LOCALE / "en" / "LC_MESSAGES" / "django.po")
    with translation.override("pl"):
        changed = {m: gettext(m) for m in english if len(english[m]) == 1 and gettext(m) != m}
    assert changed == {}
