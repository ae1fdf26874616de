"""`quote`: verbatim accepted passages with citation ids, ready to paste, screened for personal data."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from grondmotief.cli.analysis_args import (
    QuoteFormat,
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
from grondmotief.cli.console import warn
from grondmotief.cli.output import Column, Fmt, emit

ORDER = 55


def register(app: typer.Typer) -> None:
    app.command("quote")(quote)


def quote(
    ctx: typer.Context,
    study: StudyOpt = None,
    theme: ThemeOpt = None,
    motive: MotiveOpt = None,
    code: CodeOpt = None,
    where: WhereOpt = None,
    transcript: TranscriptOpt = None,
    coder: CodersOpt = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="At most this many quotes.", show_default=False)
    ] = None,
    sample: Annotated[
        int | None,
        typer.Option(
            "--sample",
            min=1,
            help="A random sample of this many quotes (reproducible with --seed), shown in citation order.",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for --sample.")] = 0,
    context: Annotated[
        bool, typer.Option("--context", help="Show the preceding turn (usually the interviewer's question).")
    ] = False,
    allow_flagged: Annotated[
        bool, typer.Option("--allow-flagged", help="Also print quotes the personal-data scan flags.")
    ] = False,
    chosen_format: Annotated[
        QuoteFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
    ] = QuoteFormat.md,
) -> None:
    """Verbatim quotes: each accepted passage once, with its citation id and an anonymous attribution.

    --theme, --motive and --code combine as AND (a passage must carry all of them; a parent code
    includes its children). The quote is the span a coder narrowed the decision to (spans of
    several coders are merged, gaps shown as "(…)"), else the whole passage. Quotes that may contain personal data (e-mail,
    phone, postcode, IBAN, URL, a person's name, a name from privacy.forbidden_names) are withheld
    with a warning naming the citation id and the kind of data; --allow-flagged prints them anyway.

    Example: grondmotief quote --theme subsidies --motive efficiency --limit 3
    """
    from grondmotief.analysis.tallies import coded_passages
    from grondmotief.report.quotes import Withheld, find_quotes, parse_where, render_quotes

    fmt = Fmt(chosen_format.value)
    s = open_study(ctx, study, quick=True)
    codes = code_filter(s, theme, motive, code)
    conditions = parse_where(where, s)
    require_transcripts(s, transcript)
    coded = coded_passages(s, require_coders(s, coder))
    withheld: list[Withheld] = []
    quotes = find_quotes(
        s,
        coded,
        codes,
        where=conditions,
        transcripts=transcript,
        limit=limit,
        sample=sample,
        seed=seed,
        context=context,
        allow_flagged=allow_flagged,
        withheld=withheld,
    )
    if fmt in (Fmt.md, Fmt.text):
        sys.stdout.write(render_quotes(quotes, fmt.value))
    else:
        rows = []
        for q in quotes:
            d = q.as_dict()
            if fmt == Fmt.csv:
                d["context"] = q.context or ""
            rows.append(d)
        cols = [
            Column("id"),
            Column("transcript"),
            Column("paragraph"),
            Column("attribution"),
            Column("codes"),
            Column("coders"),
            Column("text"),
        ] + ([Column("context")] if context else [])
        emit(rows, cols, fmt)
    for w in withheld:
        warn(
            f"{w.id} withheld: may contain personal data ({w.kinds}); anonymise the transcript, list a false "
            "positive under privacy.allowed_names, or pass --allow-flagged"
        )
    if not quotes and not withheld:
        warn("no quotes match (no accepted decisions with these codes and attributes)")
    warn_orphans(coded.orphaned)
