"""Answers to consultations as a reportable dataset (see sip.datasets). Answers are people's: the
free text, the respondent's key and any comment are never reported, and published cells under k
are suppressed. Map answers carry their geometry (grouping by obręb or the 1 km grid); other
answers have none and are counted only in non-spatial groupings."""

from sip.datasets import Dimension, register

from .models import Answer, Question

register(
    slug="odpowiedzi-konsultacji",
    title="Odpowiedzi w konsultacjach",
    queryset=lambda: Answer.objects.all(),
    gmina_path="response__consultation__gmina",
    geometry="geom",
    dimensions=[
        Dimension("consultation", "konsultacja", "response__consultation__title"),
        Dimension("question", "pytanie", "question__text"),
        Dimension("question_kind", "rodzaj pytania", "question__kind", choices=tuple(Question.Kind.choices)),
        Dimension("value", "ocena (skala 1–5)", "value"),
        Dimension("submitted_at", "data odpowiedzi", "response__submitted_at", kind="date"),
    ],
    personal_fields=("text", "response__respondent_key", "choices"),
    counts_people=True,
    permission="participation.view_consultation",
    description="Odpowiedzi mieszkańców w konsultacjach i geoankietach.",
    unit_label="odpowiedzi",
    order=70,
)
