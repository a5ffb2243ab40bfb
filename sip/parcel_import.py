"""Import of EGiB parcel exports (GML, GPKG, SHP) through GDAL, with a reason for every rejection."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.contrib.gis.gdal import DataSource, GDALException
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.exceptions import ValidationError
from django.db import transaction

from . import audit, tenancy
from .geometry import (
    STORAGE_SRID,
    GeometryError,
    source_srid,
    to_storage_multipolygon,
)
from .identifiers import parse_parcel_identifier
from .imports import ImportReport
from .models import Gmina, Obreb, Parcel
from .services import refresh_obreb_keys

IDENTIFIER_FIELDS = (
    "id_dzialki",
    "iddzialki",
    "identyfikator",
    "identyfikatordzialki",
    "idd",
    "id",
)
AREA_FIELDS = ("pole_ewid", "poleewidencyjne", "pole_ewidencyjne", "powierzchnia", "pow_ewid")
# Digitising tolerance when checking that a parcel lies in its gmina, in metres.
BOUNDARY_TOLERANCE_M = 0.5


class ParcelFileError(Exception):
    """The whole file cannot be read; the message is Polish."""


@dataclass
class ParcelImportReport(ImportReport):
    obreby_created: list[str] = field(default_factory=list)

    def extra_notes(self) -> list[str]:
        if not self.obreby_created:
            return []
        return [f"Nowe obręby: {', '.join(sorted(set(self.obreby_created)))}."]


class _Rejection(Exception):
    pass


def _pick_field(names: Iterable[str], candidates: tuple[str, ...]) -> str | None:
    lowered = {n.lower(): n for n in names}
    for c in candidates:
        if c in lowered:
            return lowered[c]
    return None


def _layer_srid(layer, srid: int | None) -> int:
    try:
        return source_srid(layer, srid)
    except GeometryError as exc:
        raise ParcelFileError(str(exc)) from exc


def _area(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        area = Decimal(str(value).replace(",", ".").replace(" ", ""))
    except InvalidOperation as exc:
        raise _Rejection(f"nieprawidłowa powierzchnia ewidencyjna „{value}”") from exc
    if area <= 0:
        raise _Rejection(f"powierzchnia ewidencyjna musi być dodatnia, jest {value}")
    return area.quantize(Decimal("0.01"))


def import_parcels(
    *,
    actor,
    path: str | Path,
    gmina: Gmina,
    srid: int | None = None,
    dry_run: bool = False,
    progress: Callable[[Iterable], Iterable] = lambda it: it,
) -> ParcelImportReport:
    """Import the parcels of one gmina from a file; return the report (rolled back if dry_run)."""
    tenancy.require(actor, "sip.add_parcel", gmina)
    try:
        source = DataSource(str(path))
    except GDALException as exc:
        raise ParcelFileError(f"Nie można odczytać pliku {Path(path).name}: {exc}") from exc
    if len(source) == 0:
        raise ParcelFileError("Plik nie zawiera żadnej warstwy.")
    layer = source[0]
    id_field = _pick_field(layer.fields, IDENTIFIER_FIELDS)
    if id_field is None:
        raise ParcelFileError(
            "Brak pola z identyfikatorem działki; oczekiwano jednego z: "
            + ", ".join(IDENTIFIER_FIELDS)
            + f". Pola w pliku: {', '.join(layer.fields)}."
        )
    area_field = _pick_field(layer.fields, AREA_FIELDS)
    source_srid = _layer_srid(layer, srid)
    report = ParcelImportReport(dry_run=dry_run)
    zone = gmina.boundary.buffer(BOUNDARY_TOLERANCE_M).prepared
    obreby = {o.code: o for o in Obreb.objects.filter(gmina=gmina)}
    new_obreby: dict[str, list[MultiPolygon]] = {}
    seen: set[str] = set()
    existing = dict(Parcel.objects.filter(gmina=gmina).values_list("identifier", "pk"))

    with transaction.atomic():
        for index, feature in enumerate(progress(layer), start=1):
            report.read += 1
            raw_id = str(feature.get(id_field) or "").strip()
            try:
                try:
                    ident = parse_parcel_identifier(raw_id)
                except ValidationError as exc:
                    raise _Rejection(exc.messages[0]) from exc
                if ident.teryt != gmina.teryt:
                    raise _Rejection(f"działka należy do gminy {ident.teryt}, nie {gmina.teryt}")
                if str(ident) in seen:
                    raise _Rejection("identyfikator powtórzony w pliku")
                try:
                    ogr = feature.geom
                except GDALException:
                    ogr = None
                if ogr is None or ogr.empty:
                    raise _Rejection("brak geometrii")
                geom = GEOSGeometry(ogr.wkb, srid=source_srid)
                try:
                    geom = to_storage_multipolygon(geom)
                except GeometryError as exc:
                    raise _Rejection(str(exc).rstrip(".").lower()) from exc
                if not zone.contains(geom):
                    raise _Rejection(f"działka leży poza granicą gminy {gmina.name}")
                area = _area(feature.get(area_field)) if area_field else None
            except _Rejection as exc:
                report.reject(f"obiekt {index} ({raw_id or 'bez identyfikatora'})", str(exc), row=index)
                continue
            seen.add(str(ident))
            obreb = obreby.get(ident.obreb)
            if obreb is None:
                new_obreby.setdefault(ident.obreb, []).append(geom)
                obreb = Obreb(gmina=gmina, code=ident.obreb, name=f"Obręb {ident.obreb}", geom=geom)
                obreb.save()
                obreby[ident.obreb] = obreb
                report.obreby_created.append(ident.obreb)
            elif ident.obreb in new_obreby:
                new_obreby[ident.obreb].append(geom)
            values = {
                "gmina": gmina,
                "obreb": obreb,
                "number": ident.number,
                "registered_area_m2": area,
                "geom": geom,
            }
            if str(ident) in existing:
                Parcel.objects.filter(pk=existing[str(ident)]).update(**values)
                report.updated += 1
            else:
                Parcel.objects.create(identifier=str(ident), **values)
                report.created += 1
        for code, parts in new_obreby.items():
            union = parts[0]
            for part in parts[1:]:
                union = union.union(part)
            if union.geom_type == "Polygon":
                union = MultiPolygon(union, srid=STORAGE_SRID)
            Obreb.objects.filter(gmina=gmina, code=code).update(geom=union)
            # Register rows already standing there take the new obręb as their key.
            refresh_obreb_keys(gmina_id=gmina.pk, area=union)
        audit.record_import(actor=actor, model=Parcel, gmina=gmina, report=report, file=Path(path).name)
        if dry_run:
            transaction.set_rollback(True)
    return report
