"""Admin of the registers on a map, scoped to the caller's gmina; writes go through services."""

from django.contrib import admin

from sip.admin import GminaScopedAdmin

from .models import Inspection, Lamp, LightingLine, RegisterVisibility, SmallArchitecture, Tree, TreeSpecies


@admin.register(SmallArchitecture)
class SmallArchitectureAdmin(GminaScopedAdmin):
    list_display = ("external_id", "kind", "material", "condition", "installed_on", "gmina")
    list_filter = ("gmina", "kind", "material", "condition")
    search_fields = ("external_id",)


@admin.register(LightingLine)
class LightingLineAdmin(GminaScopedAdmin):
    list_display = ("external_id", "switch_cabinet", "circuit", "cable", "gmina")
    list_filter = ("gmina", "switch_cabinet")
    search_fields = ("external_id", "circuit")


@admin.register(Lamp)
class LampAdmin(GminaScopedAdmin):
    list_display = ("external_id", "switch_cabinet", "circuit", "power_w", "is_led", "gmina")
    list_filter = ("gmina", "is_led", "pole_type", "switch_cabinet")
    search_fields = ("external_id", "circuit")
    raw_id_fields = ("line",)


@admin.register(Tree)
class TreeAdmin(GminaScopedAdmin):
    list_display = (
        "external_id",
        "species",
        "trunk_circumference_cm",
        "height_m",
        "condition",
        "natural_monument",
    )
    list_filter = ("gmina", "natural_monument", "condition", "species")
    search_fields = ("external_id", "species__polish_name", "species__latin_name")
    list_select_related = ("species",)


@admin.register(Inspection)
class InspectionAdmin(GminaScopedAdmin):
    list_display = ("inspected_on", "content_type", "object_id", "result", "next_due", "gmina")
    list_filter = ("gmina", "result", "content_type")
    date_hierarchy = "inspected_on"


@admin.register(RegisterVisibility)
class RegisterVisibilityAdmin(GminaScopedAdmin):
    list_display = ("gmina", "register", "is_public")


@admin.register(TreeSpecies)
class TreeSpeciesAdmin(admin.ModelAdmin):
    list_display = ("polish_name", "latin_name", "felling_threshold_cm")
    search_fields = ("polish_name", "latin_name")
