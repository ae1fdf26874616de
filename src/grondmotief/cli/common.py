"""Options and helpers shared by every command, so each flag means the same thing everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from grondmotief.cli.output import Fmt

if TYPE_CHECKING:
    from grondmotief.study.folder import Study

StudyOpt = Annotated[
    Path | None,
    typer.Option(
        "--study",
        "-S",
        help="Study folder (default: $GRONDMOTIEF_STUDY, else the nearest folder "
        "upwards with grondmotief.yaml or codebooks/).",
        show_default=False,
    ),
]
CoderOpt = Annotated[
    str | None,
    typer.Option("--coder", "-c", help="Coder name (default: settings `coder`, else $USER).", show_default=False),
]
CodersOpt = Annotated[
    str | None,
    typer.Option(
        "--coder",
        "-c",
        help="Whose decisions: a coder, or several separated by commas "
        "(default: settings `report.coder`, else all coders).",
        show_default=False,
    ),
]
TranscriptOpt = Annotated[
    list[str] | None,
    typer.Option("--transcript", "-t", help="Only this transcript id (repeatable).", show_default=False),
]
WhereOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--where",
        "-w",
        help="Only transcripts whose attribute has this value, key=value (repeatable: different keys all "
        "hold, a repeated key means either value).",
        show_default=False,
    ),
]
ThemeOpt = Annotated[
    list[str] | None,
    typer.Option("--theme", help="A code of group `theme`, by id or label, any case (repeatable).", show_default=False),
]
MotiveOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--motive", help="A code of group `motive`, by id or label, any case (repeatable).", show_default=False
    ),
]
CodeOpt = Annotated[
    list[str] | None,
    typer.Option("--code", help="Any code, by id or label, any case (repeatable).", show_default=False),
]


def format_opt(default: Fmt, *choices: Fmt) -> object:
    names = "|".join(c.value for c in choices)
    return typer.Option("--format", "-f", help=f"Output format: {names}.", case_sensitive=False)


def open_study(
    ctx: typer.Context, study: Path | None, *, strict: bool = True, quick: bool = False, save_quick: bool = True
) -> Study:
    """The study of --study (here or on the root command). `quick`: a command that leaves the
    study's sources as they are (it may write chapters/), which reads validated files through the
    quick-start cache (quickcache.py) and writes it back when done (`save_quick`), or, when not
    `save_quick`, when it calls `Study.save_quick_cache` itself."""
    from grondmotief.study.folder import Study

    chosen = study or ((ctx.find_root().obj or {}).get("study") if ctx else None)
    s = Study.open(chosen, strict=strict, quick=quick)
    if quick and save_quick and ctx is not None:
        ctx.call_on_close(s.save_quick_cache)
    if s.recovered:
        from grondmotief.cli.console import warn

        warn(
            "an interrupted codebook change was rolled back; these files are as they were before it: "
            + ", ".join(s.recovered)
        )
    if ctx is not None and ctx.info_name != "check":  # check lists them itself, with file and line
        # Whatever the command printed, say which front-matter values it left out (field, never value).
        ctx.call_on_close(lambda: _warn_withheld_front_matter(s))
    return s


def _warn_withheld_front_matter(s: Study) -> None:
    from grondmotief.cli.console import warn

    for f in s.withheld_front_matter:
        warn(
            f"{f.transcript}: {f.field} withheld from the output: may contain personal data ({f.kinds}); anonymise "
            "it, or list a false positive under privacy.allowed_names"
        )


def check_format(fmt: Fmt, *allowed: Fmt) -> Fmt:
    if fmt not in allowed:
        raise typer.BadParameter(
            f"'{fmt.value}' is not one of {', '.join(a.value for a in allowed)}", param_hint="--format"
        )
    return fmt


def code_filter(study: Study, theme: list[str] | None, motive: list[str] | None, code: list[str] | None) -> list[str]:
    """The code ids meant by --theme/--motive/--code (ids or labels, any case), in the order given."""
    from grondmotief.cli.analysis_args import require_codes

    return [
        *require_codes(study, theme, "theme", "--theme"),
        *require_codes(study, motive, "motive", "--motive"),
        *require_codes(study, code, None, "--code"),
    ]
