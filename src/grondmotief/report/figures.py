"""Figures for report chapters, drawn with matplotlib as SVG text that is the same on every run.

Determinism: the Agg backend, no pyplot state, a fixed `svg.hashsalt` (so clip-path ids do not
change), `svg.fonttype: none` (text stays text, no glyph outlines that differ by font build), no
Date metadata and a fixed Creator. Only vector shapes are drawn (no embedded PNG).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from grondmotief.analysis.tallies import Crosstab

if TYPE_CHECKING:
    from grondmotief.analysis.saturation import SaturationRow

RC: dict[str, Any] = {
    "svg.hashsalt": "grondmotief",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "figure.dpi": 72,
    "savefig.dpi": 72,
    "path.simplify": False,
}
METADATA = {"Date": None, "Creator": "grondmotief"}


def cooccurrence_svg(
    table: Crosstab,
    *,
    title: str = "",
    share: bool = False,
    row_title: str = "",
    col_title: str = "",
    depths: tuple[list[int], list[int]] | None = None,
) -> str:
    """A heatmap of a crosstab: rows down, columns across, the count written in each cell.

    Axis titles name what the rows and columns are (e.g. "Grondmotieven", "Thema's"); row labels
    are left-aligned and a child code is indented under its parent, so Schaarste and Overvloed
    read as parts of "Schaarste en overvloed", not as motives of their own.
    """
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.transforms import ScaledTranslation

    rows, cols = table.rows.keys, table.cols.keys
    row_depths = depths[0] if depths else [0] * len(rows)
    values = [[table.share(r, c) if share else float(table.count(r, c)) for c in cols] for r in rows]
    peak = max((v for row in values for v in row), default=0.0) or 1.0
    with matplotlib.rc_context(RC):  # type: ignore[arg-type]
        width = 2.0 + 1.1 * max(len(cols), 1)
        height = 1.4 + 0.42 * max(len(rows), 1) + (0.3 if col_title else 0.0)
        fig = Figure(figsize=(width, height))
        canvas = FigureCanvasAgg(fig)  # measures the row labels, to left-align and indent them
        ax = fig.add_subplot()
        ax.pcolormesh(values or [[0.0]], cmap="Blues", vmin=0.0, vmax=peak, edgecolors="white", linewidth=1.0)
        ax.invert_yaxis()
        ax.set_xticks([i + 0.5 for i in range(len(cols))], [_wrap(table.cols.labels[c]) for c in cols])
        ax.set_yticks([i + 0.5 for i in range(len(rows))], [table.rows.labels[r] for r in rows])
        labels = ax.get_yticklabels()
        ax.tick_params(length=0)
        ax.xaxis.tick_top()
        for spine in ax.spines.values():
            spine.set_visible(False)
        if labels:
            renderer = canvas.get_renderer()
            indent = 12.0  # points per level of the code tree
            widest = max(
                lab.get_window_extent(renderer).width * 72.0 / fig.dpi + indent * d
                for lab, d in zip(labels, row_depths, strict=True)
            )
            ax.tick_params(axis="y", pad=widest + 4.0)
            for lab, d in zip(labels, row_depths, strict=True):
                lab.set_horizontalalignment("left")
                if d:
                    lab.set_transform(
                        lab.get_transform() + ScaledTranslation(indent * d / 72.0, 0, fig.dpi_scale_trans)
                    )
        if row_title:
            ax.set_ylabel(row_title, labelpad=8)
        if col_title:
            ax.xaxis.set_label_position("top")
            ax.set_xlabel(col_title, labelpad=8)
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                text = f"{v:.0%}" if share else f"{int(v)}"
                ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", color="white" if v > 0.6 * peak else "black")
        if title:
            ax.set_title(title, pad=28, loc="left")
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata=METADATA)
    return buf.getvalue()


def _wrap(label: str, width: int = 14) -> str:
    words, lines, line = label.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "\n".join(lines)


def saturation_svg(rows: list[SaturationRow], *, title: str = "") -> str:
    """Bars: new codes per transcript; line: distinct codes so far. Deterministic SVG ."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    with matplotlib.rc_context(RC):  # type: ignore[arg-type]
        fig = Figure(figsize=(max(4.0, 1.5 + 0.35 * len(rows)), 3.2))
        ax = fig.add_subplot()
        xs = list(range(len(rows)))
        ax.bar(xs, [len(r.new) for r in rows], color="#4a7ab5", label="nieuwe codes")
        ax.plot(xs, [r.total for r in rows], color="#333333", marker="o", markersize=3, label="codes totaal")
        ax.set_xticks(xs, [r.transcript for r in rows], rotation=90)
        ax.set_ylabel("codes")
        ax.set_xlabel("interviews in volgorde")
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)
        ax.legend(frameon=False, loc="center right")
        if title:
            ax.set_title(title, loc="left")
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata=METADATA)
    return buf.getvalue()
