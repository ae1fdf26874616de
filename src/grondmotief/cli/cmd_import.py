"""`import`: .docx/.txt/.vtt/.srt (and .md in another encoding) into interviews/; .qdpx/.qdc from REFI-QDA tools."""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from grondmotief.cli.common import StudyOpt, open_study
from grondmotief.cli.console import info
from grondmotief.core.errors import GrondmotiefError, ImportFailed, StudyNotFound
from grondmotief.core.fileio import emptiness

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
        str | None,
        typer.Option(
            "--encoding", help="Source encoding, e.g. cp1252 (what Windows and Word write) or latin-1 (default: UTF-8)."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing transcript with the same id.")] = False,
    show_names: Annotated[
        bool,
        typer.Option(
            "--show-names", help="Print the source's speaker names beside their labels (default: roles and counts)."
        ),
    ] = False,
) -> None:
    """Import transcripts into interviews/ (and REFI-QDA projects or codebooks into the study).

    Speaker names become labels (I = interviewer; R, R2, … = respondents) and are not kept, nor
    printed: output gives each label's role and number of turns (--show-names adds the names). A
    `Word:` at a line start is a speaker only when a few such labels recur as turns, otherwise it
    stays text. Text before the first speaker label is labelled N (a note, not coded). Without
    speakers, each paragraph of the source (blank-line separated, or each line when there are no
    blank lines) becomes an R paragraph. Consecutive captions of one speaker are merged into one
    paragraph; timestamps are dropped (and counted).

    A .qdpx/.qdc into a --study folder that does not exist yet (or is empty) creates the study
    there, with settings only and the project's codes as its codebook. A summary on stderr says
    what came in, what did not, and how many passages the personal-data screen flags.

    Example: grondmotief import gesprek.docx --id org15 -a organisation_type=volunteers-only -a sector=sport
    """
    if id and len(files) > 1:
        raise typer.BadParameter("--id needs exactly one file", param_hint="--id")
    try:
        when = date.fromisoformat(interviewed) if interviewed else None
    except ValueError:
        raise typer.BadParameter(f"'{interviewed}' is not a date like 2024-03-14", param_hint="--date") from None
    created = _new_study(ctx, study, files)
    try:
        s = open_study(ctx, study)
        failures = _import_all(s, files, id, title, attribute, when, interviewer, encoding, force, show_names)
    except BaseException:
        if created is not None:
            _remove_new_study(*created)  # nothing half-written: the study we made for this import goes too
        raise
    if failures and created is not None and not any((created[0] / "interviews").iterdir()):
        _remove_new_study(*created)
    if failures:
        for f in failures:
            info(f"not imported: {f}")
        raise ImportFailed(f"{len(failures)} of {len(files)} file(s) not imported; nothing else was changed for them")


REFI_EXTENSIONS = (".qdpx", ".qdc", ".qde")


def _new_study(ctx: typer.Context, study: Path | None, files: list[Path]) -> tuple[Path, bool] | None:
    """`import PROJECT.qdpx --study NEWDIR`: make NEWDIR an empty study first (folder, was it new).

    Only for REFI-QDA files (they bring the codebook) and only when the folder is missing or empty;
    a folder with other files in it is not taken over.
    """
    from grondmotief.interop.refi_common import slugify
    from grondmotief.study.scaffold import init_study

    chosen = study or ((ctx.find_root().obj or {}).get("study") if ctx else None)
    if chosen is None:
        return None
    chosen = Path(chosen)
    if chosen.exists() and (not chosen.is_dir() or any(p for p in chosen.iterdir() if not p.name.startswith("."))):
        return None  # an existing study (or not one; open_study says so)
    if not all(p.suffix.lower() in REFI_EXTENSIONS for p in files):
        raise StudyNotFound(  # the --study named is no study: a usage error, as for every command
            f"{chosen} is not a study yet; create one first with `grondmotief init --empty {chosen}` "
            "(or import a .qdpx/.qdc project into it, which creates the study)"
        )
    was_new = not chosen.exists()
    name = slugify(files[0].stem, fallback="codebook", max_len=60)
    init_study(chosen, empty=True, codebook=name)
    info(f"created an empty study in {chosen} (codebook: codebooks/{name}.yaml)")
    return chosen, was_new


def _remove_new_study(folder: Path, was_new: bool) -> None:
    import shutil

    if was_new:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for name in ("grondmotief.yaml", ".gitignore", "templates/README.txt"):
        (folder / name).unlink(missing_ok=True)
    for sub in ("templates", "codebooks", "interviews", "codings", "chapters"):
        with contextlib.suppress(OSError):  # only removed when still empty
            (folder / sub).rmdir()


def _import_all(
    s,
    files: list[Path],
    id: str | None,
    title: str | None,
    attribute: list[str] | None,
    when: date | None,
    interviewer: str | None,
    encoding: str | None,
    force: bool,
    show_names: bool = False,
) -> list[str]:
    from grondmotief.interop.importers import ImportOptions, import_text_file

    failures: list[str] = []
    for path in files:
        try:
            # Said first, for every format: an empty .docx is not "not a zip archive".
            if path.stat().st_size < 65536 and (why := emptiness(path.read_bytes())):
                raise ImportFailed(f"{path}: {why}; nothing to import")
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
                show_names=show_names,
            )
            target, notes = import_text_file(s.interviews_dir, path, opts, str(path))
            for note in notes:
                info(f"{path}: {note}")
            info(f"{path} → {s.rel(target)}")
        except ImportFailed as exc:
            failures.append(str(exc))
        except GrondmotiefError as exc:
            failures.append(str(exc))
    return failures
