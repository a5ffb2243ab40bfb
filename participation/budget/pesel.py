"""PESEL: 11 digits YYMMDDZZZXQ; the month carries the century (+80 1800s, +0 1900s, +20 2000s,
+40 2100s, +60 2200s); check digit = (10 - Σ(digit × weight) mod 10) mod 10."""

from __future__ import annotations

import datetime

WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
_CENTURIES = {80: 1800, 0: 1900, 20: 2000, 40: 2100, 60: 2200}


class PeselError(ValueError):
    """A PESEL that cannot be right; the message says what to correct."""


def check_digit(first_ten: str) -> int:
    return (10 - sum(int(d) * w for d, w in zip(first_ten, WEIGHTS, strict=True)) % 10) % 10


def birth_date(pesel: str) -> datetime.date:
    """The birth date written in a PESEL (ValueError if there is no such day)."""
    year, month, day = int(pesel[0:2]), int(pesel[2:4]), int(pesel[4:6])
    offset = (month - 1) // 20 * 20
    century = _CENTURIES[offset]
    return datetime.date(century + year, month - offset, day)


def normalise(text: str) -> str:
    """The PESEL without spaces and dashes people type."""
    return "".join((text or "").split()).replace("-", "")


def validate(text: str) -> tuple[str, datetime.date]:
    """Return (PESEL, birth date) or raise PeselError saying what is wrong."""
    pesel = normalise(text)
    if len(pesel) != 11 or not (pesel.isascii() and pesel.isdigit()):
        raise PeselError("Numer PESEL ma 11 cyfr; sprawdź, czy żadnej nie brakuje.")
    try:
        born = birth_date(pesel)
    except ValueError:
        raise PeselError(
            "Numer PESEL zawiera niemożliwą datę urodzenia; sprawdź sześć pierwszych cyfr."
        ) from None
    if check_digit(pesel[:10]) != int(pesel[10]):
        raise PeselError("Numer PESEL ma błędną cyfrę kontrolną; sprawdź, czy nie ma literówki.")
    return pesel, born


def make(born: datetime.date, serial: int, *, female: bool) -> str:
    """A valid PESEL for a birth date and a serial (0..999); for demo data and tests."""
    offset = {v: k for k, v in _CENTURIES.items()}[born.year // 100 * 100]
    sex = (serial % 5) * 2 + (0 if female else 1)
    first_ten = f"{born.year % 100:02d}{born.month + offset:02d}{born.day:02d}{serial % 1000:03d}{sex}"
    return first_ten + str(check_digit(first_ten))


def age_on(born: datetime.date, day: datetime.date) -> int:
    """Full years of age on a day."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
