"""The table's chart drawn on the server by matplotlib (bars; a line for a date dimension), as
PNG or SVG. Drawn from the table only: hidden cells have no bar and read "<k" or "x"."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .tables import Table  # noqa: E402

plt.rcParams["svg.hashsalt"] = "sip-reporting"  # the same table gives the same SVG


def _label(value) -> str:
    if value is None:
        return "(brak)"
    if value is True:
        return "tak"
    if value is False:
        return "nie"
    return str(value)


def render(table: Table, fmt: str = "svg", labels: dict | None = None, line: bool = False) -> bytes:
    """The chart of the table's cells as PNG or SVG bytes."""
    labels = labels or {}

    def name(dim: str, value) -> str:
        return labels.get(dim, {}).get(value, _label(value))

    fig, ax = plt.subplots(figsize=(8, 4.2), dpi=100)
    dims = table.dimensions
    if not dims:
        groups = {"": [(table.title, table.rows[0] if table.rows else None)]}
    elif len(dims) == 1:
        groups = {"": [(name(dims[0], e.key[0]), e) for e in table.rows]}
    else:
        groups = {}
        for e in table.rows:
            groups.setdefault(name(dims[1], e.key[1]), []).append((name(dims[0], e.key[0]), e))
    categories = list(dict.fromkeys(c for series in groups.values() for c, _ in series))
    width = 0.8 / max(1, len(groups))
    for s, (series_name, items) in enumerate(groups.items()):
        by_cat = dict(items)
        xs, ys, hidden = [], [], []
        for i, cat in enumerate(categories):
            e = by_cat.get(cat)
            x = i + (s - (len(groups) - 1) / 2) * width if not line else i
            if e is None:
                continue
            if e.suppressed or e.value is None:
                hidden.append((x, table.display(e)))
            else:
                xs.append(x)
                ys.append(float(e.value))
        if line and len(dims) == 1:
            ax.plot(xs, ys, marker="o", label=series_name or None)
        else:
            ax.bar(xs, ys, width=width, label=series_name or None)
        for x, text in hidden:
            ax.annotate(text, (x, 0), ha="center", va="bottom", fontsize=8, color="#a33")
    ax.set_xticks(range(len(categories)))
    ax.set_xticklabels(
        categories,
        rotation=45 if len(categories) > 6 else 0,
        ha="right" if len(categories) > 6 else "center",
        fontsize=8,
    )
    ax.set_title(table.title, fontsize=11)
    note = f"Stan danych: {table.data_date_text}"
    if table.protected and table.counts_people:
        note += f"; k = {table.k} („<{table.k}” – mniej niż {table.k}, „x” – ukryte)"
    fig.text(0.01, 0.01, note, fontsize=7, color="#555")
    if len(groups) > 1:
        ax.legend(fontsize=7)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, metadata={"Date": None} if fmt == "svg" else {"Software": None})
    plt.close(fig)
    return buf.getvalue()
