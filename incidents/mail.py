"""Mails about reports: to the reporter (and "me too" residents) on every status change, and
to a body that receives reports by e-mail. Sent after the transaction commits, so a rolled
back change mails nobody; a mail that fails is logged, never undoes the change."""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage
from django.db import transaction

from sip.urls_public import public_url

from .models import Report

log = logging.getLogger(__name__)


def tracking_url(report: Report) -> str:
    """The public address of the report's tracking page (SIP_PUBLIC_URL: a mail has no request)."""
    return public_url("incidents:track", args=[report.token])


def _send(subject: str, body: str, to: list[str]) -> None:
    try:
        EmailMessage(subject=subject, body=body, to=to).send()
    except Exception:  # noqa: BLE001 - SMTP down must not break the office's work
        log.exception("Nie wysłano wiadomości: %s", subject)


def status_mail(report: Report, note: str = "") -> tuple[str, str]:
    subject = f"Zgłoszenie {report.number}: {report.get_status_display()}"
    lines = [
        "Dzień dobry,",
        "",
        f"zgłoszenie {report.number} ({report.category.name}) ma status: {report.get_status_display()}.",
        f"Sprawę prowadzi: {report.responsible_unit.name}.",
    ]
    if note:
        lines += ["", note]
    lines += [
        "",
        f"Historia zgłoszenia: {tracking_url(report)}",
        "",
        "Wiadomość wysłana automatycznie przez SIP; nie odpowiadaj na nią.",
    ]
    return subject, "\n".join(lines)


def on_commit_status(report: Report, *, note: str = "") -> None:
    """Mail the reporter (and residents who said "me too" with an e-mail) after the commit."""
    recipients = [report.reporter_email] if report.reporter_email else []
    recipients += [
        e for e in report.me_toos.exclude(email="").values_list("email", flat=True) if e not in recipients
    ]
    if not recipients:
        return
    subject, body = status_mail(report, note)

    def send():
        for address in recipients:  # one mail each: residents never see each other's addresses
            _send(subject, body, [address])

    transaction.on_commit(send)


def on_commit_forward(report: Report) -> None:
    """Send the report to its unit's e-mail address after the commit (no personal data of the
    reporter: the body answers through SIP's status changes)."""
    unit = report.responsible_unit
    if not unit.email:
        return
    lon_lat = report.point.transform(4326, clone=True)
    subject = f"Zgłoszenie mieszkańca {report.number}: {report.category.name}"
    body = "\n".join(
        [
            f"Gmina {report.gmina.name} przekazuje zgłoszenie mieszkańca {report.number}.",
            "",
            f"Kategoria: {report.category.name}",
            f"Miejsce: {lon_lat.y:.6f}, {lon_lat.x:.6f} (WGS84)",
            f"Opis miejsca: {report.address or '—'}",
            f"Opis: {report.description}",
            "",
            f"Podgląd i historia: {tracking_url(report)}",
        ]
    )
    transaction.on_commit(lambda: _send(subject, body, [unit.email]))
