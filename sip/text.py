"""Text folding for search: lower case without Polish diacritics (Łukasz -> lukasz)."""

import unicodedata

_EXTRA = str.maketrans({"ł": "l", "Ł": "l", "đ": "d", "ø": "o", "ß": "ss"})


def fold(text: str) -> str:
    """Return the text lower-cased, without diacritics and with single spaces."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_EXTRA))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())
