"""Imports of planning data, each in one transaction with a reason for every rejected feature:
APP GML acts (plan boundaries, formal documents, amendments, planning zones of plans ogólne) and
zones of a plan from GPKG/SHP with a field mapping."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from django.contrib.gis.gdal import DataSource, GDALException
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import transaction

from sip import audit, tenancy
from sip.geometry import GeometryError, source_srid, to_storage_multipolygon
from sip.imports import ImportReport
from sip.models import Gmina

from . import app_gml
from .models import Amendment, Plan, Zone, purpose_of, validate_symbol

# Share of a plan's (or a zone's) area allowed outside its gmina (or plan): digitising tolerance.
OUTSIDE_TOLERANCE = 0.001


class ImportFileError(Exception):
    """The whole file cannot be read; the message is Polish."""


@dataclass
class Report(ImportReport):
    """The report of a planning import (sip.imports.ImportReport) with the zones it kept."""

    zones: int = 0

    unit: ClassVar[str] = " obiektów"

    @property
    def stored(self) -> bool:
        """Whether the import kept (or, in a dry run, would keep) anything."""
        return not self.refused and bool(self.created or self.updated or self.zones)

    def extra_counts(self) -> list[str]:
        return [f"tereny: {self.zones}"]

    def reject(self, where: str, reason: str, **_) -> app_gml.Rejection:
        rejection = app_gml.Rejection(where, reason)
        self.rejected.append(rejection)
        return rejection


class _DryRun(Exception):
    pass


def _outside_share(geom, container) -> float:
    return geom.difference(container).area / geom.area if geom.area else 1.0


def import_app_gml(*, actor, gmina: Gmina, data: bytes, dry_run: bool = False) -> Report:
    """Create or update the gmina's plans from an APP GML document; return the report
    (nothing is kept when dry_run)."""
    tenancy.require(actor, "planning.add_plan", gmina)
    try:
        parsed = app_gml.parse(data)
    except app_gml.AppGmlError as exc:
        raise ImportFileError(str(exc)) from exc
    report = Report(dry_run=dry_run, rejected=list(parsed.rejections))
    report.read = len(parsed.acts) + len(parsed.zones) + len(parsed.rejections)
    report.notes.append(f"Schemat APP {parsed.version}.")
    try:
        with transaction.atomic():
            kept_previous = _save_acts(actor, gmina, parsed, report)
            if kept_previous:
                report.refused = (
                    "Plik odrzucono w całości, niczego nie zapisano: "
                    + "; ".join(kept_previous)
                    + ". Poprzednia wersja planu (akt i wszystkie jego tereny) pozostaje bez zmian; "
                    "popraw wskazane strefy i zaimportuj plik ponownie."
                )
                report.created = report.updated = report.zones = 0
                raise _DryRun
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _find_plan(gmina: Gmina, ref: str) -> Plan | None:
    """The gmina's plan with this idIIP; without wersjaId, its newest version."""
    plan = Plan.objects.filter(gmina=gmina, app_id=ref).first()
    if plan is None and ref:
        plan = Plan.objects.filter(gmina=gmina, app_id__startswith=f"{ref}/").order_by("-app_id").first()
    return plan


