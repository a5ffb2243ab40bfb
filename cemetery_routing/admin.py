"""Staff pages: cemeteries, graves and burials on a map, scoped by gmina; cemetery-book import,
expiring leases, the map of free graves. The holder (dysponent) is shown only to roles that
hold its permission."""

from __future__ import annotations

import json
from datetime import date, timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from sip import tenancy
from sip.admin import GminaScopedAdmin, ScopedStackedInline, ScopedTabularInline
from sip.uploads import check_upload_size

from . import selectors, services
from .cemetery_book import BookError, import_book
from .models import Alley, Burial, Cemetery, Gate, Grave, GraveHolder, GravePhoto, Orthophoto, Section
from .routing import dangling_lines, snap_lines


class CemeteryScopedAdmin(GminaScopedAdmin):
    """GminaScopedAdmin for objects that reach their gmina through the cemetery or the grave."""

    gmina_field = "cemetery__gmina"

    def _gmina_id(self, obj):
        return services.gmina_id_of(obj)

    def save_model(self, request, obj, form, change):
        services.save_object(actor=request.user, obj=obj)

    def delete_model(self, request, obj):
        services.delete_object(actor=request.user, obj=obj)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.delete_object(actor=request.user, obj=obj)
        for obj in instances:
            services.save_object(actor=request.user, obj=obj)
        formset.save_m2m()


class HolderInline(ScopedStackedInline):
    # Shown only to roles with cemetery_routing.view_graveholder: Django's admin leaves out an
    # inline its user may not view (tests/cemetery_routing/test_permission_checks.py).
    model = GraveHolder
    extra = 0
    max_num = 1
    verbose_name_plural = "Dysponent grobu (dane osobowe – tylko dla pracowników)"


class BurialInline(ScopedTabularInline):
    model = Burial
    extra = 0
    fields = ("first_name", "surname", "family_name", "birth_date", "death_date", "burial_date", "is_public")


class PhotoInline(ScopedTabularInline):
    model = GravePhoto
    extra = 0
    fields = ("kind", "image", "taken_on", "caption")


