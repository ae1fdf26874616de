"""`words`: the most frequent lemmas of a selection; `--compare KEY` for keyness between values."""

from __future__ import annotations

from typing import Annotated

import typer

from grondmotief.cli.analysis_args import (
    TableFormat,
    require_attribute,
    require_coders,
    require_transcripts,
    warn_orphans,
)
from grondmotief.cli.common import (
    CodeOpt,
    CodersOpt,
    MotiveOpt,
    StudyOpt,
    ThemeOpt,
    TranscriptOpt,
    WhereOpt,
    code_filter,
    open_study,
)
from grondmotief.cli.console import info
from grondmotief.cli.output import Column, Fmt, emit

ORDER = 57


def register(app: typer.Typer) -> None:
    app.command("words")(words)


def words(
    ctx: typer.Context,
    study: StudyOpt = None,
    theme: ThemeOpt = None,
    motive: MotiveOpt = None,
    code: CodeOpt = None,
    where: WhereOpt = None,
    transcript: TranscriptOpt = None,
    coder: CodersOpt = None,
    heads: Annotated[
        bool, typer.Option("--heads", help="Count compounds by their head (wachtlijst for thuiszorgwachtlijst).")
    ] = False,
    compare: Annotated[
        str | None,
        typer.Option(
            "--compare",
            help="A transcript attribute: per value, the lemmas most over-represented (G²).",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Lemmas listed (per value with --compare).")] = 30,
    chosen_format: Annotated[
        TableFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
    ] = TableFormat.table,
) -> None:
    """The most frequent lemmas of the selected passages, stop words left out, with how many
    passages and cases (transcripts) hold each. The selection is as in `quote`. --compare KEY
    ranks, per value of the attribute, the lemmas most over-represented in its passages against
    all others by log-likelihood (G²): what one kind of organisation talks about more.

    Example: grondmotief words --theme care --compare organisation_type --limit 10
    """
    from grondmotief.report.quotes import parse_where
    from grondmotief.search.find import Selection
    from grondmotief.search.words import word_counts

    fmt = Fmt(chosen_format.value)
    s = open_study(ctx, study, quick=True)
    codes = code_filter(s, theme, motive, code)
    require_transcripts(s, transcript)
    if compare:
        require_attribute(s, compare, "--compare")
    selection = Selection(codes, parse_where(where, s), transcript, require_coders(s, coder))
    got = word_counts(s, selection, heads=heads, compare=compare, limit=limit)
    if compare:
        cols = [
            Column(compare),
            Column("lemma"),
            Column("count", justify="right"),
            Column("elsewhere", justify="right"),
            Column("g2", "G²", justify="right"),
        ]
    else:
        cols = [
            Column("lemma"),
            Column("count", justify="right"),
            Column("passages", justify="right"),
            Column("cases", justify="right"),
        ]
    emit(got.rows, cols, fmt)
    info(f"{got.tokens} word(s) in {got.passages} passage(s)")
    warn_orphans(got.orphaned)
