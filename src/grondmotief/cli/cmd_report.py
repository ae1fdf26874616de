"""`report`: render the chapter templates into chapters/; `--check` for CI."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from grondmotief.cli.analysis_args import require_coders, warn_orphans
from grondmotief.cli.common import CodersOpt, StudyOpt, open_study
from grondmotief.cli.console import info, warn

ORDER = 80


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
    ctx: typer.Context,
    study: StudyOpt = None,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 and show which chapters would change.")
    ] = False,
    coder: CodersOpt = None,
    allow_flagged: Annotated[
        bool, typer.Option("--allow-flagged", help="Also print quotes the personal-data scan flags.")
    ] = False,
    list_templates: Annotated[
        bool, typer.Option("--list-templates", help="List the chapter templates and where each comes from.")
    ] = False,
    eject: Annotated[
        str | None,
        typer.Option(
            "--eject",
            help="Copy a packaged template (e.g. 02-grondmotieven.md.j2) into templates/ to edit it.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Render templates/*.md.j2 (or the packaged defaults) into chapters/, byte for byte reproducibly.

    Study templates override packaged ones of the same name. Chapters are written atomically, only
    when they change, and nothing in chapters/ is ever deleted. Quotes flagged by the personal-data
    scan are left out with a warning. --check renders in memory and exits 1, naming each stale
    chapter with a short diff, when chapters/ differs from what the study renders (for CI).

    Example: grondmotief report --check
    """
    from grondmotief.report.render import changes, is_packaged_source, render_report, template_sources, write_report

    # Reads the study's sources only. A refused template leaves nothing written, not even the
    # quick-start cache: that is saved once the chapters are written or compared.
    s = open_study(ctx, study, quick=True, save_quick=False)
    if list_templates:
        # In grondmotief's own checkout the study's templates/ is where the packaged defaults come from.
        own = " (the packaged default: this study is grondmotief's source tree)" if is_packaged_source(s) else ""
        for src in template_sources(s):
            typer.echo(f"{src.name}\t{src.label}{own if src.label.startswith('templates/') else ''}")
        return
    if eject:
        _eject(s, eject)
        return
    rendered = render_report(s, require_coders(s, coder), allow_flagged=allow_flagged)
    for w in rendered.withheld:
        warn(
            f"{w.id} withheld from the chapters: may contain personal data ({w.kinds}); anonymise it, list a false "
            "positive under privacy.allowed_names, or pass --allow-flagged"
        )
    if check:
        stale = changes(s, rendered)
        s.save_quick_cache()
        for ch in stale:
            info(f"stale: {ch.path} ({'missing' if ch.status == 'new' else 'would change'})")
            if ch.diff:
                sys.stdout.write(ch.diff + "\n")
        if stale:
            info(f"{len(stale)} file(s) out of date; run `grondmotief report` and commit chapters/")
        if rendered.orphaned:
            # Up to date or not, chapters built without these decisions would count and quote too little.
            info(
                f"incomplete data: {rendered.orphaned} accepted decision(s) no longer match their passage, so the "
                "chapters would leave them out; run `grondmotief check` and fix them"
            )
        if stale or rendered.orphaned:
            raise typer.Exit(1)
        info(f"chapters up to date ({len(rendered.files)} file(s))")
        return
    warn_orphans(rendered.orphaned)
    written = write_report(s, rendered)
    s.save_quick_cache()
    for ch in written:
        info(f"wrote {ch.path}")
    info(f"{len(rendered.files)} file(s) in {s.rel(s.chapters_dir)}/, {len(written)} changed")


def _eject(s: object, name: str) -> None:
    from grondmotief.core.errors import UsageProblem
    from grondmotief.core.fileio import atomic_write_text
    from grondmotief.report.render import packaged_templates_dir

    study = s  # a Study
    src = packaged_templates_dir() / name
    if "/" in name or "\\" in name or not src.is_file():
        have = ", ".join(sorted(p.name for p in packaged_templates_dir().glob("*.j2")))
        raise UsageProblem(f"no packaged template '{name}' (have: {have})")
    dest = study.templates_dir / name  # type: ignore[attr-defined]
    if dest.exists():
        raise UsageProblem(f"{study.rel(dest)} exists already; edit it there")  # type: ignore[attr-defined]
    atomic_write_text(dest, src.read_text(encoding="utf-8"))
    info(f"wrote {study.rel(dest)}")  # type: ignore[attr-defined]
