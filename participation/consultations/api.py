"""REST API of consultations: the list, one survey, a resident's response, e-mail codes for
verified residents, and the results after the close."""

from __future__ import annotations

import json
import smtplib

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from sip.api import GeoJSONGeometrySerializer, SipAPIView, documented, page_serializer, paged_list, validated
from sip.models import Gmina
from sip.urls_public import absolute, public_url

from ..models import Consultation, Question
from . import selectors, services


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "Konflikt z aktualnym stanem."


class MailUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = "Nie udało się wysłać wiadomości; spróbuj później."


def _gmina_or_404(teryt: str) -> Gmina | None:
    if not teryt:
        return None
    gmina = Gmina.objects.filter(teryt=teryt).first() or Gmina.objects.filter(slug=teryt).first()
    if gmina is None:
        raise Http404(f"Nie ma w systemie gminy „{teryt}”.")
    return gmina


def _consultation_or_404(pk: int) -> Consultation:
    consultation = selectors.consultation_with_area(pk)
    if consultation is None:
        raise Http404("Nie ma takiej konsultacji.")
    return consultation


def summary(consultation: Consultation, request) -> dict:
    return {
        "id": consultation.pk,
        "title": consultation.title,
        "gmina": {"teryt": consultation.gmina.teryt, "name": consultation.gmina.name},
        "opens_on": consultation.opens_on.isoformat(),
        "closes_on": consultation.closes_on.isoformat(),
        "state": consultation.state(),
        "audience": consultation.audience,
        "page_url": public_url("participation:consultation", args=[consultation.pk], request=request),
    }


class GminaRef(serializers.Serializer):
    teryt = serializers.CharField()
    name = serializers.CharField()

    class Meta:
        ref_name = "ConsultationGmina"


class SummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    gmina = GminaRef()
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    state = serializers.ChoiceField(choices=["planned", "open", "closed"])
    audience = serializers.ChoiceField(
        choices=Consultation.Audience.values, help_text="anyone: każdy; verified: kod wysłany e-mailem"
    )
    page_url = serializers.URLField()


class ConsultationListView(SipAPIView):
    """Consultations of all gminas or one, open today by default."""

    class InputSerializer(page_serializer(default=50, maximum=200)):
        gmina = serializers.CharField(
            required=False, allow_blank=True, max_length=60, help_text="TERYT gminy"
        )
        state = serializers.ChoiceField(
            choices=["open", "closed", "planned", "all"],
            default="open",
            error_messages={"invalid_choice": "state: open, closed, planned albo all."},
        )

    class OutputSerializer(serializers.Serializer):
        count = serializers.IntegerField()
        next = serializers.URLField(allow_null=True)
        previous = serializers.URLField(allow_null=True)
        results = SummarySerializer(many=True)

        class Meta:
            ref_name = "ConsultationList"

    @extend_schema(
        parameters=[InputSerializer],
        responses=documented({200: OutputSerializer}, 404),
        summary="Konsultacje społeczne i geoankiety",
        operation_id="participation_consultations_list",
    )
    def get(self, request):
        params = validated(self.InputSerializer, request.query_params)
        qs = selectors.consultations(gmina=_gmina_or_404(params.get("gmina", "")), state=params["state"])
        limit, offset = params["limit"], params["offset"]
        page = [summary(c, request) for c in qs[offset : offset + limit]]
        return Response(paged_list(request, page, total=qs.count(), limit=limit, offset=offset))


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Question.Kind.values)
    text = serializers.CharField()
    help_text = serializers.CharField()
    required = serializers.BooleanField()
    options = serializers.ListField(child=serializers.CharField(), help_text="numerowane od 0")
    max_choices = serializers.IntegerField(allow_null=True)
    geometry = serializers.CharField(help_text="pytanie mapowe: point, line, polygon albo any")


class ConsultationDetailView(SipAPIView):
    """One consultation with its area, attachments and survey."""

    class OutputSerializer(SummarySerializer):
        class AttachmentSerializer(serializers.Serializer):
            title = serializers.CharField()
            url = serializers.URLField()

        description = serializers.CharField()
        area = GeoJSONGeometrySerializer(help_text="EPSG:4326")
        attachments = AttachmentSerializer(many=True)
        questions = QuestionSerializer(many=True)

        class Meta:
            ref_name = "ConsultationDetail"

    @extend_schema(
        responses=documented({200: OutputSerializer}, 404),
        summary="Konsultacja i jej ankieta",
        operation_id="participation_consultation_retrieve",
    )
    def get(self, request, pk: int):
        c = _consultation_or_404(pk)
        body = summary(c, request) | {
            "description": c.description,
            "area": json.loads(c.area_geojson),
            "attachments": [
                {"title": a.title, "url": absolute(a.file.url, request)} for a in c.attachments.all()
            ],
            "questions": [
                {
                    "id": q.pk,
                    "position": q.position,
                    "kind": q.kind,
                    "text": q.text,
                    "help_text": q.help_text,
                    "required": q.required,
                    "options": q.option_list,
                    "max_choices": q.max_choices,
                    "geometry": q.geometry if q.kind == Question.Kind.MAP else "",
                }
                for q in c.questions.all()
            ],
        }
        return Response(body)


