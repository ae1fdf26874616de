"""`saturation`: new codes per transcript in interview order, as a table and an SVG figure."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from grondmotief.cli.analysis_args import TableFormat, require_coders, require_group, warn_orphans
from grondmotief.cli.common import CodersOpt, StudyOpt, open_study
from grondmotief.cli.console import info
from grondmotief.cli.output import Column, Fmt, emit

ORDER = 58


def register(app: typer.Typer) -> None:
    app.command("saturation")(saturation)


def saturation(
    ctx: typer.Context,
    study: StudyOpt = None,
    coder: CodersOpt = None,
    group: Annotated[
        str | None, typer.Option("--group", help="Only codes of this group (e.g. theme).", show_default=False)
    ] = None,
    svg: Annotated[
        Path | None,
        typer.Option(
            "--svg", help="Also write the figure here (e.g. chapters/figures/saturation.svg).", show_default=False
        ),
    ] = None,
    chosen_format: Annotated[
        TableFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
    ] = TableFormat.table,
) -> None:
    """How many codes each new transcript added, in interview order (the `interviewed` date,
    then transcripts without one by id): the standard check whether more interviews would still
    find new codes. A code counts where a chosen coder accepted it. --svg writes a figure (bars:
    new codes; line: codes so far) that a chapter can include.

    Example: grondmotief saturation --group theme --svg chapters/figures/saturation.svg
    """
    from grondmotief.analysis.saturation import saturation as compute
    from grondmotief.core.fileio import atomic_write_text
    from grondmotief.report.figures import saturation_svg

    fmt = Fmt(chosen_format.value)
    s = open_study(ctx, study)
    if group:
        require_group(s, group)
    rows, orphaned = compute(s, require_coders(s, coder), group)
    data = [r.as_dict() for r in rows]
    cols = [
        Column("position", "#", justify="right"),
        Column("transcript"),
        Column("interviewed"),
        Column("codes", justify="right"),
        Column("new", justify="right"),
        Column("total", justify="right"),
        Column("new_codes", "new codes"),
    ]
    emit(data, cols, fmt)
    if svg is not None:
        atomic_write_text(svg, saturation_svg(rows))
        info(f"figure written to {svg}")
    warn_orphans(orphaned)
