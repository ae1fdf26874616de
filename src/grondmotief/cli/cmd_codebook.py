"""`codebook show|lint|suggest-keywords|schema`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from grondmotief.cli.common import StudyOpt, open_study
from grondmotief.cli.console import info
from grondmotief.cli.output import Column, Fmt, emit

ORDER = 20

codebook_app = typer.Typer(
    help="Show, lint and describe the codebook; find candidate keywords in the study.\n\n"
    "Example: grondmotief codebook show",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(codebook_app, name="codebook")


@codebook_app.command("show")
def show(
    ctx: typer.Context,
    study: StudyOpt = None,
    counts: Annotated[bool, typer.Option("--counts/--no-counts", help="Add passages and cases coded per code.")] = True,
    fmt: Annotated[Fmt, typer.Option("--format", "-f", help="table|json|md|csv.", case_sensitive=False)] = Fmt.table,
) -> None:
    """The code tree: groups, codes with labels, keywords and (with codings) counts.

    Example: grondmotief codebook show --format md
    """
    from grondmotief.analysis.codetree import codebook_rows

    s = open_study(ctx, study)
    rows = codebook_rows(s, with_counts=counts)
    if fmt == Fmt.table:
        from grondmotief.cli.render_tree import print_tree

        print_tree(s, rows)
        return
    cols = [Column("group"), Column("id"), Column("parent"), Column("label"), Column("keywords", justify="right")]
    if counts:
        cols += [Column("passages", justify="right"), Column("cases", justify="right")]
    emit(rows, cols, fmt)


@codebook_app.command("lint")
def lint(
    ctx: typer.Context,
    study: StudyOpt = None,
    path: Annotated[
        Path | None, typer.Argument(help="A codebook file (default: the study's active codebook).", show_default=False)
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too.")] = False,
) -> None:
    """Report every problem in the codebook at once, as file:line: message.

    Example: grondmotief codebook lint codebooks/grondmotieven.yaml
    """
    from grondmotief.study.codebook import lint_codebook

    if path is not None:
        _, problems = lint_codebook(path, str(path), passages=True)
    else:
        _, problems = open_study(ctx, study).lint_codebook()
    for p in problems:
        typer.echo(str(p))
    errors = [p for p in problems if p.severity == "error"]
    info(f"{len(errors)} error(s), {len(problems) - len(errors)} warning(s)")
    if errors or (strict and problems):
        raise typer.Exit(1)


@codebook_app.command("suggest-keywords")
def suggest_keywords(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="CODE", help="The code to find candidate keywords for.")],
    study: StudyOpt = None,
    coder: Annotated[
        str | None,
        typer.Option("--coder", metavar="NAME", help="Also count passages this coder accepted the code on."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", metavar="N", min=1, help="Candidates shown.")] = 20,
    min_count: Annotated[
        int, typer.Option("--min-count", metavar="N", min=1, help="Code passages a candidate must occur in.")
    ] = 2,
    fmt: Annotated[Fmt, typer.Option("--format", "-f", help="table|json|md|csv.", case_sensitive=False)] = Fmt.table,
) -> None:
    """Words that keep company with a code in this study: candidate keywords to add by hand.

    A code's passages are those its keyword rules find (and, with --coder, those the coder
    accepted it on). Lemmas that occur there clearly more often than elsewhere are ranked by
    log-likelihood (G²), with their counts and up to three example passages. Everyday words and
    the code's own keywords are left out.

    Example: grondmotief codebook suggest-keywords subsidies --coder anna
    """
    from grondmotief.suggest.expand import expand

    s = open_study(ctx, study)
    got = expand(s, code, coder=coder, limit=limit, min_count=min_count)
    info(
        f"{got.code}: {got.code_passages} of {got.passages} passage(s) are the code's; "
        f"{len(got.candidates)} candidate(s)"
    )
    rows = [c.to_json() for c in got.candidates]
    if fmt != Fmt.json:
        rows = [{**r, "examples": ", ".join(r["examples"])} for r in rows]
    emit(
        rows,
        [
            Column("lemma"),
            Column("in_code", "in code", justify="right"),
            Column("passages", justify="right"),
            Column("g2", "G²", justify="right"),
            Column("examples"),
        ],
        fmt,
    )


@codebook_app.command("schema")
def schema(
    what: Annotated[str, typer.Argument(help="codebook|settings|transcript|decision")] = "codebook",
) -> None:
    """Print the JSON Schema of a file format (codebook by default).

    Example: grondmotief codebook schema > codebook.schema.json
    """
    from grondmotief.study.schemas import schema_for

    typer.echo(json.dumps(schema_for(what), ensure_ascii=False, indent=2))
