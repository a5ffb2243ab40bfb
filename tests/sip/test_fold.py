"""sip.text.fold and the database's sip_fold() are one definition: the pinned SQL is the one the
code generates, and both fold thousands of strings alike (Polish letters, every dash, space and
quote, digits, and random Unicode)."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest
from django.db import connection

from sip.text import fold, fold_function_sql

pytestmark = pytest.mark.django_db

POLISH = "AĄBCĆDEĘFGHIJKLŁMNŃOÓPQRSŚTUVWXYZŹŻaąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż"
DASHES = "-\u00ad\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
SPACES = "".join(chr(c) for c in range(0x110000) if chr(c).isspace()) + "\u200b\u2060\ufeff"
QUOTES = "\"'\u201c\u201d\u201e\u201f\u00ab\u00bb\u2018\u2019\u201a\u201b\u2032\u2033\u2039\u203a`\u00b4"
DIGITS = "0123456789\u00b2\u00bd\u2460\uff11\u0661"


def _assigned(rng: random.Random) -> str:
    while True:
        char = chr(rng.randrange(1, 0x30000))
        if unicodedata.category(char) not in ("Cn", "Cs", "Co"):
            return char


def _strings() -> list[str]:
    rng = random.Random(2026)
    alphabets = [POLISH, DASHES, SPACES, QUOTES, DIGITS]
    out = [f"a{c}b" for c in POLISH + DASHES + SPACES + QUOTES + DIGITS]
    out += ["Droga gminna Łąki – Kruszyn", "  ŻÓŁW  — „Źdźbło”  ", "ΟΔΟΣ ΑΓΙΟΣ", "ẞTRASSE", "İstanbul"]
    for _ in range(4000):
        length = rng.randrange(1, 16)
        out.append(
            "".join(
                _assigned(rng) if rng.random() < 0.3 else rng.choice(rng.choice(alphabets))
                for _ in range(length)
            )
        )
    return out


def test_the_pinned_function_is_the_one_the_code_generates():
    pinned = (Path(__file__).resolve().parents[2] / "sip" / "sql" / "sip_fold_v2.sql").read_text()
    body = "".join(line + "\n" for line in pinned.splitlines() if not line.startswith("--"))
    assert body == fold_function_sql()


def test_database_and_python_fold_alike():
    strings = _strings()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT s, sip_fold(s) FROM unnest(%s::text[]) WITH ORDINALITY AS t(s, n) ORDER BY n", [strings]
        )
        rows = cur.fetchall()
    assert len(rows) == len(strings)
    differ = [(s, db, fold(s)) for s, db in rows if db != fold(s)]
    assert not differ, differ[:20]


def test_dashes_quotes_and_spaces_fold_to_ascii():
    assert (
        fold("Droga gminna Łąki – Kruszyn")
        == fold("droga  gminna laki - KRUSZYN")
        == "droga gminna laki - kruszyn"
    )
    assert fold("\u00a0„Żółć”\u2009—\u2009’x’ ") == "\"zolc\" - 'x'"
    with connection.cursor() as cur:
        cur.execute("SELECT sip_fold(%s)", ["Łąki\u2014Kruszyn"])
        assert cur.fetchone()[0] == "laki-kruszyn"
