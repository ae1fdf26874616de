"""`codebook rename|merge|move|split`: refactor the codebook in place, every coder's decisions following."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from grondmotief.cli.cmd_codebook import codebook_app
from grondmotief.cli.common import StudyOpt, check_format, open_study
from grondmotief.cli.console import info, warn
from grondmotief.cli.output import Column, Fmt, emit

if TYPE_CHECKING:
    from grondmotief.study.folder import Study
    from grondmotief.study.refactor import Refactor

ORDER = 21

DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Show the diff of every file that would change; change nothing.")
]
FmtOpt = Annotated[Fmt, typer.Option("--format", "-f", help="table|json|md|csv.", case_sensitive=False)]


def register(app: typer.Typer) -> None:
    """The commands hang off `codebook_app` (cmd_codebook registers it)."""


def _run(study: Study, make_plan: Callable[[], Refactor], dry_run: bool, fmt: Fmt) -> None:
    from grondmotief.study.refactor import apply

    check_format(fmt, Fmt.table, Fmt.json, Fmt.md, Fmt.csv)
    plan = make_plan() if dry_run else apply(study, make_plan)
    if fmt == Fmt.json:
        data = {**plan.to_json(), "dry_run": dry_run}
        if dry_run:
            data["diff"] = plan.diff()
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        if dry_run:
            sys.stdout.write(plan.diff())
        else:
            emit(
                [c.row() for c in plan.coders],
                [
                    Column("coder"),
                    Column("file"),
                    Column("rewritten", justify="right"),
                    Column("combined", justify="right"),
                    Column("memos_kept", "memos kept", justify="right"),
                    Column("on_code", "on code", justify="right"),
                ],
                fmt,
            )
    for note in plan.notes:
        warn(note) if "mention" in note or "dropped" in note else info(note)
    if plan.passages is not None and plan.passages[2] != plan.passages[3]:
        info(f"{plan.passages[1]}: the example passages follow the codebook")
    changed = len(plan.changes())
    verb = "would change" if dry_run else "changed"
    per_coder = "; ".join(
        f"{c.coder}: {c.rewritten} rewritten, {c.combined} combined" for c in plan.coders if c.old != c.new
    )
    info(
        f"{plan.description}: {verb} {changed} file(s)"
        + (f" ({per_coder})" if per_coder else "; no decision needed rewriting")
        + ("" if not dry_run else ". Nothing was written (--dry-run).")
    )


@codebook_app.command("rename")
def rename(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(metavar="OLD", help="The code's current id.")],
    new: Annotated[str, typer.Argument(metavar="NEW", help="Its new id.")],
    study: StudyOpt = None,
    dry_run: DryRunOpt = False,
    fmt: FmtOpt = Fmt.table,
) -> None:
    """Rename a code: its id in the codebook and in every coder's decisions, all at once.

    The codebook file is edited in place (comments, order and layout kept). Text that still
    mentions the old id (criteria such as "codeer OLD", templates) is listed for you to check.

    Example: grondmotief codebook rename access ingang --dry-run
    """
    from grondmotief.study.refactor import plan_rename

    s = open_study(ctx, study)
    _run(s, lambda: plan_rename(s, old, new), dry_run, fmt)


@codebook_app.command("merge")
def merge(
    ctx: typer.Context,
    codes: Annotated[list[str], typer.Argument(metavar="CODE", help="The codes to merge (may include the target).")],
    into: Annotated[str, typer.Option("--into", metavar="CODE", help="The code they become (it stays).")],
    study: StudyOpt = None,
    dry_run: DryRunOpt = False,
    fmt: FmtOpt = Fmt.table,
) -> None:
    """Merge codes into one: their decisions, keywords, include criteria and examples move to it.

    Where a coder decided on both codes for one passage the decisions become one: accepted wins
    over rejected, and the other's memo is appended. Children of a merged code become children
    of the target. The merged codes' definitions and exclude criteria are dropped (the summary
    says which). Codes must be in one group.

    Example: grondmotief codebook merge equality love --into love
    """
    from grondmotief.study.refactor import plan_merge

    s = open_study(ctx, study)
    _run(s, lambda: plan_merge(s, codes, into), dry_run, fmt)


@codebook_app.command("move")
def move(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="CODE", help="The code to move (with its children).")],
    parent: Annotated[
        str | None, typer.Option("--parent", metavar="CODE", help="Its new parent.", show_default=False)
    ] = None,
    top: Annotated[bool, typer.Option("--top", help="Make it a top-level code (see --group).")] = False,
    group: Annotated[
        str | None,
        typer.Option(
            "--group", metavar="GROUP", help="With --top: its group (default: the one it is in).", show_default=False
        ),
    ] = None,
    study: StudyOpt = None,
    dry_run: DryRunOpt = False,
    fmt: FmtOpt = Fmt.table,
) -> None:
    """Move a code under another parent, or to the top level; decisions keep their code.

    Tallies roll decisions up the new hierarchy. The code's lines move as they are
    (comments included), re-indented; its `group:` follows the new place.

    Example: grondmotief codebook move permits --parent legitimacy
    """
    from grondmotief.study.refactor import plan_move

    s = open_study(ctx, study)
    if (parent is None) == (not top):
        raise typer.BadParameter("give either --parent CODE or --top", param_hint="--parent")
    if group is not None and not top:
        raise typer.BadParameter("--group goes with --top (a child is in its parent's group)", param_hint="--group")
    _run(s, lambda: plan_move(s, code, parent, group), dry_run, fmt)


@codebook_app.command("split")
def split(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="CODE", help="The code to split.")],
    into: Annotated[
        str, typer.Option("--into", metavar="CODES", help="New code ids, separated by commas (e.g. grants,loans).")
    ],
    labels: Annotated[
        str | None,
        typer.Option(
            "--labels", metavar="LABELS", help="Their labels, in order (default: the ids).", show_default=False
        ),
    ] = None,
    study: StudyOpt = None,
    dry_run: DryRunOpt = False,
    fmt: FmtOpt = Fmt.table,
) -> None:
    """Split a code: add new codes as its children; its decisions stay on it until re-decided.

    The review loop offers the code's passages again with `grondmotief code --code CODE`, where
    each can be given one of the new codes. Fill in the new codes' definitions and keywords in
    the codebook file.

    Example: grondmotief codebook split care --into wmo,wijkteam --labels "Wmo,Wijkteam"
    """
    from grondmotief.study.refactor import plan_split

    new = [x.strip() for x in into.split(",") if x.strip()]
    names = [x.strip() for x in labels.split(",")] if labels is not None else None
    s = open_study(ctx, study)
    _run(s, lambda: plan_split(s, code, new, names), dry_run, fmt)
