"""`import`: .docx/.txt/.vtt/.srt (and .md in another encoding) into interviews/; .qdpx/.qdc from REFI-QDA tools."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from grondmotief.cli.common import StudyOpt, open_study
from grondmotief.cli.console import info
from grondmotief.errors import GrondmotiefError, ImportFailed

ORDER = 30


def register(app: typer.Typer) -> None:
    app.command("import")(import_files)


def _attributes(pairs: list[str] | None) -> dict[str, str | int | float | bool | None]:
    out: dict[str, str | int | float | bool | None] = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise typer.BadParameter(f"'{pair}' is not key=value", param_hint="--attribute")
        key, value = pair.split("=", 1)
        out[key.strip()] = int(value) if value.strip().isdigit() else value.strip()
    return out


def import_files(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE...",
            help="Files to import: .docx .txt .vtt .srt .md, or REFI-QDA .qdpx/.qdc.",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    study: StudyOpt = None,
    id: Annotated[
        str | None, typer.Option("--id", help="Transcript id (one file only; default: from the file name).")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="Transcript title.")] = None,
    attribute: Annotated[
        list[str] | None, typer.Option("--attribute", "-a", help="Case attribute key=value (repeatable).")
    ] = None,
    interviewed: Annotated[str | None, typer.Option("--date", help="Interview date, YYYY-MM-DD.")] = None,
    interviewer: Annotated[
        str | None,
        typer.Option(
            "--interviewer",
            help="The source's name for the interviewer "
            "(default: a speaker called Interviewer/I/Onderzoeker, else the first).",
        ),
    ] = None,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="Source encoding, e.g. latin-1 or cp1252 (default: UTF-8).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing transcript with the same id.")] = False,
) -> None:
    """Import transcripts into interviews/ (and REFI-QDA projects or codebooks into the study).

    Speaker names become labels (I = interviewer; R, R2, … = respondents) and are not kept.
    Consecutive captions of one speaker are merged into one paragraph; timestamps are dropped.

    Example: grondmotief import gesprek.docx --id org15 -a organisation_type=volunteers-only -a sector=sport
    """
    from grondmotief.importers import ImportOptions, import_text_file

    if id and len(files) > 1:
        raise typer.BadParameter("--id needs exactly one file", param_hint="--id")
    try:
        when = date.fromisoformat(interviewed) if interviewed else None
    except ValueError:
        raise typer.BadParameter(f"'{interviewed}' is not a date like 2024-03-14", param_hint="--date") from None
    s = open_study(ctx, study)
    failures: list[str] = []
    for path in files:
        try:
            ext = path.suffix.lower()
            if ext in (".qdpx", ".qdc", ".qde"):
                from grondmotief.interop.refi_import import import_refi

                for note in import_refi(s, path, force=force):
                    info(note)
                continue
            opts = ImportOptions(
                id=id,
                title=title,
                attributes=_attributes(attribute),
                interviewed=when,
                interviewer=interviewer,
                encoding=encoding,
                force=force,
            )
            target, notes = import_text_file(s.interviews_dir, path, opts, str(path))
            for note in notes:
                info(f"{path}: {note}")
            info(f"{path} → {s.rel(target)}")
        except ImportFailed as exc:
            failures.append(str(exc))
        except GrondmotiefError as exc:
            failures.append(str(exc))
    if failures:
        for f in failures:
            info(f"not imported: {f}")
        raise ImportFailed(f"{len(failures)} of {len(files)} file(s) not imported; nothing else was changed for them")
