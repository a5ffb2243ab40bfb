"""EGiB identifier validation, by property-based tests."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from sip.identifiers import parse_parcel_identifier, validate_teryt

teryt = st.builds(
    lambda w, p, g, t: f"{w:02d}{p:02d}{g:02d}_{t}",
    st.integers(2, 32),
    st.integers(1, 99),
    st.integers(1, 99),
    st.integers(1, 5),
)
obreb = st.integers(1, 9999).map(lambda n: f"{n:04d}")
base = st.integers(1, 999_999).map(str)
number = st.one_of(base, st.builds(lambda a, b: f"{a}/{b}", base, st.integers(1, 9999)))


@given(teryt, obreb, number)
def test_valid_identifiers_parse_into_their_parts(t, o, n):
    ident = parse_parcel_identifier(f"{t}.{o}.{n}")
    assert (ident.teryt, ident.obreb, ident.number) == (t, o, n)
    assert str(ident) == f"{t}.{o}.{n}"


@given(
    teryt,
    obreb,
    number,
    st.sampled_from(["", " ", "-", "x", "/", ".", "0"]),
    st.sampled_from(["teryt", "obreb", "number-front", "number-end", "sep"]),
)
def test_damaged_identifiers_are_refused(t, o, n, junk, where):
    if where == "teryt":
        bad = f"{t[:-2]}{junk or 'x'}{t[-1]}.{o}.{n}" if junk not in ("_",) else f"{t}x.{o}.{n}"
    elif where == "obreb":
        bad = f"{t}.{o[1:]}.{n}"
    elif where == "number-front":
        bad = f"{t}.{o}.{'0' if junk in ('', ' ') else junk}{n}"
    elif where == "number-end":
        bad = f"{t}.{o}.{n}{junk if junk not in ('', ' ', '0') else '/'}"
    else:
        bad = f"{t}{o}.{n}"
    with pytest.raises(ValidationError) as exc:
        parse_parcel_identifier(bad)
    assert "Nieprawidłowy identyfikator działki" in exc.value.messages[0]


@pytest.mark.parametrize("value", ["020101_1.0001.123/4", "020101_1.0001.1", "020104_3.0012.45/2/1"])
def test_examples_from_the_land_register(value):
    assert str(parse_parcel_identifier(value)) == value


@pytest.mark.parametrize(
    "value",
    [
        "020101_1.0001.0",
        "020101_1.0001.12/",
        "020101-1.0001.1",
        "020101_1.001.1",
        "020101_1.0001.1//2",
        "",
    ],
)
def test_counter_examples(value):
    with pytest.raises(ValidationError):
        parse_parcel_identifier(value)


def test_teryt():
    validate_teryt("020101_1")
    with pytest.raises(ValidationError, match="TERYT"):
        validate_teryt("0201011")
