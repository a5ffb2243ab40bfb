"""Writes of planning: registering extract applications and issuing their PDFs.

Every write checks tenancy (sip.tenancy) and leaves an audit entry (sip.audit).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date

from sip import audit, tenancy
from sip import selectors as core_selectors
from sip.models import Parcel
from sip.storage import private_storage, random_name
from sip.urls_public import public_url

from . import selectors
from .extracts import documents, fees
from .extracts.numbering import format_case_number, next_case_number
from .models import ExtractCase, IssuedDocument

MAX_PARCELS = 200


def _parcels(identifiers: list[str]) -> list[Parcel]:
    """The parcels named, in the order given (duplicates dropped); ValidationError in Polish."""
    if not identifiers:
        raise ValidationError("Podaj co najmniej jedną działkę.")
    if len(identifiers) > MAX_PARCELS:
        raise ValidationError(f"Jeden wniosek może obejmować najwyżej {MAX_PARCELS} działek.")
    named = core_selectors.parcels_by_identifiers(identifiers)
    missing = [i for i, p in named.items() if p is None]
    if missing:
        raise ValidationError(f"Nie ma w systemie działek: {', '.join(missing)}.")
    parcels = list(named.values())
    gminas = {p.gmina_id for p in parcels}
    if len(gminas) > 1:
        raise ValidationError("Działki z jednego wniosku muszą leżeć w jednej gminie.")
    return parcels


def _check_provisions(zonings: list[selectors.ParcelZoning]) -> None:
    for z in zonings:
        for pz in z.plans:
            repeals_only = pz.plan.amendments_made.filter(kind="repeal").exists()
            if not pz.zones and not repeals_only and not pz.plan.zones.exists():
                raise ValidationError(
                    f"Plan „{pz.plan.title}” (uchwała nr {pz.plan.resolution_number}) obejmuje działkę "
                    f"{z.parcel.identifier}, ale nie ma w systemie terenów; wprowadź tereny planu przed "
                    "wydaniem wypisu."
                )
        for plan, share in z.zone_shares:
            if not share.zone.provisions.strip():
                raise ValidationError(
                    f"Plan „{plan.title}” (uchwała nr {plan.resolution_number}) nie ma tekstu ustaleń dla "
                    f"terenu {share.zone.symbol}; uzupełnij ustalenia przed wydaniem wypisu."
                )
            if not plan.general_provisions.strip():
                raise ValidationError(
                    f"Plan „{plan.title}” (uchwała nr {plan.resolution_number}) nie ma ustaleń ogólnych; "
                    "uzupełnij je przed wydaniem wypisu."
                )


def _application_date(value) -> dt.date:
    if value in (None, ""):
        return timezone.localdate()
    if isinstance(value, dt.date):
        parsed = value
    else:
        try:
            parsed = parse_date(str(value))
        except ValueError:  # well formed but no such day, e.g. 2020-02-30
            parsed = None
        if parsed is None:
            raise ValidationError(f"Nieprawidłowa data wniosku „{value}”: oczekiwano RRRR-MM-DD.")
    if parsed > timezone.localdate():
        raise ValidationError("Data wniosku nie może być późniejsza niż dzisiejsza.")
    return parsed


def verify_url(token: str) -> str:
    """The public verification address of an issued document, as printed on it: from the site's
    public address (SIP_PUBLIC_URL), never from whichever request issued it."""
    return public_url("planning:verify", args=[token])


def _issue(*, actor, case: ExtractCase, zonings, office) -> IssuedDocument:
    """Render the next version of the case's document outside any transaction, then store it,
    its checksum and the fee in one short transaction; return the stored document.

    Rendering (MapServer, WeasyPrint) takes seconds: no row lock is held meanwhile, so other
    planners of the gmina register and issue their cases in parallel. The file is written before
    the transaction and removed if anything up to and including its commit fails, so a failed
    issue leaves neither a row nor a file. The transaction is durable (it may not run inside
    another one): its end is the real commit, so a document whose row was not committed never
    keeps its file, and no caller's transaction holds locks across the rendering."""
    version = (case.documents.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    token = secrets.token_urlsafe(18)
    built = documents.build(
        case=case, office=office, zonings=zonings, version=version, verify_url=verify_url(token)
    )
    # Private storage, under a random name: case numbers are sequential and must not lead to a
    # file. The storage never overwrites.
    storage = private_storage()
    name = random_name(f"planning/extracts/{case.gmina.teryt}/{case.year}", ".pdf")
    stored = storage.save(name, ContentFile(built.content))
    try:
        with transaction.atomic(durable=True):
            locked = ExtractCase.objects.select_for_update().get(pk=case.pk)
            if locked.documents.filter(version__gte=version).exists():
                raise ValidationError(
                    f"Sprawa {case.case_number} dostała w międzyczasie nową wersję dokumentu; ponów wydanie."
                )
            document = IssuedDocument.objects.create(
                case=locked,
                version=version,
                kind=built.kind,
                token=token,
                file=stored,
                sha256=hashlib.sha256(built.content).hexdigest(),
                size=len(built.content),
                wypis_pages=built.wypis_pages,
                wyrys_pages=built.wyrys_pages,
                issued_by=actor if actor is not None and actor.is_authenticated else None,
            )
            fees.record_fee(locked, built.fee)
            audit.record(
                actor=actor,
                action="create",
                obj=document,
                gmina=case.gmina,
                changes={"version": version, "sha256": document.sha256, "fee": str(built.fee.total)},
            )
    except BaseException:
        storage.delete(stored)
        raise
    case.fee_wypis, case.fee_wyrys, case.fee_total = locked.fee_wypis, locked.fee_wyrys, locked.fee_total
    return document


def issue_extract(
    *,
    actor,
    parcel_identifiers: list[str],
    kind: str,
    applicant: str = "",
    applicant_address: str = "",
    application_date=None,
    purpose: str = "",
) -> tuple[ExtractCase, IssuedDocument]:
    """Register an application under the next case number of the gmina and year, issue its PDF
    (wypis and/or wyrys, or a certificate that no plan applies); return the case and document.

    Two short transactions with the rendering between them (see extracts.numbering for why the
    numbers stay gap-free): everything that can refuse the application is checked first."""
    if kind not in ExtractCase.Kind.values:
        raise ValidationError("Rodzaj dokumentu („kind”) musi być jednym z: wypis, wyrys, both.")
    parcels = _parcels(parcel_identifiers)
    gmina = parcels[0].gmina
    tenancy.require(actor, "planning.add_extractcase", gmina)
    date = _application_date(application_date)
    zonings = [selectors.parcel_zoning(p) for p in parcels]
    _check_provisions(zonings)
    office = documents.office_for(gmina)
    case = _register_case(
        actor=actor,
        office=office,
        parcels=parcels,
        kind=kind,
        applicant=applicant,
        applicant_address=applicant_address,
        application_date=date,
        purpose=purpose,
    )
    document = _issue(actor=actor, case=case, zonings=zonings, office=office)
    return case, document


@transaction.atomic(durable=True)
def _register_case(
    *, actor, office, parcels, kind, applicant, applicant_address, application_date, purpose
) -> ExtractCase:
    """The case under the gmina's next number, with its parcels and audit entry (the counter row
    is locked only until this commits); return it."""
    gmina = parcels[0].gmina
    year = timezone.localdate().year
    number = next_case_number(gmina, year)
    case = ExtractCase.objects.create(
        gmina=gmina,
        year=year,
        number=number,
        case_number=format_case_number(office.case_prefix, number, year),
        applicant=applicant.strip()[:200],
        applicant_address=applicant_address.strip()[:250],
        application_date=application_date,
        kind=kind,
        purpose=purpose.strip()[:250],
        parcel_identifiers=[p.identifier for p in parcels],
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    case.parcels.set(parcels)
    audit.record(
        actor=actor, action="create", obj=case, gmina=gmina, changes={"parcels": case.parcel_identifiers}
    )
    return case


def reissue_extract(*, actor, case: ExtractCase) -> IssuedDocument:
    """Issue the case's document again from the current plans as a new version; return it.
    Earlier versions stay unchanged."""
    tenancy.require(actor, "planning.add_issueddocument", case.gmina_id)
    parcels = _parcels(case.parcel_identifiers)
    zonings = [selectors.parcel_zoning(p) for p in parcels]
    _check_provisions(zonings)
    office = documents.office_for(case.gmina)
    return _issue(actor=actor, case=case, zonings=zonings, office=office)
