"""Turning what people type (in Excel, a form or JSON) into register values, with Polish errors.

Shared by the importers, the API and the staff forms, so that "12,5", "12.5 m" and 12.5 mean
the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sip.text import fold


class ValueProblem(ValueError):
    """A value that cannot be used; the message is Polish and names the value."""


# Control characters (other than tab and line breaks): PostgreSQL cannot store NUL, and XLSX
# cannot hold any of them, so a register's text never carries them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def mark_control_characters(value):
    """A cell as a page or a sheet can show it: text with each control character (which XLSX
    cannot hold and a browser hides) as U+FFFD; other values as they are."""
    return CONTROL_CHARACTERS.sub("\ufffd", value) if isinstance(value, str) else value


_UNIT_SUFFIX = re.compile(r"\s*(cm|mm|mb|m|w|kw|szt|%)\.?$", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f']")


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_number(value) -> float | None:
    """Return a float from 12 / 12.5 / "12,5" / "1 234,5" / "12,5 m"; None when blank."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueProblem(f"„{value}” nie jest liczbą")
    if isinstance(value, int | float | Decimal):
        return float(value)
    text = _UNIT_SUFFIX.sub("", str(value).strip())
    text = _SPACES.sub("", text)
    if "," in text and "." in text:
        # 1.234,5 (Polish thousands) or 1,234.5 (English thousands): the last mark is decimal.
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    else:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        raise ValueProblem(f"„{value}” nie jest liczbą") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueProblem(f"„{value}” nie jest liczbą")
    return number


def to_int(value, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    number = parse_number(value)
    if number is None:
        return None
    if abs(number - round(number)) > 1e-9:
        raise ValueProblem(f"„{value}” nie jest liczbą całkowitą")
    result = int(round(number))
    _check_range(value, result, minimum, maximum)
    return result


def to_decimal(value, *, places: int, max_digits: int, minimum=None, maximum=None) -> Decimal | None:
    number = parse_number(value)
    if number is None:
        return None
    try:
        result = Decimal(repr(number)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueProblem(f"„{value}” nie jest liczbą") from None
    if len(result.as_tuple().digits) > max_digits:
        raise ValueProblem(f"„{value}” jest za duże")
    _check_range(value, result, minimum, maximum)
    return result


def _check_range(raw, value, minimum, maximum) -> None:
    if minimum is not None and value < minimum:
        raise ValueProblem(f"„{raw}” jest mniejsze niż {minimum}")
    if maximum is not None and value > maximum:
        raise ValueProblem(f"„{raw}” jest większe niż {maximum}")


_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y", "%Y.%m.%d", "%Y/%m/%d", "%d.%m.%y")


def to_date(value) -> dt.date | None:
    """Return a date from a date cell, ISO text or the Polish dd.mm.rrrr; None when blank."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if " " in text and ":" in text:  # "2019-05-12 00:00:00" from a text export of a date cell
        text = text.split(" ", 1)[0]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueProblem(f"„{value}” nie jest datą (oczekiwano dd.mm.rrrr albo rrrr-mm-dd)")


_TRUE = {"tak", "t", "x", "1", "true", "prawda", "yes", "y", "✓", "✔", "+"}
_FALSE = {"nie", "n", "0", "false", "falsz", "no", "-", "—"}


def to_bool(value) -> bool:
    """Return True/False from tak/nie, x, 1/0, true/false; blank is False."""
    if is_blank(value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
        raise ValueProblem(f"„{value}” – oczekiwano tak albo nie")
    text = fold(str(value))
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueProblem(f"„{value}” – oczekiwano tak albo nie")


def to_choice(value, choices, aliases: dict[str, str] | None = None):
    """Return the stored value of a choice given its value, its Polish label, a known alias,
    or a word the label starts with ("ławka parkowa" -> bench)."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    stored = {str(v): v for v, _ in choices}
    if str(value).strip() in stored:
        return stored[str(value).strip()]
    text = fold(str(value))
    for v, label in choices:
        if text in (fold(str(v)), fold(str(label))):
            return v
    for alias, v in (aliases or {}).items():
        if text == fold(alias) or text.startswith(fold(alias) + " "):
            return v
    for v, label in choices:
        first_word = fold(str(label)).split(" ")[0]
        if text.split(" ")[0] == first_word and len(first_word) > 2:
            return v
    allowed = ", ".join(str(label) for _, label in choices)
    raise ValueProblem(f"„{value}” nie jest jedną z wartości: {allowed}")


def to_text(value, *, max_length: int) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    control = CONTROL_CHARACTERS.search(text)
    if control:
        raise ValueProblem(f"niedozwolony znak sterujący (kod {ord(control.group())}) w tekście")
    if len(text) > max_length:
        raise ValueProblem(f"tekst dłuższy niż {max_length} znaków")
    return text