class AnswerInput(serializers.Serializer):
    question = serializers.IntegerField(help_text="id pytania")
    choices = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="wybór jednokrotny/wielokrotny: numery odpowiedzi (od 0); ranking: wszystkie numery "
        "od najważniejszej",
    )
    value = serializers.IntegerField(required=False, help_text="skala: 1–5")
    text = serializers.CharField(required=False, help_text="odpowiedź opisowa albo komentarz do miejsca")
    geometry = GeoJSONGeometrySerializer(required=False, help_text="pytanie mapowe: GeoJSON w EPSG:4326")


class ResponseCreateView(SipAPIView):
    """A resident's answers to the survey. Open to everyone (no account): a consultation for
    verified residents needs the e-mail address and the code sent to it."""

    permission_classes = [permissions.AllowAny]

    class InputSerializer(serializers.Serializer):
        answers = serializers.ListField(child=serializers.JSONField(), max_length=200)
        email = serializers.EmailField(
            required=False, allow_blank=True, help_text="tylko dla zweryfikowanych"
        )
        code = serializers.CharField(required=False, allow_blank=True, max_length=12)

    class DocumentedInput(serializers.Serializer):
        answers = AnswerInput(many=True)
        email = serializers.EmailField(required=False)
        code = serializers.CharField(required=False)

        class Meta:
            ref_name = "ConsultationResponseInput"

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        submitted_at = serializers.DateTimeField()

        class Meta:
            ref_name = "ConsultationResponse"

    @extend_schema(
        request=DocumentedInput,
        responses=documented({201: OutputSerializer}, 404, 409, 415),
        summary="Wysłanie odpowiedzi na ankietę",
    )
    def post(self, request, pk: int):
        consultation = _consultation_or_404(pk)
        data = validated(self.InputSerializer, request.data)
        try:
            response = services.submit_response(
                consultation=consultation,
                answers=data["answers"],
                email=data.get("email", ""),
                code=data.get("code", ""),
            )
        except (services.NotOpen, services.AlreadyAnswered) as exc:
            raise Conflict(str(exc)) from None
        return Response(
            {"id": response.pk, "submitted_at": response.submitted_at}, status=status.HTTP_201_CREATED
        )


class CodeThrottle(AnonRateThrottle):
    rate = "20/hour"


class CodeRequestView(SipAPIView):
    """Send a one-time code to a resident's e-mail address (consultations for verified residents)."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [CodeThrottle]

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()

        class Meta:
            ref_name = "ConsultationCodeRequest"

    class OutputSerializer(serializers.Serializer):
        detail = serializers.CharField()

        class Meta:
            ref_name = "ConsultationCodeSent"

    @extend_schema(
        request=InputSerializer,
        responses=documented({202: OutputSerializer}, 404, 409, 415, 429),
        summary="Kod weryfikacyjny na adres e-mail",
    )
    def post(self, request, pk: int):
        consultation = _consultation_or_404(pk)
        data = validated(self.InputSerializer, request.data)
        if consultation.audience != Consultation.Audience.VERIFIED:
            raise exceptions.ValidationError(
                {"detail": "Ta konsultacja nie wymaga kodu: odpowiedzieć może każdy."}
            )
        try:
            services.send_code(consultation=consultation, email=data["email"])
        except services.NotOpen as exc:
            raise Conflict(str(exc)) from None
        except services.TooManyCodes as exc:
            raise exceptions.Throttled(detail=str(exc)) from None
        except (smtplib.SMTPException, OSError):
            raise MailUnavailable() from None
        return Response({"detail": "Wysłaliśmy kod na podany adres."}, status=status.HTTP_202_ACCEPTED)


class ResultsView(SipAPIView):
    """Results of a closed consultation: counts per question, approved texts, map answers."""

    class OutputSerializer(serializers.Serializer):
        responses = serializers.IntegerField()
        questions = serializers.ListField(child=serializers.DictField())
        map_answers = serializers.DictField(help_text="GeoJSON FeatureCollection, EPSG:4326")

        class Meta:
            ref_name = "ConsultationResults"

    @extend_schema(
        responses=documented({200: OutputSerializer}, 404),
        summary="Wyniki konsultacji (po jej zamknięciu)",
        parameters=[OpenApiParameter("pk", int, OpenApiParameter.PATH)],
    )
    def get(self, request, pk: int):
        c = _consultation_or_404(pk)
        if c.state() != "closed":
            raise exceptions.PermissionDenied(
                "Wyniki konsultacji będą dostępne po jej zamknięciu "
                f"(odpowiedzi przyjmujemy {c.dates_label})."
            )
        body = selectors.results(c)
        body["map_answers"] = {"type": "FeatureCollection", "features": selectors.map_answer_features(c)}
        return Response(body)