def _save_acts(actor, gmina: Gmina, parsed: app_gml.Parsed, report: Report) -> list[str]:
    """Save the acts, their amendments and zones; return the plans whose earlier zones a broken
    zone of this file would replace by a subset (the caller then refuses the whole file)."""
    saved: dict[str, Plan] = {}
    had_zones: set[int] = set()
    for act in parsed.acts:
        label = f"AktPlanowaniaPrzestrzennego {act.gml_id}"
        if _outside_share(act.boundary, gmina.boundary) > OUTSIDE_TOLERANCE:
            report.reject(label, f"zasięg aktu wykracza poza gminę {gmina.name} ({gmina.teryt})")
            continue
        existing = Plan.objects.filter(app_id=act.app_id).first() if act.app_id else None
        if existing is not None and existing.gmina_id != gmina.pk:
            report.reject(label, f"akt o identyfikatorze {act.app_id} należy do innej gminy")
            continue
        if existing is not None and existing.zones.exists():
            had_zones.add(existing.pk)
        plan = existing or Plan(gmina=gmina)
        plan.kind, plan.title, plan.status = act.kind, act.title[:500], act.status
        plan.valid_from, plan.valid_to, plan.boundary = act.valid_from, act.valid_to, act.boundary
        plan.resolution_number, plan.resolution_date = act.resolution_number[:60], act.resolution_date
        plan.adopted_by = (act.adopted_by or plan.adopted_by or "Rady Gminy")[:120]
        plan.journal_entry = act.journal_entry[:160]
        plan.app_id = act.app_id
        if act.scale:
            plan.scale = act.scale
        try:
            plan.full_clean()
        except ValidationError as exc:
            report.reject(label, "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()))
            continue
        plan.save()
        audit.record(actor=actor, action="import", obj=plan, gmina=gmina, changes={"source": "APP GML"})
        report.created += existing is None
        report.updated += existing is not None
        saved[act.gml_id] = plan
        if act.app_id:
            saved[act.app_id] = plan
            saved.setdefault(app_gml.versionless(act.app_id), plan)
        if act.resolution_date_kind and act.resolution_date_kind not in app_gml.RESOLUTION_DATE_TYPES:
            report.notes.append(
                f"{label}: data dokumentu formalnego ma typ „{act.resolution_date_kind}”, nie „creation” "
                "(data uchwalenia); przyjęto ją jako datę uchwały – sprawdź."
            )
    for act in parsed.acts:
        plan = saved.get(act.gml_id)
        if plan is None:
            continue
        for ref, kind in act.amends:
            target = saved.get(ref) or _find_plan(gmina, ref)
            if target is None:
                report.reject(
                    f"DokumentFormalny aktu {act.gml_id}", f"zmieniany akt „{ref}” nie istnieje w gminie"
                )
                continue
            Amendment.objects.update_or_create(amending=plan, amended=target, defaults={"kind": kind})
    by_plan: dict[int, list] = {}
    for zone in parsed.zones:
        plan = saved.get(zone.act_ref)
        if plan is None:
            report.reject(
                f"StrefaPlanistyczna {zone.gml_id}", f"akt „{zone.act_ref}” nie został zaimportowany"
            )
            continue
        by_plan.setdefault(plan.pk, []).append(zone)
    broken: dict[int, int] = {}
    for rejection in parsed.rejections:
        plan = saved.get(rejection.act_ref)
        if rejection.feature.startswith("StrefaPlanistyczna") and plan is not None:
            broken[plan.pk] = broken.get(plan.pk, 0) + 1
    for plan_pk, zones in by_plan.items():
        plan = Plan.objects.get(pk=plan_pk)
        features = [(f"StrefaPlanistyczna {z.gml_id}", z.symbol, z.name, "", z.geom) for z in zones]
        before = len(report.rejected)
        _save_zones(actor, plan, features, report, replace=True)
        broken[plan_pk] = broken.get(plan_pk, 0) + len(report.rejected) - before
    return [
        f"plan {plan.app_id or plan.pk} (liczba błędnych stref w pliku: {broken[plan.pk]})"
        for plan in {p.pk: p for p in saved.values()}.values()
        if plan.pk in had_zones and broken.get(plan.pk)
    ]


def _save_zones(actor, plan: Plan, features, report: Report, *, replace: bool) -> None:
    """Validate and save zones (label, symbol, name, provisions, geometry in EPSG:2180)."""
    if replace:
        plan.zones.all().delete()
    taken = set(plan.zones.values_list("symbol", flat=True))
    kept: list[tuple[str, GEOSGeometry]] = []
    boundary = plan.boundary
    for label, symbol, name, provisions, geom in features:
        symbol = (symbol or "").strip().upper()
        try:
            validate_symbol(symbol)
        except ValidationError as exc:
            report.reject(label, exc.messages[0])
            continue
        if symbol in taken:
            report.reject(label, f"symbol {symbol} powtarza się w planie")
            continue
        if _outside_share(geom, boundary) > OUTSIDE_TOLERANCE:
            report.reject(label, f"teren {symbol} wykracza poza granicę planu")
            continue
        overlap = next((s for s, g in kept if geom.intersection(g).area > 1.0), None)
        if overlap:
            report.reject(label, f"teren {symbol} nakłada się na teren {overlap}")
            continue
        zone = Zone(plan=plan, symbol=symbol, name=(name or "")[:200], provisions=provisions or "", geom=geom)
        zone.save()
        if not purpose_of(symbol):
            report.notes.append(f"{symbol}: nieznana kategoria przeznaczenia")
        taken.add(symbol)
        kept.append((symbol, geom))
        report.zones += 1
    audit.record(
        actor=actor,
        action="import",
        obj=plan,
        gmina=plan.gmina,
        changes={"zones": len(kept), "replace": replace},
    )


def _layer_srid(layer, srid: int | None) -> int:
    try:
        return source_srid(layer, srid)
    except GeometryError as exc:
        raise ImportFileError(str(exc)) from exc


def _field(layer, wanted: str | None, role: str, required: bool) -> str | None:
    if not wanted:
        if required:
            raise ImportFileError(f"Podaj pole z {role}.")
        return None
    lowered = {f.lower(): f for f in layer.fields}
    if wanted.lower() not in lowered:
        raise ImportFileError(
            f"W pliku nie ma pola „{wanted}” ({role}). Pola w pliku: {', '.join(layer.fields)}."
        )
    return lowered[wanted.lower()]


def import_zones(
    *,
    actor,
    plan: Plan,
    path: str | Path,
    symbol_field: str,
    provisions_field: str | None = None,
    name_field: str | None = None,
    layer_name: str | None = None,
    srid: int | None = None,
    replace: bool = False,
    dry_run: bool = False,
    progress: Callable[[Iterable], Iterable] = lambda it: it,
) -> Report:
    """Import the zones of a plan from a GPKG/SHP/GML layer with a field mapping; return the report."""
    tenancy.require(actor, "planning.add_zone", plan.gmina_id)
    try:
        source = DataSource(str(path))
    except GDALException as exc:
        raise ImportFileError(f"Nie można odczytać pliku {Path(path).name}: {exc}") from exc
    if len(source) == 0:
        raise ImportFileError("Plik nie zawiera żadnej warstwy.")
    if layer_name:
        names = [layer.name for layer in source]
        if layer_name not in names:
            raise ImportFileError(f"Nie ma warstwy „{layer_name}”; warstwy w pliku: {', '.join(names)}.")
        layer = source[names.index(layer_name)]
    else:
        layer = source[0]
    sym = _field(layer, symbol_field, "symbolem terenu", True)
    prov = _field(layer, provisions_field, "ustaleniami", False)
    name = _field(layer, name_field, "nazwą przeznaczenia", False)
    source_srid = _layer_srid(layer, srid)
    report = Report(dry_run=dry_run)
    features = []
    for index, feature in enumerate(progress(layer), start=1):
        report.read += 1
        label = f"obiekt {index}"
        try:
            geom = feature.geom.geos
            geom.srid = source_srid
            geom = to_storage_multipolygon(geom)
        except (GDALException, GeometryError) as exc:
            report.reject(label, str(exc) or "nieprawidłowa geometria")
            continue
        features.append(
            (
                f"{label} ({feature.get(sym) or 'bez symbolu'})",
                str(feature.get(sym) or ""),
                str(feature.get(name) or "") if name else "",
                str(feature.get(prov) or "") if prov else "",
                geom,
            )
        )
    try:
        with transaction.atomic():
            had_zones = plan.zones.exists()
            _save_zones(actor, plan, features, report, replace=replace)
            if replace and had_zones and report.rejected:
                # Replacing the plan's zones by the good subset would silently drop zones.
                report.refused = (
                    f"Plik odrzucono w całości, niczego nie zapisano: {len(report.rejected)} błędnych "
                    "obiektów, a --replace zastąpiłoby dotychczasowe tereny planu tylko poprawną "
                    "częścią. Dotychczasowe tereny planu pozostają bez zmian."
                )
                report.zones = 0
                raise _DryRun
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report
