"""`export`: the study for other tools: REFI-QDA project or codebook, CSV or JSON of the decisions."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from grondmotief.cli.common import CodersOpt, StudyOpt, open_study
from grondmotief.cli.console import info, warn

ORDER = 70


class ExportFormat(str, Enum):
    qdpx = "qdpx"
    qdc = "qdc"
    csv = "csv"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command("export")(export)


def export(
    ctx: typer.Context,
    fmt: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="qdpx (REFI-QDA project), qdc (REFI-QDA codebook), csv or json (one row per coding); "
            "default: from the --output extension, else qdpx.",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="File to write (csv/json: default stdout).", dir_okay=False, show_default=False
        ),
    ] = None,
    study: StudyOpt = None,
    coder: CodersOpt = None,
    validate: Annotated[
        bool, typer.Option("--validate", help="Check the XML against the REFI-QDA schema before writing.")
    ] = False,
    excel: Annotated[
        bool, typer.Option("--excel", help="CSV for Excel: UTF-8 with BOM, CRLF, formula-like cells defused.")
    ] = False,
    accepted_only: Annotated[
        bool, typer.Option("--accepted-only", help="CSV/JSON: leave out rejected decisions.")
    ] = False,
    allow_flagged: Annotated[
        bool, typer.Option("--allow-flagged", help="CSV/JSON: keep quotes the personal-data scan flags.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace the --output file if it exists (never a file of the study's sources)."),
    ] = False,
    name: Annotated[
        str | None,
        typer.Option(
            "--name", help="Project name in the .qdpx (default: the study folder's name).", show_default=False
        ),
    ] = None,
) -> None:
    """Export the study for ATLAS.ti, NVivo, MAXQDA, QualCoder (REFI-QDA), spreadsheets and R.

    qdpx: codebook, transcripts (as plain text with speaker labels), cases with attributes, coders
    and their accepted decisions as coded selections, memos as notes. qdc: the codebook only.
    csv/json: one row per decision with citation id, code, label, group, coder, decision, source,
    score, memo, quote and the case attributes as columns. The same study always gives
    byte-identical files. --output never writes into codings/, interviews/, codebooks/,
    templates/, a hidden folder or grondmotief.yaml, and never replaces an existing file without
    --force.

    Example: grondmotief export --format qdpx --output studie.qdpx --validate
    """
    s = open_study(ctx, study)
    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output is not None else ""
        fmt = ExportFormat(suffix) if suffix in ExportFormat.__members__ else ExportFormat.qdpx
    from grondmotief.cli.analysis_args import require_coders

    coders = require_coders(s, coder)
    if output is not None:
        s.export_target(output, force=force)  # refused before any work, so nothing is half-written
    if fmt in (ExportFormat.qdpx, ExportFormat.qdc):
        if output is None:
            raise typer.BadParameter(
                f"{fmt.value} is a file format; name the file with --output", param_hint="--output"
            )
        from grondmotief.interop import refi_export

        if fmt == ExportFormat.qdpx:
            notes = refi_export.export_qdpx(s, output, coders=coders, name=name, validate=validate)
        else:
            notes = refi_export.export_qdc(s, output, validate=validate)
        for note in notes:
            warn(note)
        info(f"wrote {output}" + (" (valid against the REFI-QDA schema)" if validate else ""))
        return
    from grondmotief.interop import tabular

    rows, attr_cols = tabular.decision_rows(s, coders, accepted_only=accepted_only)
    for w in [] if allow_flagged else tabular.withhold_flagged(s, rows):
        warn(
            f"{w.id}: quote left empty in the export: may contain personal data ({w.kinds}); anonymise the "
            "transcript, list a false positive under privacy.allowed_names, or pass --allow-flagged"
        )
    text = tabular.to_csv(rows, attr_cols, excel=excel) if fmt == ExportFormat.csv else tabular.to_json(rows, attr_cols)
    if output is None:
        sys.stdout.write(text)
    else:
        from grondmotief.core.fileio import atomic_write_bytes

        atomic_write_bytes(output, text.encode("utf-8"))
        info(f"wrote {len(rows)} row(s) to {output}")
