"""Admin of residents' reports: categories, per-gmina settings, routing rules (with a test
form: where would a report at this point in this category go, and why), Open311 keys."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.gis.geos import Point
from django.template.response import TemplateResponse
from django.urls import path

from sip.admin import GminaScopedAdmin, ScopedTabularInline
from sip.geometry import GeometryError, check_in_poland

from . import routing
from .models import Category, CategoryGroup, CategorySetting, Open311Key, Report, RoutingRule, StatusChange


@admin.register(CategoryGroup)
class CategoryGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "icon", "order")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "group", "icon", "active", "order")
    list_filter = ("group", "active")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}


@admin.register(CategorySetting)
class CategorySettingAdmin(GminaScopedAdmin):
    list_display = (
        "category",
        "gmina",
        "enabled",
        "handling",
        "outside_unit",
        "generalise_private",
        "overdue_days",
    )
    list_filter = ("gmina", "handling", "enabled")
    autocomplete_fields = ("outside_unit",)


class RouteTestForm(forms.Form):
    lat = forms.FloatField(label="szerokość (WGS84)", min_value=-90, max_value=90)
    lon = forms.FloatField(label="długość (WGS84)", min_value=-180, max_value=180)
    category = forms.ModelChoiceField(Category.objects.filter(active=True), label="kategoria")


@admin.register(RoutingRule)
class RoutingRuleAdmin(GminaScopedAdmin):
    list_display = (
        "gmina",
        "category",
        "condition",
        "road_categories",
        "distance_m",
        "register",
        "unit",
        "priority",
    )
    list_filter = ("gmina", "condition", "category")
    autocomplete_fields = ("unit",)
    change_list_template = "admin/incidents/routingrule/change_list.html"

    def get_urls(self):
        return [
            path("test/", self.admin_site.admin_view(self.route_test), name="incidents_routingrule_test"),
            *super().get_urls(),
        ]

    def route_test(self, request):
        """Where a report at this point in this category would go, and why."""
        form = RouteTestForm(request.GET or None)
        decision = error = None
        if form.is_valid():
            lat, lon = form.cleaned_data["lat"], form.cleaned_data["lon"]
            try:
                check_in_poland(lon, lat, 4326)
                point = Point(lon, lat, srid=4326).transform(2180, clone=True)
                decision = routing.decide(point=point, category=form.cleaned_data["category"])
            except (GeometryError, routing.RoutingError) as exc:
                error = str(exc)
        context = {
            **self.admin_site.each_context(request),
            "title": "Test kierowania zgłoszeń",
            "form": form,
            "decision": decision,
            "error": error,
            "opts": self.model._meta,
        }
        if error:
            messages.error(request, error)
        return TemplateResponse(request, "admin/incidents/routingrule/test.html", context)


class StatusChangeInline(ScopedTabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    fields = (
        "at",
        "kind",
        "actor",
        "status_before",
        "status_after",
        "unit_before",
        "unit_after",
        "public_note",
        "internal_note",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(GminaScopedAdmin):
    """Read-only: reports change through the inbox (services), which keeps history and mails."""

    list_display = ("number", "gmina", "category", "status", "responsible_unit", "created_at")
    list_filter = ("status", "gmina", "category")
    search_fields = ("number",)
    inlines = [StatusChangeInline]

    def get_queryset(self, request):
        from . import selectors

        return selectors.staff_reports(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class Open311KeyForm(forms.ModelForm):
    class Meta:
        model = Open311Key
        fields = ("name", "active")


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    """Keys of Open311 applications; a new key is shown once, after saving."""

    form = Open311KeyForm
    list_display = ("name", "prefix", "active", "created_at", "last_used_at")

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        from .open311.keys import new_key

        created, key = new_key(name=obj.name)
        obj.pk = created.pk
        obj.prefix, obj.key_hash = created.prefix, created.key_hash
        messages.warning(
            request, f"Klucz aplikacji „{obj.name}” (zapisz go teraz, nie będzie pokazany ponownie): {key}"
        )
