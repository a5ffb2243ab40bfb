"""Disclosure control of published tables (statistical confidentiality, RODO).

A table is a set of entries (inner cells and totals) tied by additive constraints: each total
is the sum of its members (the cells of a row or a column, the obręby of a gmina). Primary
suppression hides every entry counting between 1 and k−1 people; secondary suppression then
hides further entries until no hidden entry can be computed exactly from the published ones.

Soundness is checked, not hoped for: with the published entries known, the hidden ones are the
unknowns of a linear system (one equation per constraint). A hidden entry is recovered exactly
iff its coordinate is zero in every vector of the system's null space. While some hidden entry
is recoverable, a non-zero published entry sharing a constraint with one is hidden as well; to a
fixed point: the first (inner cells before totals, smallest first) that lowers the number of
recoverable entries is hidden, else the first. Each step hides one more entry, so it ends.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence

import numpy as np

Constraint = tuple[Hashable, Sequence[Hashable]]  # (total, members)


def primary(values: Mapping[Hashable, float], k: int) -> set:
    """The entries whose count lies between 1 and k−1."""
    return {key for key, v in values.items() if v is not None and 0 < v < k}


def recoverable(values: Mapping, constraints: Iterable[Constraint], hidden: set) -> set:
    """The hidden entries that the published entries and the constraints determine exactly."""
    unknowns = sorted(hidden, key=repr)
    if not unknowns:
        return set()
    index = {key: i for i, key in enumerate(unknowns)}
    rows = []
    for total, members in constraints:
        row = np.zeros(len(unknowns))
        touched = False
        if total in index:
            row[index[total]] += 1.0
            touched = True
        for m in members:
            if m in index:
                row[index[m]] -= 1.0
                touched = True
        if touched:
            rows.append(row)
    if not rows:
        return set()
    a = np.array(rows)
    _, s, vt = np.linalg.svd(a)
    rank = int((s > 1e-9).sum())
    null = vt[rank:]  # rows span the null space
    if null.shape[0] == 0:
        return set(unknowns)
    free = np.abs(null).max(axis=0) > 1e-9
    return {key for key, i in index.items() if not free[i]}


def protect(
    values: Mapping[Hashable, float], constraints: Sequence[Constraint], k: int, *, is_total=None
) -> set:
    """Return the entries to hide: primary (1..k−1) and secondary, so that none of them can be
    recovered from the rest and the constraints. `is_total(key)` tells totals from inner cells
    (secondary suppression prefers inner cells)."""
    return protect_from(values, constraints, primary(values, k), is_total=is_total)


def protect_from(
    values: Mapping[Hashable, float], constraints: Sequence[Constraint], first: set, *, is_total=None
) -> set:
    """Return `first` (the primary suppressions) and the secondary ones hiding them."""
    is_total = is_total or (lambda key: False)
    hidden = set(first)
    partners: dict = {}
    for total, members in constraints:
        group = [total, *members]
        for key in group:
            partners.setdefault(key, set()).update(group)
    while True:
        exposed = recoverable(values, constraints, hidden)
        if not exposed:
            return hidden
        near = set().union(*(partners.get(key, set()) for key in exposed))
        candidates = sorted(
            (key for key in near if key not in hidden and key in values and (values[key] or 0) > 0),
            key=lambda key: (is_total(key), values[key], repr(key)),
        )
        if not candidates:
            # Only zeros beside them: hide a zero (it does not claim to be under k).
            candidates = sorted(
                (key for key in near if key not in hidden and key in values),
                key=lambda key: (is_total(key), repr(key)),
            )
        if not candidates:  # cannot happen: a recoverable entry shares a constraint with a shown one
            raise RuntimeError("secondary suppression found nothing to hide")
        chosen = candidates[0]
        for key in candidates:
            if len(recoverable(values, constraints, hidden | {key})) < len(exposed):
                chosen = key
                break
        hidden.add(chosen)


def table_constraints(
    cells: Iterable[tuple], dims: int, hierarchy: Mapping | None = None
) -> list[Constraint]:
    """The constraints of a table of one or two dimensions with its totals ("*" in the place of
    each dimension summed over). `hierarchy` maps a value of the first dimension to its parent
    (obręb → gmina): each parent's total is then the sum of its children, as ("<parent>", ...)."""
    cells = list(cells)
    out: list[Constraint] = []
    if dims == 0:
        return out
    if dims == 1:
        out.append((("*",), [c for c in cells]))
        if hierarchy:
            parents: dict = {}
            for c in cells:
                parents.setdefault(hierarchy.get(c[0]), []).append(c)
            for parent, members in parents.items():
                if parent is not None:
                    out.append(((f"^{parent}",), members))
        return out
    firsts = sorted({c[0] for c in cells}, key=repr)
    seconds = sorted({c[1] for c in cells}, key=repr)
    for a in firsts:
        out.append(((a, "*"), [c for c in cells if c[0] == a]))
    for b in seconds:
        out.append((("*", b), [c for c in cells if c[1] == b]))
    out.append((("*", "*"), [(a, "*") for a in firsts]))
    out.append((("*", "*"), [("*", b) for b in seconds]))
    return out
