"""Finding the buried by name: typo-tolerant and diacritics-insensitive.

Query words are folded like the stored names (Łukasz -> lukasz). Each word is first matched
against the short list of distinct name words (NameToken) by edit distance (fuzzystrmatch) or
as a prefix; the burials are then those having, for every query word, one of its matching
words (GIN index on Burial.search_names). Ranking: fewest edits first, then names written
exactly as typed (with diacritics), then a surname match before a first-name or family-name match, then
surname and first name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Case, Count, F, Func, IntegerField, Max, Min, Q, Value, When, Window
from django.db.models.functions import Lower

from sip.text import fold

from .models import Burial, Grave, NameToken

MAX_WORDS = 4
_YEAR = re.compile(r"^(1[5-9]\d\d|20\d\d)$")
_WORD = re.compile(r"[^\w\-]+")


class Levenshtein(Func):
    """levenshtein_less_equal(a, b, max): the edit distance, or max+1 when it is larger."""

    function = "levenshtein_less_equal"
    output_field = IntegerField()


def allowed_edits(word: str) -> int:
    """How many typos a word of this length tolerates (Jan: 1, Wójcik: 1, Wiśniewska: 2)."""
    if len(word) <= 2:
        return 0
    return 1 if len(word) <= 7 else 2


@dataclass(frozen=True)
class ParsedQuery:
    words: tuple[str, ...]  # folded
    raw_words: tuple[str, ...]  # as typed, lower-case
    years: tuple[int, ...]


def parse_query(text: str) -> ParsedQuery:
    """Split a query into name words (folded and as typed) and four-digit years."""
    words, raw, years = [], [], []
    for part in _WORD.sub(" ", text or "").replace("-", " ").split():
        if _YEAR.match(part):
            years.append(int(part))
        elif not part.isdigit() and fold(part):
            words.append(fold(part))
            raw.append(part.lower())
    return ParsedQuery(tuple(words[:MAX_WORDS]), tuple(raw[:MAX_WORDS]), tuple(years[:2]))


def matching_tokens(words: tuple[str, ...]) -> list[dict[str, int]]:
    """For each word, {name word: edits} of the stored name words it may mean (prefix: 1 edit)."""
    if not words:
        return []
    annotations = {
        f"d{i}": Levenshtein(F("token"), Value(w), Value(allowed_edits(w))) for i, w in enumerate(words)
    }
    condition = Q()
    for i, w in enumerate(words):
        condition |= Q(**{f"d{i}__lte": allowed_edits(w)})
        if len(w) >= 3:
            condition |= Q(token__startswith=w)
    rows = NameToken.objects.annotate(**annotations).filter(condition).values("token", *annotations)
    out: list[dict[str, int]] = [{} for _ in words]
    for row in rows:
        for i, w in enumerate(words):
            d = row[f"d{i}"]
            if d <= allowed_edits(w):
                out[i][row["token"]] = d
            elif len(w) >= 3 and row["token"].startswith(w):
                out[i][row["token"]] = 1
    return out


def _candidates(
    query: ParsedQuery,
    *,
    cemetery_id: int | None,
    gmina_id: int | None,
    born: int | None,
    died: int | None,
    public_only: bool,
):
    """The burials the filters allow, before any name matching."""
    burials = Burial.objects.all()
    if public_only:
        burials = burials.filter(is_public=True)
    if cemetery_id is not None:
        burials = burials.filter(grave__cemetery_id=cemetery_id)
    if gmina_id is not None:
        burials = burials.filter(grave__cemetery__gmina_id=gmina_id)
    if born is not None:
        burials = burials.filter(birth_date__year=born)
    if died is not None:
        burials = burials.filter(death_date__year=died)
    for year in query.years:
        burials = burials.filter(Q(birth_date__year=year) | Q(death_date__year=year))
    return burials


def _matching(text: str, **filters) -> tuple[ParsedQuery, list[dict[str, int]], object] | None:
    """(parsed query, matching name words per query word, candidate burials), or None when no
    burial can match."""
    query = parse_query(text)
    if not query.words:
        return None
    per_word = matching_tokens(query.words)
    if any(not tokens for tokens in per_word):
        return None
    return query, per_word, _candidates(query, **filters)


def _having_words(burials, per_word: list[dict[str, int]]):
    for tokens in per_word:
        burials = burials.filter(search_names__overlap=list(tokens))
    return burials


def search_burials(
    text: str,
    *,
    cemetery_id: int | None = None,
    gmina_id: int | None = None,
    born: int | None = None,
    died: int | None = None,
    public_only: bool = True,
    limit: int = 20,
    offset: int = 0,
) -> list[Burial]:
    """Return the best-matching burials from `offset` (each with `edits`: typos in the match),
    best first."""
    found = _matching(
        text, cemetery_id=cemetery_id, gmina_id=gmina_id, born=born, died=died, public_only=public_only
    )
    if found is None:
        return []
    query, per_word, burials = found
    wanted = offset + limit
    # First only the closest words of each query word: when they give enough hits, no row with
    # more typos could rank above them, and common surnames need far fewer rows read.
    closest = [{t: d for t, d in tokens.items() if d == min(tokens.values())} for tokens in per_word]
    ranked = _ranked(burials, closest, query.raw_words, wanted)
    if len(ranked) < wanted and closest != per_word:
        ranked = _ranked(burials, per_word, query.raw_words, wanted)
    return _with_graves(dict(ranked[offset:]))


def count_burials(
    text: str,
    *,
    cemetery_id: int | None = None,
    gmina_id: int | None = None,
    born: int | None = None,
    died: int | None = None,
    public_only: bool = True,
) -> int:
    """Return how many burials match the query (every one `search_burials` can page through)."""
    found = _matching(
        text, cemetery_id=cemetery_id, gmina_id=gmina_id, born=born, died=died, public_only=public_only
    )
    if found is None:
        return 0
    _, per_word, burials = found
    return _having_words(burials, per_word).count()


def search_graves(
    text: str,
    *,
    cemetery_id: int | None = None,
    gmina_id: int | None = None,
    born: int | None = None,
    died: int | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[int, list[list[Burial]]]:
    """Return (how many graves hold a matching public burial, the page of graves from `offset`
    as lists of their matching burials, best first); graves rank by their best burial."""
    found = _matching(
        text, cemetery_id=cemetery_id, gmina_id=gmina_id, born=born, died=died, public_only=True
    )
    if found is None:
        return 0, []
    query, per_word, burials = found
    annotated = _annotated(burials, per_word, query.raw_words)
    graves = (
        annotated.values("grave_id")
        .annotate(
            best_edits=Min("edits"),
            best_exact=Max("exact_words"),
            best_surname_hit=Max("surname_hit"),
            first_surname=Min("surname"),
            first_first_name=Min("first_name"),
            # The number of graves with the page (a window over the groups): one pass over the
            # matching burials instead of a count and a page that each read them.
            matched=Window(Count("*")),
        )
        .order_by(
            "best_edits", "-best_exact", "-best_surname_hit", "first_surname", "first_first_name", "grave_id"
        )
    )
    rows = list(graves[offset : offset + limit])
    if rows:
        total = rows[0]["matched"]
    else:
        # Past the end (or nothing): counted apart.
        total = _having_words(burials, per_word).values("grave_id").distinct().count() if offset else 0
    page = [row["grave_id"] for row in rows]
    ranked = annotated.filter(grave_id__in=page).order_by(*_ORDER).values_list("id", "edits")
    by_grave: dict[int, list[Burial]] = {grave_id: [] for grave_id in page}
    for burial in _with_graves(dict(ranked)):
        by_grave[burial.grave_id].append(burial)
    return total, list(by_grave.values())


def _with_graves(edits: dict[int, int]) -> list[Burial]:
    """The burials of these ids, in this order, with `edits` set and their graves read."""
    # Rank narrow rows first, then read the few winners with their graves: joining thousands of
    # candidates to graves and cemeteries before the sort costs more than the sort itself. The
    # graves come by their ids in a query of their own: joined to the burials, the planner
    # hashed every grave of every cemetery (a sequential scan) for twenty burials. Neither
    # query is sorted (the models' orderings join the gminas): the order is the ranking's.
    by_id = Burial.objects.order_by().in_bulk(list(edits))
    graves = (
        Grave.objects.order_by()
        .select_related("section", "cemetery")
        .defer("cemetery__boundary")
        .in_bulk({b.grave_id for b in by_id.values()})
    )
    out = []
    for burial_id, n in edits.items():
        burial = by_id[burial_id]
        burial.grave = graves[burial.grave_id]
        burial.edits = n
        out.append(burial)
    return out


_ORDER = ("edits", "-exact_words", "-surname_hit", "surname", "first_name", "death_date", "id")


def _ranked(burials, per_word: list[dict[str, int]], raw_words, limit: int) -> list[tuple[int, int]]:
    """(burial id, edits) of the best `limit` burials having a matching word for every query word."""
    return list(_annotated(burials, per_word, raw_words).order_by(*_ORDER).values_list("id", "edits")[:limit])


def _annotated(burials, per_word: list[dict[str, int]], raw_words):
    """The burials having a matching word for every query word, annotated with their rank keys:
    `edits`, `exact_words` (words written as typed), `surname_hit`."""
    score = Value(0)
    for tokens in per_word:
        burials = burials.filter(search_names__overlap=list(tokens))
        by_edits = sorted(tokens.items(), key=lambda kv: (kv[1], kv[0]))
        if len({d for _, d in by_edits}) == 1:
            score = score + Value(by_edits[0][1])
            continue
        score = score + Case(
            *[When(search_names__contains=[token], then=Value(d)) for token, d in by_edits],
            default=Value(9),
            output_field=IntegerField(),
        )
    exact = Value(0)
    for raw in raw_words:
        exact = exact + Case(
            When(Q(surname_lower=raw) | Q(first_lower=raw) | Q(family_lower=raw), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    all_tokens = sorted({t for tokens in per_word for t in tokens})
    return burials.annotate(
        edits=score,
        # The surname (its first word) matched rather than only a family name or first name.
        surname_hit=Case(
            When(search_names__0__in=all_tokens, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        surname_lower=Lower("surname"),
        first_lower=Lower("first_name"),
        family_lower=Lower("family_name"),
    ).annotate(exact_words=exact)


def geoportal_graves(query: str, gmina, user, limit: int) -> list:
    """Graves for the geoportal's search box: public burials in the gmina's cemeteries."""
    from django.urls import reverse

    from sip.search import SearchResult

    from .routes import to_srid

    out = []
    for b in search_burials(query, gmina_id=gmina.pk, limit=limit):
        grave = b.grave
        years = "–".join(str(d.year) if d else "?" for d in (b.birth_date, b.death_date))
        lon, lat = to_srid([(grave.geom.x, grave.geom.y)], 4326)[0]
        out.append(
            SearchResult(
                kind="grave",
                label=f"{b.full_name} ({years})",
                detail=f"{grave.cemetery.name}, {grave.label}",
                geojson={"type": "Point", "coordinates": [lon, lat]},
                extra={"url": reverse("cemetery-grave-card", args=[grave.pk]), "grave_id": grave.pk},
            )
        )
    return out
