"""Text folding for search: lower case without Polish diacritics (Łukasz -> lukasz); whole
numbers from request text."""

import unicodedata

_EXTRA = str.maketrans({"ł": "l", "Ł": "l", "đ": "d", "ø": "o", "ß": "ss"})


def fold(text: str) -> str:
    """Return the text lower-cased, without diacritics and with single spaces."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_EXTRA))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def plain_int(text: str, *, max_digits: int = 18) -> int | None:
    """Return the number written in ASCII digits (at most max_digits of them), else None.

    str.isdigit() alone also takes "²" or "١", which int() refuses or reads, and int() refuses
    more than 4,300 digits: both would be a 500 where a parameter should get a 400."""
    text = (text or "").strip()
    if not text or len(text) > max_digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)
