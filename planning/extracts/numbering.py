"""Case numbers of extracts: consecutive per gmina and year, e.g. RG.6727.15.2026.

The counter row of (gmina, year) is locked with SELECT … FOR UPDATE, so concurrent requests
queue on it and never get the same number; a new year starts its own row.

Why the numbers stay gap-free: a number is taken in the same short transaction that registers
its case (services._register_case), so a number is either committed together with its case or
rolled back together with it (a rolled-back increment of the counter is no increment). Every
reason to refuse an application (parcels, tenancy, missing provisions) is checked before that
transaction. The PDF is rendered after it, outside any transaction, so that the counter is
locked for milliseconds and not for the seconds of MapServer and WeasyPrint; if rendering or
storing then fails, the case stays registered under its number without a document (the register
shows it, and "wydaj ponownie" issues its document), which is what a paper register does with an
application that could not be answered at once: its number is not given to anyone else.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from ..models import CaseCounter


def format_case_number(prefix: str, number: int, year: int) -> str:
    return f"{prefix}.{number}.{year}"


def next_case_number(gmina, year: int) -> int:
    """Return the next consecutive number of the gmina's cases in the year (call inside a
    transaction: the counter stays locked until it commits)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_case_number needs a transaction")
    counter = CaseCounter.objects.select_for_update().filter(gmina=gmina, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                CaseCounter.objects.create(gmina=gmina, year=year, last_number=0)
        except IntegrityError:
            pass  # another request created the row first; lock it below
        counter = CaseCounter.objects.select_for_update().get(gmina=gmina, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number
