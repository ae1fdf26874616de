"""`tally` and `crosstab`: counts of passages and cases per code, and co-occurrence tables."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from grondmotief.cli.common import CodersOpt, StudyOpt, check_format, open_study
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
    fmt: Annotated[Fmt, typer.Option("--format", "-f", help="table|csv|json|md.", case_sensitive=False)] = Fmt.table,
) -> None:
    """Passages and cases (transcripts) per code, from accepted decisions, rolled up the code tree.

    A passage coded `scarcity` also counts for its parent `scarcity-abundance`. A passage accepted
    by several coders counts once. Whose decisions: --coder (one or several, comma-separated), else
    settings `report.coder`, else the union of all coders.

    Example: grondmotief tally --group theme --by organisation_type
    """
    from grondmotief.analysis import tally as run_tally

    check_format(fmt, Fmt.table, Fmt.csv, Fmt.json, Fmt.md)
    s = open_study(ctx, study)
    if group is not None:
        s.codebook.in_group(group)
    rows = run_tally(s, s.report_coders(coder), group=group, by=by)
    values = list(rows[0].by) if rows else []
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
    title = f"cases by {by}" if by and fmt == Fmt.table else None
    emit(out, cols, fmt, title=title)


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
    fmt: Annotated[Fmt, typer.Option("--format", "-f", help="table|csv|json|md.", case_sensitive=False)] = Fmt.table,
) -> None:
    """Co-occurrence of two code groups on passages, or a code group broken down by an attribute.

    Cells count passages that carry both (after roll-up); with an attribute, passages of the
    group's codes in transcripts with that value. --clash counts, per code of ROWS, the passages
    where a civil-society motive and a state/market motive of COLS meet; a code with sphere `both`
    counts for neither pole (its children carry the poles).

    Example: grondmotief crosstab theme motive --clash
    """
    check_format(fmt, Fmt.table, Fmt.csv, Fmt.json, Fmt.md)
    if unit not in ("passage", "case"):
        raise typer.BadParameter("must be passage or case", param_hint="--unit")
    s = open_study(ctx, study)
    coders = s.report_coders(coder)
    if clash_view:
        _clash(s, rows, cols, coders, fmt)
        return
    from grondmotief.analysis import crosstab as run_crosstab

    t = run_crosstab(s, rows, cols, coders, unit=unit, top_only=top_only)  # type: ignore[arg-type]
    out: list[dict[str, Any]] = []
    for r in t.rows.keys:
        row: dict[str, Any] = {rows: r, "label": t.rows.labels[r]}
        for c in t.cols.keys:
            row[c] = round(t.share(r, c), 4) if normalize else t.count(r, c)
        row["total"] = t.row_totals[r]
        out.append(row)
    columns = (
        [Column(rows), Column("label")]
        + [Column(c, justify="right") for c in t.cols.keys]
        + [Column("total", justify="right")]
    )
    what = "row shares" if normalize else f"{t.unit}s"
    emit(out, columns, fmt, title=f"{rows} × {cols} ({what})" if fmt == Fmt.table else None)


def _clash(s: Any, rows: str, cols: str, coders: list[str] | None, fmt: Fmt) -> None:
    from grondmotief.analysis import clash

    t = clash(s, coders, rows=rows, motives=cols)
    cb = s.codebook
    out = []
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
        out.append(row)
    civil = ", ".join(c for c, p in t.poles.items() if p == "civil")
    state = ", ".join(c for c, p in t.poles.items() if p == "state")
    columns = [Column(rows), Column("label")] + [
        Column(k, justify="right") for k in ("passages", "civil", "state", "clashes", "share", "cases")
    ]
    if fmt != Fmt.json:
        columns.append(Column("most frequent pair"))
    emit(
        out, columns, fmt, title=f"clashes per {rows}: civil ({civil}) × state ({state})" if fmt == Fmt.table else None
    )
