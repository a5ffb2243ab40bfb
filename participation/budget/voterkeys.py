"""Keyed hashes (HMAC-SHA256 with the gmina's secret) of voter identifiers, and the
normalisation that makes "Kowalska-Nowak" and "KOWALSKA NOWAK" the same person.

The secret lives in GminaVoterSecret, is generated on first use and appears in no output. Without
it a stored key cannot be turned back into a PESEL by trying all of them."""

from __future__ import annotations

import hashlib
import hmac
import re

from django.db import IntegrityError, transaction

from sip.text import fold

from ..models import GminaVoterSecret

_NOT_WORD = re.compile(r"[^0-9a-z]+")
# Words of an address people write or leave out: "ul. Długa 5" is "Długa 5".
_ADDRESS_NOISE = {"ul", "ulica", "al", "aleja", "pl", "plac", "os", "osiedle", "m", "lok", "nr"}


def normalise_name(text: str) -> str:
    """Lower case, no diacritics, hyphens and apostrophes as spaces, single spaces."""
    return " ".join(_NOT_WORD.sub(" ", fold(text)).split())


def normalise_address(text: str) -> str:
    """An address folded, without punctuation and the words people write or leave out."""
    return " ".join(w for w in _NOT_WORD.sub(" ", fold(text)).split() if w not in _ADDRESS_NOISE)


def normalise_identifier(text: str) -> str:
    """An identifier (PESEL, a resident card number) without spaces, dashes and case."""
    return _NOT_WORD.sub("", fold(text))


# Secrets never change once made: each process keeps those it has read.
_SECRETS: dict[int, bytes] = {}


def gmina_secret(gmina_id: int) -> bytes:
    """The gmina's HMAC secret, generated on first use."""
    if gmina_id in _SECRETS:
        return _SECRETS[gmina_id]
    secret = _read_secret(gmina_id)
    # Kept only when read outside a transaction: one made inside could still be rolled back.
    if not transaction.get_connection().in_atomic_block:
        _SECRETS[gmina_id] = secret
    return secret


def _read_secret(gmina_id: int) -> bytes:
    found = GminaVoterSecret.objects.filter(gmina_id=gmina_id).values_list("secret", flat=True).first()
    if found is None:
        try:
            with transaction.atomic():
                GminaVoterSecret.objects.create(gmina_id=gmina_id)
        except IntegrityError:
            pass  # created at the same moment by another request
        found = GminaVoterSecret.objects.filter(gmina_id=gmina_id).values_list("secret", flat=True).get()
    return found.encode()


def keyed(secret: bytes, purpose: str, value: str) -> str:
    """HMAC-SHA256 (hex) of a normalised value for one purpose ("id", "email", "code", "ip")."""
    return hmac.new(secret, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def identifier_key(secret: bytes, identifier: str) -> str:
    """The key of a person known by an identifier (PESEL or another number)."""
    return keyed(secret, "id", normalise_identifier(identifier))


def declaration_key(secret: bytes, first_name: str, last_name: str, address: str) -> str:
    """The key of a person known by a declaration of residence (names and address)."""
    person = f"{normalise_name(first_name)}|{normalise_name(last_name)}|{normalise_address(address)}"
    return keyed(secret, "decl", person)
