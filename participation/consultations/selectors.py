"""Reads of consultations: the public list, one survey, and the published results (counts per
question, approved texts, map answers), all without personal data."""

from __future__ import annotations

import json
from collections import Counter

from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ..models import Answer, Consultation, Question

# 1e-5 degree is about a metre: enough for a map answer, no false precision.
PUBLIC_PRECISION = 5


def consultations(*, gmina=None, state: str = "open", day=None) -> QuerySet[Consultation]:
    """Return the consultations of a gmina (or all) that are open / closed / planned on `day`
    ('all': every one), with the number of responses."""
    day = day or timezone.localdate()
    qs = Consultation.objects.select_related("gmina").annotate(response_count=Count("responses"))
    if gmina is not None:
        qs = qs.filter(gmina=gmina)
    if state == "open":
        qs = qs.filter(opens_on__lte=day, closes_on__gte=day)
    elif state == "closed":
        qs = qs.filter(closes_on__lt=day)
    elif state == "planned":
        qs = qs.filter(opens_on__gt=day)
    return qs.order_by("closes_on", "title", "pk")


def consultation_with_area(pk: int) -> Consultation | None:
    """Return the consultation annotated with `area_geojson` (EPSG:4326), or None."""
    return (
        Consultation.objects.select_related("gmina")
        .annotate(area_geojson=AsGeoJSON(Transform("area", 4326), precision=6))
        .prefetch_related("questions", "attachments")
        .filter(pk=pk)
        .first()
    )


def _bars(labels: list[str], counts: list[int], total: int) -> list[dict]:
    return [
        {"label": label, "count": count, "pct": round(100.0 * count / total, 1) if total else 0.0}
        for label, count in zip(labels, counts, strict=True)
    ]


def question_result(question: Question, answers: list[Answer]) -> dict:
    """The published result of one question: counts (choices, scale), mean places (ranking),
    approved texts, or the number of map answers."""
    result = {
        "id": question.pk,
        "position": question.position,
        "kind": question.kind,
        "text": question.text,
        "answered": len(answers),
    }
    options = question.option_list
    if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        counts = Counter(i for a in answers for i in a.choices)
        result["bars"] = _bars(options, [counts[i] for i in range(len(options))], len(answers))
    elif question.kind == Question.Kind.SCALE:
        counts = Counter(a.value for a in answers)
        result["bars"] = _bars([str(v) for v in range(1, 6)], [counts[v] for v in range(1, 6)], len(answers))
        result["mean"] = round(sum(a.value for a in answers) / len(answers), 2) if answers else None
    elif question.kind == Question.Kind.RANKING:
        places = {i: [] for i in range(len(options))}
        for a in answers:
            for place, option in enumerate(a.choices, start=1):
                places[option].append(place)
        ranking = [
            {
                "label": options[i],
                "mean_place": round(sum(p) / len(p), 2) if p else None,
                "first_places": sum(1 for x in p if x == 1),
            }
            for i, p in places.items()
        ]
        ranking.sort(key=lambda r: (r["mean_place"] is None, r["mean_place"] or 0, r["label"]))
        result["ranking"] = ranking
    elif question.kind == Question.Kind.TEXT:
        result["texts"] = [a.text for a in answers if a.text_approved and a.text]
        result["awaiting_moderation"] = sum(1 for a in answers if not a.text_approved)
    return result


def results(consultation: Consultation) -> dict:
    """Return the published results: responses counted, and per question its result."""
    answers_by_question: dict[int, list[Answer]] = {}
    for a in Answer.objects.filter(response__consultation=consultation).only(
        "question_id", "choices", "value", "text", "text_approved"
    ):
        answers_by_question.setdefault(a.question_id, []).append(a)
    questions = list(consultation.questions.order_by("position", "pk"))
    return {
        "responses": consultation.responses.count(),
        "questions": [question_result(q, answers_by_question.get(q.pk, [])) for q in questions],
    }


def map_answer_features(consultation: Consultation, *, public: bool = True) -> list[dict]:
    """Return the map answers as GeoJSON Features (EPSG:4326): question, kind of geometry and,
    when public, the comment only once staff approved it."""
    rows = (
        Answer.objects.filter(response__consultation=consultation, question__kind=Question.Kind.MAP)
        .exclude(geom__isnull=True)
        .annotate(gj=AsGeoJSON(Transform("geom", 4326), precision=PUBLIC_PRECISION if public else 7))
        .order_by("question__position", "pk")
        .values_list("pk", "question_id", "gj", "text", "text_approved")
    )
    features = []
    for pk, qid, gj, text, approved in rows:
        props = {"question": qid, "comment": text if (approved or not public) else ""}
        feature = {"type": "Feature", "geometry": json.loads(gj), "properties": props}
        if not public:
            feature["id"] = pk
        features.append(feature)
    return features


def pending_texts(gmina_ids) -> QuerySet[Answer]:
    """Return the free texts and map comments of these gminas not yet approved."""
    return (
        Answer.objects.filter(response__consultation__gmina_id__in=gmina_ids, text_approved=False)
        .filter(Q(question__kind=Question.Kind.TEXT) | ~Q(text=""))
        .select_related("question", "response__consultation")
    )
