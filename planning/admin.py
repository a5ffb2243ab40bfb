"""Administration of plans, zones and amendments (gmina editors) and the read-only register."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from sip import tenancy
from sip.admin import GminaScopedAdmin, ScopedTabularInline

from .models import Amendment, ExtractCase, ExtractOffice, IssuedDocument, Plan, Zone


class PlanScopedAdmin(GminaScopedAdmin):
    """For rows that belong to a gmina through their plan (zones, amendments): scoped by
    plan__gmina; `gmina_id` of the row is a property of the model."""

    gmina_field = "gmina"
    plan_field = "plan"

    def get_queryset(self, request):
        qs = self.model._default_manager.select_related(self.plan_field)
        return tenancy.scope_queryset(qs, request.user, f"{self.plan_field}__gmina")


class AmendmentInline(ScopedTabularInline):
    model = Amendment
    fk_name = "amending"
    extra = 0
    verbose_name = "zmieniany plan"
    verbose_name_plural = "plany zmieniane lub uchylane przez ten plan"
    raw_id_fields = ("amended",)


@admin.register(Plan)
class PlanAdmin(GminaScopedAdmin):
    list_display = ("title", "kind", "resolution_number", "resolution_date", "status", "scale", "gmina")
    list_filter = ("gmina", "kind", "status")
    search_fields = ("title", "resolution_number", "app_id")
    date_hierarchy = "resolution_date"
    inlines = (AmendmentInline,)


@admin.register(Zone)
class ZoneAdmin(PlanScopedAdmin):
    list_display = ("symbol", "name", "plan")
    list_filter = ("plan__gmina", "purpose")
    search_fields = ("symbol", "name", "plan__title", "plan__resolution_number")
    raw_id_fields = ("plan",)


@admin.register(Amendment)
class AmendmentAdmin(PlanScopedAdmin):
    plan_field = "amending"
    list_display = ("amending", "amended", "kind")
    raw_id_fields = ("amending", "amended")


@admin.register(ExtractOffice)
class ExtractOfficeAdmin(GminaScopedAdmin):
    list_display = ("office_name", "gmina", "case_prefix", "authority")


class IssuedDocumentInline(ScopedTabularInline):
    model = IssuedDocument
    extra = 0
    can_delete = False
    fields = ("version", "kind", "issued_at", "issued_by", "wypis_pages", "wyrys_pages", "sha256", "pdf")
    readonly_fields = fields

    @admin.display(description="plik PDF")
    def pdf(self, obj):
        # The file is private: link the view that checks permissions, never a storage URL.
        url = reverse("planning:document-pdf", args=[obj.pk])
        return format_html('<a href="{}">{}-v{}.pdf</a>', url, obj.case.case_number, obj.version)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ExtractCase)
class ExtractCaseAdmin(admin.ModelAdmin):
    """The register, read-only: cases are registered and issued on the planner's page."""

    list_display = ("case_number", "application_date", "applicant", "kind", "fee_total", "gmina")
    list_filter = ("gmina", "year", "kind")
    search_fields = ("case_number", "applicant", "parcel_identifiers")
    inlines = (IssuedDocumentInline,)
    exclude = ("parcels",)

    def get_queryset(self, request):
        return tenancy.scope_queryset(super().get_queryset(request), request.user)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.concrete_fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
