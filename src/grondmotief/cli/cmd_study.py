"""`init` and `check`: create a study; validate one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from grondmotief.cli.common import StudyOpt, open_study
from grondmotief.cli.console import info
from grondmotief.cli.output import Column, Fmt, emit

ORDER = 10


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("check")(check)


def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the new study (created if missing).")] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Write into a folder that already holds files.")] = False,
    empty: Annotated[
        bool,
        typer.Option(
            "--empty",
            help="Settings and folders only: no demo codebook, no example transcript "
            "(for a study that starts from an imported project or its own codebook).",
        ),
    ] = False,
    ci: Annotated[
        bool,
        typer.Option("--ci/--no-ci", help="Write a GitHub Actions workflow and a GitLab CI file for the study."),
    ] = True,
    ci_install: Annotated[
        str | None,
        typer.Option(
            "--ci-install",
            metavar="REQUIREMENT",
            help="What CI installs (default: this version of grondmotief from PyPI), e.g. a git URL.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Create a study with the default codebook, settings and an example transcript.

    With --empty, settings and empty folders only; the active codebook is codebooks/codebook.yaml,
    written by the first `import` of a .qdpx/.qdc or by hand.

    Unless --no-ci, also .github/workflows/grondmotief.yml and .gitlab-ci.yml: on every push
    they run `grondmotief check` and `grondmotief report --check` and keep chapters/ as an
    artifact. Render the chapters once (`grondmotief report`) and commit them.

    Example: grondmotief init mijn-onderzoek && cd mijn-onderzoek && grondmotief check
    """
    from grondmotief.study.scaffold import init_study

    written = init_study(directory, force=force, empty=empty, ci=ci, install=ci_install)
    for path in written:
        info(f"wrote {path}")
    if empty:
        info(
            f"New empty study in {directory}. Next: `grondmotief import PROJECT.qdpx` (codes, transcripts and "
            "codings) or write codebooks/codebook.yaml, then `grondmotief import FILE…` for transcripts."
        )
        return
    info(
        f"New study in {directory}. Next: add transcripts with `grondmotief import FILE…`, then `grondmotief code`; "
        "`grondmotief report` renders chapters/ (commit them: CI fails when they are stale)."
    )


def check(
    ctx: typer.Context,
    study: StudyOpt = None,
    fix: Annotated[
        bool,
        typer.Option(
            "--fix",
            help="Repair what is safe: re-anchor moved passages, set aside cut-off or "
            "unreadable codings lines and superseded duplicates in codings/<coder>.jsonl.rejected.",
        ),
    ] = False,
    accept_edits: Annotated[
        bool,
        typer.Option(
            "--accept-edits",
            help="With --fix: keep orphaned decisions on their paragraph when its text was edited in place.",
        ),
    ] = False,
    no_pii: Annotated[bool, typer.Option("--no-pii", help="Skip the personal-data scan of transcripts.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail the check too.")] = False,
    fmt: Annotated[Fmt, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)] = Fmt.text,
) -> None:
    """Validate settings, codebook, transcripts and codings; scan transcripts for personal data.

    Lists every problem as file:line: message and exits 1 if there is any error.

    Example: grondmotief check --fix
    """
    from grondmotief.study.check import run_check

    s = open_study(ctx, study, strict=False)
    report = run_check(s, fix=fix, accept_edits=accept_edits, pii=not no_pii)
    for note in report.fixed:
        info(f"fixed: {note}")
    rows = [{"file": p.file, "line": p.line, "severity": p.severity, "message": p.message} for p in report.problems]
    if fmt == Fmt.text:
        for p in report.problems:
            typer.echo(str(p))
    else:
        emit(rows, [Column("file"), Column("line", justify="right"), Column("severity"), Column("message")], fmt)
    c = report.counts
    summary = (
        f"{c.get('transcripts', 0)} transcripts, {c.get('segments', 0)} passages, "
        f"{c.get('decisions', 0)} decisions by {c.get('coders', 0)} coder(s): "
        f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)"
    )
    info(summary)
    if report.errors or (strict and report.warnings):
        raise typer.Exit(1)
