"""Admin of budget editions (with their districts) and projects, scoped by gmina. A project's
status is set on the staff page of the edition (services.review_project), not here, so that the
rules of verification live in one place. The register, marks and ballots have no admin: nobody
reads single ballots, and the register is imported with manage.py import_voters."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from sip.admin import GminaScopedAdmin, ScopedTabularInline

from ..models import BudgetDistrict, BudgetEdition, BudgetProject, BudgetProjectPhoto

__all__ = ["BudgetEditionAdmin", "BudgetProjectAdmin"]


class DistrictInline(ScopedTabularInline):
    model = BudgetDistrict
    extra = 0


class PhotoInline(ScopedTabularInline):
    model = BudgetProjectPhoto
    extra = 0


@admin.register(BudgetEdition)
class BudgetEditionAdmin(GminaScopedAdmin):
    list_display = (
        "title",
        "gmina",
        "year",
        "rule",
        "verification",
        "voting_start",
        "voting_end",
        "staff_page",
    )
    list_filter = ("year", "rule", "verification")
    inlines = [DistrictInline]

    @admin.display(description="strona urzędu")
    def staff_page(self, obj):
        return format_html(
            '<a href="{}">projekty i karty papierowe</a>',
            reverse("participation:budget-staff", args=[obj.pk]),
        )


@admin.register(BudgetProject)
class BudgetProjectAdmin(GminaScopedAdmin):
    list_display = ("title", "edition", "district", "cost", "status")
    list_filter = ("status", "edition__year")
    search_fields = ("title",)
    readonly_fields = ("status", "rejection_reason")
    inlines = [PhotoInline]
