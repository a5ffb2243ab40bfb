"""Disclosure control: primary and secondary suppression, checked by solving for hidden cells."""

import itertools
import random

import numpy as np
import pytest

from reporting import disclosure


def attack(values, constraints, hidden):
    """An independent solver: a hidden entry is recovered iff adding its unit vector to the
    equations (over the hidden entries) leaves the rank unchanged."""
    unknowns = sorted(hidden, key=repr)
    idx = {k: i for i, k in enumerate(unknowns)}
    rows = []
    for total, members in constraints:
        row = [0.0] * len(unknowns)
        for key, sign in [(total, 1.0)] + [(m, -1.0) for m in members]:
            if key in idx:
                row[idx[key]] += sign
        if any(row):
            rows.append(row)
    found = set()
    if not rows:
        return found
    a = np.array(rows)
    r = np.linalg.matrix_rank(a)
    for key, i in idx.items():
        e = np.zeros(len(unknowns))
        e[i] = 1
        if np.linalg.matrix_rank(np.vstack([a, e])) == r:
            found.add(key)
    return found


def table(cells: dict):
    """Cells {(a, b): n} with their totals and constraints."""
    keys = list(cells)
    values = dict(cells)
    for a in {k[0] for k in keys}:
        values[(a, "*")] = sum(v for k, v in cells.items() if k[0] == a)
    for b in {k[1] for k in keys}:
        values[("*", b)] = sum(v for k, v in cells.items() if k[1] == b)
    values[("*", "*")] = sum(cells.values())
    return values, disclosure.table_constraints(keys, 2)


@pytest.mark.parametrize("small", [1, 2, 4])
def test_single_small_cell_is_hidden_with_partners(small):
    cells = {("A", "x"): small, ("A", "y"): 10, ("B", "x"): 12, ("B", "y"): 30, ("C", "x"): 7, ("C", "y"): 9}
    values, constraints = table(cells)
    hidden = disclosure.protect(values, constraints, 5, is_total=lambda k: "*" in k)
    assert ("A", "x") in hidden
    assert len(hidden) >= 4  # a rectangle at least
    assert not attack(values, constraints, hidden)


def test_one_dimension_hides_a_second_cell_or_the_total():
    keys = [("a",), ("b",), ("c",)]
    values = {("a",): 3, ("b",): 40, ("c",): 8, ("*",): 51}
    constraints = disclosure.table_constraints(keys, 1)
    hidden = disclosure.protect(values, constraints, 5, is_total=lambda k: "*" in k)
    assert hidden == {("a",), ("c",)}  # the next smallest, not the total
    assert not attack(values, constraints, hidden)


def test_zeros_are_never_chosen_when_a_count_exists():
    keys = [("a",), ("b",), ("c",)]
    values = {("a",): 2, ("b",): 0, ("c",): 0, ("*",): 2}
    constraints = disclosure.table_constraints(keys, 1)
    hidden = disclosure.protect(values, constraints, 5, is_total=lambda k: "*" in k)
    assert ("*",) in hidden and ("a",) in hidden
    assert not attack(values, constraints, hidden)


def test_random_tables_never_leak():
    rnd = random.Random(7)
    for _ in range(150):
        rows, cols = rnd.randint(1, 6), rnd.randint(1, 5)
        cells = {
            (f"r{i}", f"c{j}"): rnd.choice([0, 1, 2, 3, 4, 5, 8, 13, 40])
            for i in range(rows)
            for j in range(cols)
        }
        values, constraints = table(cells)
        hidden = disclosure.protect(values, constraints, 5, is_total=lambda k: "*" in k)
        assert disclosure.primary(values, 5) <= hidden
        assert not attack(values, constraints, hidden), cells


def test_brute_force_small_table():
    """Every assignment of the hidden cells consistent with what is published: each hidden cell
    takes more than one value."""
    cells = {("A", "x"): 1, ("A", "y"): 6, ("B", "x"): 7, ("B", "y"): 9}
    values, constraints = table(cells)
    hidden = sorted(disclosure.protect(values, constraints, 5, is_total=lambda k: "*" in k), key=repr)
    assert len(hidden) == 4  # the rectangle of inner cells
    seen = {k: set() for k in hidden}
    for combo in itertools.product(range(0, 17), repeat=len(hidden)):
        trial = dict(values)
        trial.update(dict(zip(hidden, combo, strict=False)))
        if all(trial[t] == sum(trial[m] for m in ms) for t, ms in constraints):
            for k, v in zip(hidden, combo, strict=False):
                seen[k].add(v)
    assert all(len(v) > 1 for v in seen.values()), seen


def test_hierarchy_constraint_is_protected():
    keys = [("o1",), ("o2",), ("o3",), ("o4",)]
    parent = {"o1": "G1", "o2": "G1", "o3": "G2", "o4": "G2"}
    values = {("o1",): 2, ("o2",): 30, ("o3",): 20, ("o4",): 25, ("*",): 77, ("^G1",): 32, ("^G2",): 45}
    constraints = disclosure.table_constraints(keys, 1, hierarchy=parent)
    hidden = disclosure.protect(values, constraints, 5, is_total=lambda k: k[0] in ("*", "^G1", "^G2"))
    assert ("o1",) in hidden
    assert not attack(values, constraints, hidden)
