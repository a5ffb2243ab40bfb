"""Administration of participation: consultations with their surveys and attachments, moderation
of free-text answers, inspections of draft plans and comments; scoped to the staff's gmina."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from sip import tenancy
from sip.admin import GminaScopedAdmin, ScopedStackedInline, ScopedTabularInline

from ..models import Answer, Attachment, Consultation, PlanComment, PlanInspection, Question
from . import services as consultation_services


class QuestionInline(ScopedStackedInline):
    model = Question
    extra = 0
    fields = (("position", "kind", "required"), "text", "help_text", "options", ("max_choices", "geometry"))


class AttachmentInline(ScopedTabularInline):
    model = Attachment
    extra = 0


@admin.register(Consultation)
class ConsultationAdmin(GminaScopedAdmin):
    list_display = ("title", "gmina", "opens_on", "closes_on", "audience", "exports")
    list_filter = ("gmina", "audience")
    search_fields = ("title",)
    date_hierarchy = "opens_on"
    inlines = (QuestionInline, AttachmentInline)

    @admin.display(description="odpowiedzi")
    def exports(self, obj):
        links = [
            (reverse("participation:consultation-export", args=[obj.pk, fmt]), label)
            for fmt, label in (("xlsx", "XLSX"), ("gpkg", "GPKG"), ("geojson", "GeoJSON"))
        ]
        links.append((reverse("participation:consultation-results", args=[obj.pk]), "wyniki"))
        return format_html(
            " · ".join(['<a href="{}">{}</a>'] * len(links)), *[v for pair in links for v in pair]
        )


class NestedScopedAdmin(GminaScopedAdmin):
    """For rows that belong to a gmina through another row (sip.tenancy.gmina_path)."""

    def get_queryset(self, request):
        path = tenancy.gmina_path(self.model)
        return tenancy.scope_queryset(self.model._default_manager.all(), request.user, path)

    def _gmina_id(self, obj):
        return tenancy.gmina_id_of(obj)


@admin.register(Answer)
class AnswerAdmin(NestedScopedAdmin):
    """Moderation: free texts and map comments are published only once approved here."""

    list_display = ("text", "question", "consultation", "text_approved")
    list_filter = ("text_approved", "question__kind", "response__consultation__gmina")
    search_fields = ("text", "question__text")
    readonly_fields = ("response", "question", "choices", "value", "text", "geom")
    fields = ("response", "question", "choices", "value", "text", "text_approved", "geom")
    actions = ("approve", "withdraw")
    list_select_related = ("question", "response__consultation")

    @admin.display(description="konsultacja")
    def consultation(self, obj):
        return obj.response.consultation

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(text="")

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        consultation_services.set_texts_approved(
            actor=request.user, answers=Answer.objects.filter(pk=obj.pk), approved=obj.text_approved
        )

    @admin.action(description="Zatwierdź teksty do publikacji")
    def approve(self, request, queryset):
        count = consultation_services.set_texts_approved(actor=request.user, answers=queryset, approved=True)
        self.message_user(request, f"Zatwierdzono: {count}.", messages.SUCCESS)

    @admin.action(description="Wycofaj z publikacji")
    def withdraw(self, request, queryset):
        count = consultation_services.set_texts_approved(actor=request.user, answers=queryset, approved=False)
        self.message_user(request, f"Wycofano: {count}.", messages.SUCCESS)


@admin.register(PlanInspection)
class InspectionAdmin(GminaScopedAdmin):
    list_display = ("plan", "gmina", "starts_on", "ends_on", "comments_page")
    list_filter = ("gmina",)
    raw_id_fields = ("plan",)

    @admin.display(description="uwagi")
    def comments_page(self, obj):
        return format_html(
            '<a href="{}">uwagi i rozstrzygnięcia</a>',
            reverse("participation:inspection-staff", args=[obj.pk]),
        )


@admin.register(PlanComment)
class PlanCommentAdmin(NestedScopedAdmin):
    """Comments are submitted by residents and decided on the planner's page; here read-only."""

    list_display = ("number", "inspection", "submitted_at", "decision")
    list_filter = ("decision", "inspection__gmina")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.concrete_fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
