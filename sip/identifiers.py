"""EGiB and TERYT identifiers: validation and parsing, the one place that knows their format."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

# TERYT of a gmina: WWPPGG_R, R = type digit (1 urban, 2 rural, 3 urban-rural, 4/5 its parts).
TERYT_RE = re.compile(r"^(?P<woj>\d{2})(?P<pow>\d{2})(?P<gm>\d{2})_(?P<typ>[1-9])$")
OBREB_RE = re.compile(r"^\d{4}$")
# Parcel number: digits, optionally /digits (a divided parcel), possibly divided again (12/3/1).
PARCEL_NUMBER_RE = re.compile(r"^[1-9]\d{0,5}(?:/[1-9]\d{0,4}){0,2}$")
PARCEL_ID_RE = re.compile(
    r"^(?P<teryt>\d{6}_[1-9])\.(?P<obreb>\d{4})\.(?P<number>[1-9]\d{0,5}(?:/[1-9]\d{0,4}){0,2})$"
)


@dataclass(frozen=True)
class ParcelIdentifier:
    teryt: str
    obreb: str
    number: str

    def __str__(self) -> str:
        return f"{self.teryt}.{self.obreb}.{self.number}"


def validate_teryt(value: str) -> None:
    if not TERYT_RE.match(value or ""):
        raise ValidationError(
            "Nieprawidłowy kod TERYT gminy „%(value)s”: oczekiwano postaci WWPPGG_R, np. 020101_1.",
            code="invalid_teryt",
            params={"value": value},
        )


def validate_obreb_code(value: str) -> None:
    if not OBREB_RE.match(value or ""):
        raise ValidationError(
            "Nieprawidłowy numer obrębu „%(value)s”: oczekiwano czterech cyfr, np. 0001.",
            code="invalid_obreb",
            params={"value": value},
        )


def validate_parcel_number(value: str) -> None:
    if not PARCEL_NUMBER_RE.match(value or ""):
        raise ValidationError(
            "Nieprawidłowy numer działki „%(value)s”: oczekiwano liczby, opcjonalnie z „/”, "
            "np. 123 albo 123/4.",
            code="invalid_parcel_number",
            params={"value": value},
        )


def parse_parcel_identifier(value: str) -> ParcelIdentifier:
    """Return the parts of an EGiB parcel identifier or raise ValidationError in Polish."""
    match = PARCEL_ID_RE.match((value or "").strip())
    if not match:
        raise ValidationError(
            "Nieprawidłowy identyfikator działki „%(value)s”: oczekiwano postaci "
            "WWPPGG_R.OOOO.NUMER, np. 020101_1.0001.123/4.",
            code="invalid_parcel_identifier",
            params={"value": value},
        )
    return ParcelIdentifier(match["teryt"], match["obreb"], match["number"])


def validate_parcel_identifier(value: str) -> None:
    parse_parcel_identifier(value)