class ImportForm(forms.Form):
    file = forms.FileField(label="Plik XLSX księgi cmentarnej")
    dry_run = forms.BooleanField(label="Tylko sprawdź plik (nic nie zapisuj)", required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload_size(upload)
        return upload


class LeaseForm(forms.Form):
    MONTHS = [(1, "1 miesiąca"), (3, "3 miesięcy"), (6, "6 miesięcy"), (12, "roku"), (24, "2 lat")]
    months = forms.TypedChoiceField(label="Opłata kończy się w ciągu", choices=MONTHS, coerce=int, initial=6)
    include_expired = forms.BooleanField(label="także już wygasłe", required=False, initial=True)


@admin.register(Cemetery)
class CemeteryAdmin(GminaScopedAdmin):
    list_display = ("name", "gmina", "address", "graph_built_at", "staff_links")
    list_filter = ("gmina",)
    search_fields = ("name", "address")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("graph_built_at",)

    @admin.display(description="Czynności")
    def staff_links(self, obj):
        return format_html(
            '<a href="{}">import księgi</a> · <a href="{}">wolne groby</a> · '
            '<a href="{}">strona publiczna</a>',
            reverse("admin:cemetery_routing_cemetery_import", args=[obj.pk]),
            reverse("admin:cemetery_routing_cemetery_free", args=[obj.pk]),
            reverse("cemetery-page", args=[obj.slug]),
        )

    def save_model(self, request, obj, form, change):
        services.save_object(actor=request.user, obj=obj)

    def delete_model(self, request, obj):
        services.delete_object(actor=request.user, obj=obj)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/import/", view(self.import_view), name="cemetery_routing_cemetery_import"),
            path("<int:pk>/wolne-groby/", view(self.free_view), name="cemetery_routing_cemetery_free"),
            path("<int:pk>/siec-alejek/", view(self.graph_view), name="cemetery_routing_cemetery_graph"),
            path("oplaty/", view(self.leases_view), name="cemetery_routing_cemetery_leases"),
            *super().get_urls(),
        ]

    def _cemetery(self, request, pk: int, perm: str) -> Cemetery:
        cemetery = get_object_or_404(Cemetery.objects.select_related("gmina"), pk=pk)
        tenancy.require(request.user, perm, cemetery.gmina_id)
        return cemetery

    def import_view(self, request, pk: int):
        cemetery = self._cemetery(request, pk, "cemetery_routing.add_burial")
        report = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                report = import_book(
                    actor=request.user,
                    cemetery=cemetery,
                    path_or_file=form.cleaned_data["file"],
                    dry_run=form.cleaned_data["dry_run"],
                )
            except BookError as exc:
                form.add_error("file", str(exc))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import księgi cmentarnej: {cemetery.name}",
            "cemetery": cemetery,
            "form": form,
            "report": report,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "cemetery_routing/admin/import.html", context)

    def leases_view(self, request):
        if not tenancy.scoped_gminas(request.user).exists() or not request.user.has_perm(
            "cemetery_routing.view_grave"
        ):
            raise PermissionDenied("Nie masz dostępu do grobów żadnej gminy.")
        form = LeaseForm(request.GET or None)
        months = form.cleaned_data["months"] if form.is_valid() else 6
        include_expired = form.cleaned_data["include_expired"] if form.is_valid() else True
        today = date.today()
        until = today + timedelta(days=round(months * 30.44))
        graves = selectors.expiring_leases(request.user, until=until)
        if not include_expired:
            graves = graves.filter(lease_expires__gte=today)
        show_holder = request.user.has_perm("cemetery_routing.view_graveholder")
        context = {
            **self.admin_site.each_context(request),
            "title": "Kończące się opłaty za groby",
            "form": form if form.is_bound else LeaseForm(),
            "graves": graves[:1000],
            "total": graves.count(),
            "until": until,
            "today": today,
            "show_holder": show_holder,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "cemetery_routing/admin/leases.html", context)

    def free_view(self, request, pk: int):
        cemetery = self._cemetery(request, pk, "cemetery_routing.view_grave")
        graves = selectors.free_graves(request.user, cemetery.pk).annotate(
            out=AsGeoJSON(Transform("geom", 4326), precision=7)
        )
        features = [
            {
                "type": "Feature",
                "geometry": json.loads(g.out),
                "properties": {
                    "label": g.label,
                    "kind": g.get_kind_display(),
                    "url": reverse("admin:cemetery_routing_grave_change", args=[g.pk]),
                },
            }
            for g in graves
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Wolne groby: {cemetery.name}",
            "cemetery": cemetery,
            "free": {"type": "FeatureCollection", "features": features},
            "map": selectors.cemetery_map(cemetery),
            "counts": selectors.status_counts(cemetery),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "cemetery_routing/admin/free.html", context)

    def graph_view(self, request, pk: int):
        cemetery = self._cemetery(request, pk, "cemetery_routing.change_alley")
        if request.method != "POST":
            return redirect("admin:cemetery_routing_cemetery_change", pk)
        report = services.build_graph(actor=request.user, cemetery=cemetery)
        level = messages.WARNING if report.disconnected or report.dangling else messages.SUCCESS
        text = f"Sieć alejek zbudowana: krawędzie: {report.edges}, spójne części: {len(report.components)}."
        if report.disconnected:
            text += f" Części niepołączone z żadną bramą: {len(report.disconnected)}."
        messages.add_message(request, level, text)
        for line in snap_lines(report):
            messages.info(request, line)
        for line in dangling_lines(report):
            messages.warning(request, line)
        return redirect("admin:cemetery_routing_cemetery_change", pk)


@admin.register(Gate)
class GateAdmin(CemeteryScopedAdmin):
    list_display = ("name", "cemetery", "step_free")
    list_filter = ("cemetery",)


@admin.register(Section)
class SectionAdmin(CemeteryScopedAdmin):
    list_display = ("name", "cemetery")
    list_filter = ("cemetery",)
    search_fields = ("name",)


@admin.register(Grave)
class GraveAdmin(CemeteryScopedAdmin):
    list_display = ("__str__", "cemetery", "kind", "status", "lease_expires")
    list_filter = ("cemetery", "status", "kind")
    search_fields = ("section__name", "row", "number", "burials__surname")
    list_select_related = ("section", "cemetery")
    inlines = (BurialInline, PhotoInline, HolderInline)

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False


@admin.register(Burial)
class BurialAdmin(CemeteryScopedAdmin):
    gmina_field = "grave__cemetery__gmina"
    list_display = ("full_name", "grave", "birth_date", "death_date", "burial_date", "is_public")
    list_filter = ("is_public", "grave__cemetery")
    search_fields = ("surname", "first_name", "family_name")
    list_select_related = ("grave__section",)
    raw_id_fields = ("grave",)


@admin.register(GravePhoto)
class GravePhotoAdmin(CemeteryScopedAdmin):
    gmina_field = "grave__cemetery__gmina"
    list_display = ("__str__", "grave", "kind", "taken_on")
    list_filter = ("kind",)
    raw_id_fields = ("grave",)


@admin.register(Alley)
class AlleyAdmin(CemeteryScopedAdmin):
    list_display = ("__str__", "cemetery", "kind", "surface", "step_free")
    list_filter = ("cemetery", "kind", "surface", "step_free")
    search_fields = ("name",)


@admin.register(Orthophoto)
class OrthophotoAdmin(CemeteryScopedAdmin):
    list_display = ("__str__", "cemetery", "taken_on", "pixel_size_m")
