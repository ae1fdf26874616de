"""`tally` and `crosstab`: counts of passages and cases per code, and co-occurrence tables."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from grondmotief.cli.analysis_args import (
    TableFormat,
    fitting,
    print_legend,
    require_attribute,
    require_axis,
    require_coders,
    require_group,
    short_headers,
    warn_orphans,
)
from grondmotief.cli.common import CodersOpt, StudyOpt, open_study
from grondmotief.cli.output import Column, Fmt, emit

ORDER = 50

GroupOpt = Annotated[
    str | None, typer.Option("--group", "-g", help="Only codes in this group (theme, motive, …).", show_default=False)
]


def register(app: typer.Typer) -> None:
    app.command("tally")(tally)
    app.command("crosstab")(crosstab)


def tally(
    ctx: typer.Context,
    study: StudyOpt = None,
    group: GroupOpt = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            "-b",
            help="Break the case counts down by this transcript attribute, "
            "e.g. organisation_type (shown as 'cases with the code of cases').",
            show_default=False,
        ),
    ] = None,
    coder: CodersOpt = None,
    chosen_format: Annotated[
        TableFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
    ] = TableFormat.table,
) -> None:
    """Passages and cases (transcripts) per code, from accepted decisions, rolled up the code tree.

    A passage coded `scarcity` also counts for its parent `scarcity-abundance`. A passage accepted
    by several coders counts once. Whose decisions: --coder (one or several, comma-separated), else
    settings `report.coder`, else the union of all coders. With --by, the table shows code ids and
    "cases/of" per value, long values shortened with a legend below, to fit the terminal; --format
    md or csv keeps the full names.

    Example: grondmotief tally --group theme --by organisation_type
    """
    from grondmotief.analysis.tallies import coded_passages
    from grondmotief.analysis.tallies import tally as run_tally

    fmt = Fmt(chosen_format.value)
    s = open_study(ctx, study, quick=True)
    if group is not None:
        require_group(s, group)
    if by is not None:
        require_attribute(s, by, "--by")
    coded = coded_passages(s, require_coders(s, coder))
    rows = run_tally(s, group=group, by=by, passages=coded)
    values = list(rows[0].by) if rows else []
    if fmt == Fmt.table and by is not None:
        _tally_narrow(rows, values, by, show_group=group is None)
        warn_orphans(coded.orphaned)
        return
    out: list[dict[str, Any]] = []
    for r in rows:
        row: dict[str, Any] = {
            "code": r.code,
            "label": ("  " * r.depth + r.label) if fmt in (Fmt.table, Fmt.md) else r.label,
            "group": r.group,
            "passages": r.passages,
            "cases": r.cases,
            "of": r.cases_total,
        }
        if fmt == Fmt.json:
            row["parent"] = s.codebook.codes[r.code].parent
            if by:
                row["by"] = {by: {v: {"cases": k, "of": n} for v, (k, n) in r.by.items()}}
        elif fmt == Fmt.csv:
            for v, (k, n) in r.by.items():
                row[f"{v}"], row[f"{v} (of)"] = k, n
        else:
            for v, (k, n) in r.by.items():
                row[v] = f"{k} of {n}"
        out.append(row)
    cols = [
        Column("code"),
        Column("label"),
        Column("group"),
        Column("passages", justify="right"),
        Column("cases", justify="right"),
        Column("of", justify="right"),
    ]
    for v in values:
        cols.append(Column(v, justify="right"))
        if fmt == Fmt.csv:
            cols.append(Column(f"{v} (of)", justify="right"))
    emit(out, cols, fmt)
    warn_orphans(coded.orphaned)


def _tally_narrow(rows: list[Any], values: list[str], by: str, *, show_group: bool) -> None:
    """tally --by as a table that fits 80 columns: code ids indented by depth (no labels), cases as
    "k/n", short headers for long attribute values with a legend below; the group column only
    when there is room. --format md or csv keeps the full names."""
    out = [
        {
            "code": "  " * r.depth + r.code,
            "group": r.group,
            "passages": r.passages,
            "cases": f"{r.cases}/{r.cases_total}",
            **{v: f"{k}/{n}" for v, (k, n) in r.by.items()},
        }
        for r in rows
    ]

    def columns(headers: dict[str, str], group: bool) -> list[Column]:
        cols = [Column("code")] + ([Column("group")] if group else [])
        cols += [Column("passages", justify="right"), Column("cases", justify="right")]
        return cols + [Column(v, header=headers[v], justify="right") for v in values]

    layouts = [(short_headers(values), show_group), (short_headers(values), False), (short_headers(values, 3), False)]
    chosen = fitting(out, [columns(h, g) for h, g in layouts])
    headers = next(h for h, g in layouts if columns(h, g) == chosen)
    group = any(c.key == "group" for c in chosen)
    emit(out, columns(headers, group), Fmt.table, title=f"cases with the code / all cases, by {by}")
    print_legend(headers)


def crosstab(
    ctx: typer.Context,
    rows: Annotated[str, typer.Argument(help="A code group (theme, motive) or a transcript attribute.")],
    cols: Annotated[str, typer.Argument(help="A code group or a transcript attribute.")],
    study: StudyOpt = None,
    normalize: Annotated[
        bool,
        typer.Option(
            "--normalize",
            "-n",
            help="Row shares instead of counts: each cell divided by the passages (or cases) that carry the row.",
        ),
    ] = False,
    unit: Annotated[
        str, typer.Option("--unit", "-u", help="Count passages, or cases (transcripts with at least one such passage).")
    ] = "passage",
    top_only: Annotated[
        bool, typer.Option("--top", help="Only top-level codes (children still roll up into them).")
    ] = False,
    clash_view: Annotated[
        bool,
        typer.Option(
            "--clash",
            help="Per ROWS code: passages where a civil-sphere and a "
            "state-sphere code of group COLS co-occur (spheres from the codebook).",
        ),
    ] = False,
    coder: CodersOpt = None,
    chosen_format: Annotated[
        TableFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
    ] = TableFormat.table,
) -> None:
    """Co-occurrence of two code groups on passages, or a code group broken down by an attribute.

    Cells count passages that carry both (after roll-up); with an attribute, passages of the
    group's codes in transcripts with that value. --clash counts, per code of ROWS, the passages
    where a civil-society motive and a state/market motive of COLS meet; a code with sphere `both`
    counts for neither pole (its children carry the poles).

    Example: grondmotief crosstab theme motive --clash
    """
    from grondmotief.analysis.tallies import coded_passages

    fmt = Fmt(chosen_format.value)
    if unit not in ("passage", "case"):
        raise typer.BadParameter("must be passage or case", param_hint="--unit")
    s = open_study(ctx, study, quick=True)
    require_axis(s, rows, "ROWS")
    require_axis(s, cols, "COLS")
    coded = coded_passages(s, require_coders(s, coder))
    if clash_view:
        _clash(s, rows, cols, coded, fmt)
        warn_orphans(coded.orphaned)
        return
    from grondmotief.analysis.tallies import crosstab as run_crosstab

    t = run_crosstab(s, rows, cols, unit=unit, top_only=top_only, passages=coded)  # type: ignore[arg-type]
    table = fmt == Fmt.table
    out: list[dict[str, Any]] = []
    for r in t.rows.keys:
        depth = s.codebook.codes[r].depth if t.rows.kind == "group" and table else 0
        row: dict[str, Any] = {rows: "  " * depth + r, "label": t.rows.labels[r]}
        for c in t.cols.keys:
            row[c] = round(t.share(r, c), 4) if normalize else t.count(r, c)
        row["total"] = t.row_totals[r]
        out.append(row)

    def columns(headers: dict[str, str]) -> list[Column]:
        return (
            [Column(rows)]
            + ([] if table else [Column("label")])  # ids only at 80 columns; md and csv keep the labels
            + [Column(c, header=headers[c], justify="right") for c in t.cols.keys]
            + [Column("total", justify="right")]
        )

    headers = {c: c for c in t.cols.keys}
    if table:  # long column names shortened (with a legend) until the table fits the terminal
        options = [headers, short_headers(t.cols.keys), short_headers(t.cols.keys, 8), short_headers(t.cols.keys, 3)]
        chosen = fitting(out, [columns(h) for h in options])
        headers = next(h for h in options if columns(h) == chosen)
    what = "row shares" if normalize else f"{t.unit}s"
    emit(out, columns(headers), fmt, title=f"{rows} × {cols} ({what})" if table else None)
    if table:
        print_legend(headers)
    warn_orphans(coded.orphaned)


def _clash(s: Any, rows: str, cols: str, coded: Any, fmt: Fmt) -> None:
    from grondmotief.analysis.tallies import clash

    t = clash(s, rows=rows, motives=cols, passages=coded)
    cb = s.codebook
    table = fmt == Fmt.table
    out = []
    tops: list[tuple[str, str]] = []
    for r in [*t.rows, t.total]:
        top = next(iter(r.pairs.items()), None)
        row: dict[str, Any] = {
            rows: r.code or "(all)",
            "label": r.label,
            "passages": r.passages,
            "civil": r.civil,
            "state": r.state,
            "clashes": r.clashes,
            "share": round(r.share, 4),
            "cases": r.cases,
        }
        if fmt == Fmt.json:
            row["pairs"] = [{"civil": a, "state": b, "passages": n} for (a, b), n in r.pairs.items()]
        else:
            row["most frequent pair"] = (
                f"{cb.codes[top[0][0]].label} × {cb.codes[top[0][1]].label} ({top[1]})" if top else ""
            )
        if top:
            # Ties are common with few clashes: name every pair with the top count.
            best = [f"{a} × {b}" for (a, b), n in r.pairs.items() if n == top[1]]
            count = f"{top[1]} passage{'s' if top[1] != 1 else ''}" + (" each" if len(best) > 1 else "")
            tops.append((r.code or "(all)", f"{', '.join(best)} ({count})"))
        out.append(row)
    civil = ", ".join(c for c, p in t.poles.items() if p == "civil")
    state = ", ".join(c for c, p in t.poles.items() if p == "state")
    columns = [Column(rows)] + ([] if table else [Column("label")])
    columns += [Column(k, justify="right") for k in ("passages", "civil", "state", "clashes", "share", "cases")]
    if fmt in (Fmt.csv, Fmt.md):
        columns.append(Column("most frequent pair"))
    emit(out, columns, fmt, title=f"clashes per {rows}: civil ({civil}) × state ({state})" if table else None)
    if table and tops:
        # The pairs would wrap to several lines per row inside the table at 80 columns: listed below it.
        from rich.table import Table

        from grondmotief.cli.console import out as console

        grid = Table.grid(padding=(0, 2))  # a long tie wraps under its own column, not under the key
        grid.add_column(no_wrap=True)
        grid.add_column()
        for key, text in tops:
            grid.add_row(f"  {key}", text)
        console.print("most frequent civil × state pair:", markup=False, highlight=False)
        console.print(grid, markup=False, highlight=False)
