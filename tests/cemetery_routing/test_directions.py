"""Polish grammar and turns of the walking directions."""

import pytest

from cemetery_routing import directions


@pytest.mark.parametrize(
    ("name", "kind", "acc", "ins"),
    [
        ("Aleja Lipowa", "main", "aleję Lipową", "aleją Lipową"),
        ("Aleja Główna", "main", "aleję Główną", "aleją Główną"),
        ("Aleja Zasłużonych", "main", "aleję Zasłużonych", "aleją Zasłużonych"),
        ("Aleja Świętego Józefa", "main", "aleję Świętego Józefa", "aleją Świętego Józefa"),
        ("Ścieżka Cicha", "path", "ścieżkę Cichą", "ścieżką Cichą"),
        ("", "path", "ścieżkę", "ścieżką"),
        ("", "stairs", "schody", "schodami"),
        ("Kwatera wojskowa", "path", "Kwatera wojskowa", "Kwatera wojskowa"),
    ],
)
def test_declension(name, kind, acc, ins):
    assert directions.accusative(name, kind) == acc
    assert directions.instrumental(name, kind) == ins


def test_staff_override_of_the_accusative():
    assert (
        directions.accusative("Aleja Matki Boskiej", "main", "aleję Matki Boskiej") == "aleję Matki Boskiej"
    )


@pytest.mark.parametrize(
    ("outgoing", "maneuver"),
    [
        ([(0, 10), (0, 20)], "straight"),
        ([(0, 10), (-10, 10)], "left"),
        ([(0, 10), (10, 10)], "right"),
        ([(0, 10), (5, 15)], "slight_right"),
        ([(0, 10), (0, 0)], "u_turn"),
    ],
)
def test_turns(outgoing, maneuver):
    incoming = [(0, 0), (0, 10)]  # walking north
    assert directions.turn_words(directions.turn_angle(incoming, outgoing))[0] == maneuver


def test_steps_add_up_and_read_well():
    legs = [
        directions.Leg(1, "Aleja Główna", "main", "", [(0, 0), (0, 40)], 40.0),
        directions.Leg(2, "Aleja Lipowa", "main", "", [(0, 40), (-25, 40)], 25.0),
        directions.Leg(3, "", "path", "", [(-25, 40), (-25, 52)], 12.0),
    ]
    steps = directions.steps(
        legs,
        start_text="Od bramy „Brama Główna”",
        access_m=0.0,
        final_coords=[(-25, 52), (-26.8, 52)],
        final_m=1.8,
        grave_label="kwatera A1, rząd 2, grób 7",
    )
    assert [s["text"] for s in steps] == [
        "Od bramy „Brama Główna” idź aleją Główną, 40 m",
        "Skręć w lewo w aleję Lipową, 25 m",
        "Skręć w prawo w ścieżkę, 12 m",
        "Grób (kwatera A1, rząd 2, grób 7) jest po lewej stronie: zejdź z alejki, 2 m",
    ]
    assert sum(s["distance_m"] for s in steps) == pytest.approx(78.8)


@pytest.mark.parametrize("byte_order", [0, 1])
def test_route_pieces_are_read_from_wkb_like_shapely_reads_them(byte_order):
    """routes._piece_coords reads what ST_LineSubstring returns: a LineString, or a Point for a
    piece of no length, in either byte order."""
    import shapely
    from shapely.geometry import LineString, Point

    from cemetery_routing.routes import _piece_coords

    line = LineString([(260516.125, 382773.5), (260520.0, 382790.25), (260530.75, 382791.0)])
    got = _piece_coords(shapely.to_wkb(line, byte_order=byte_order))
    assert got == list(line.coords)
    assert _piece_coords(shapely.to_wkb(Point(1.5, 2.5), byte_order=byte_order)) == [(1.5, 2.5)]
    with pytest.raises(ValueError):
        _piece_coords(shapely.to_wkb(line.buffer(1), byte_order=byte_order))
