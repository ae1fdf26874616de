"""`code` (the review loop, or batch mode) and `status` (progress per coder and transcript)."""

from __future__ import annotations

import sys
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from grondmotief.cli.common import (
    CodeOpt,
    CoderOpt,
    MotiveOpt,
    StudyOpt,
    ThemeOpt,
    TranscriptOpt,
    code_filter,
    open_study,
)
from grondmotief.cli.console import err, info, warn
from grondmotief.cli.output import Column, Fmt, emit
from grondmotief.study.folder import Study  # already loaded by cli.common; the heavy parts are imported lazily

if TYPE_CHECKING:
    from grondmotief.review.suggestions import SuggestionFeed
    from grondmotief.study.transcripts import Segment

ORDER = 40


class StatusFormat(str, Enum):
    """The formats `status` writes (its own set, so help and errors list only these)."""

    table = "table"
    json = "json"
    csv = "csv"
    md = "md"


def register(app: typer.Typer) -> None:
    app.command("code")(code)
    app.command("status")(status)


def _usage(message: str) -> typer.Exit:
    err.print(f"Error: {message}", markup=False, style="red")
    return typer.Exit(2)


def code(
    ctx: typer.Context,
    study: StudyOpt = None,
    coder: CoderOpt = None,
    transcript: TranscriptOpt = None,
    theme: ThemeOpt = None,
    motive: MotiveOpt = None,
    codes: CodeOpt = None,
    uncoded: Annotated[bool, typer.Option("--uncoded", help="Only passages you have not decided on yet.")] = False,
    suggestions: Annotated[
        bool, typer.Option("--suggestions/--no-suggestions", help="Show suggested codes (computed in the background).")
    ] = True,
    accept_above: Annotated[
        float | None,
        typer.Option(
            "--accept-above",
            min=0.0,
            max=1.0,
            show_default=False,
            help="Batch mode, no terminal needed: record every suggestion "
            "scoring at least this as accepted (source and score kept).",
        ),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Batch mode: record without asking.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Batch mode: print the decisions as JSON Lines, record nothing.")
    ] = False,
    read_only: Annotated[
        bool,
        typer.Option(
            "--read-only",
            help="Browse passages and decisions without recording anything "
            "(works while the same coder codes in another terminal).",
        ),
    ] = False,
) -> None:
    """Review passages one at a time: accept, reject or add codes, write memos, undo.

    Single keys, no Enter: a accept, A all, r reject, x nothing applies, c add code, d definition, s quote sentences, m memo, u undo, U redo, n/p next/back, g go to, f find, v context, ? help, q quit.

    Every decision is on disk the moment you make it; running `code` again resumes at the first passage without one. One session per coder and study: a second terminal is refused (use --read-only there). Without --coder or a `coder` setting, the first start asks your name and remembers it for this study (in .grondmotief/, never committed). Batch mode (--accept-above) needs no terminal.

    Example: grondmotief code --coder anna --theme subsidies
    """
    from grondmotief.review import coder as coders

    s = open_study(ctx, study)
    interactive = accept_above is None and sys.stdin.isatty() and sys.stdout.isatty()
    name = coders.configured(s, coder) or coders.remembered(s)
    if name is None:
        name = _ask_coder(s) if interactive and not (yes or dry_run) else s.default_coder()
    s.store(name)  # validates the coder name
    new_coder = s.new_coder_note(name)  # a typo would start a second codings file
    tids = _transcripts(s, transcript)
    chosen = _codes(s, theme, motive, codes)

    if accept_above is not None:
        if read_only:
            raise _usage("--read-only browses in the terminal; batch mode (--accept-above) records")
        if new_coder:
            warn(new_coder)
        _batch(s, name, accept_above, tids, chosen, yes=yes, dry_run=dry_run)
        return
    if yes or dry_run:
        raise _usage("--yes and --dry-run belong to batch mode: add --accept-above SCORE")
    if not interactive:
        raise _usage(
            "`grondmotief code` needs a terminal to review passages. In scripts, record suggestions "
            "with `--accept-above SCORE --yes` (or preview them with --dry-run)."
        )
    _interactive(s, name, tids, chosen, uncoded=uncoded, suggestions=suggestions, read_only=read_only, note=new_coder)


def _ask_coder(s: Study) -> str:
    """First interactive start with no coder named anywhere: ask, rather than take $USER silently."""
    from grondmotief.review import coder as coders

    guess = s.default_coder()
    known = s.coders()
    err.print(
        "Who is coding? Your decisions go to codings/<name>.jsonl; each coder has their own file."
        + (f" Coders in this study: {', '.join(known)}." if known else ""),
        markup=False,
    )
    for _ in range(3):
        name = typer.prompt("Your coder name", default=guess, err=True).strip()
        if coders.valid(name):
            coders.remember(s, name)
            info(
                f"You code as {name} in this study (remembered in .grondmotief/coder, not committed; --coder overrides)."
            )
            return name
        err.print(f"'{name}': use letters, digits, '.', '-' or '_' (e.g. anna or a.devries).", markup=False)
    raise _usage("no valid coder name given; pass --coder NAME")


def _transcripts(s: Study, transcript: list[str] | None) -> list[str]:
    if transcript:
        return [s.transcript(t, "--transcript").id for t in transcript]
    return sorted(s.transcripts)


def _codes(s: Study, theme: list[str] | None, motive: list[str] | None, codes: list[str] | None) -> list[str] | None:
    asked = code_filter(s, theme, motive, codes)
    if not asked:
        return None
    out: list[str] = []
    for cid in asked:
        for c in (cid, *s.codebook.descendants(cid)):
            if c not in out:
                out.append(c)
    return out


def _batch(
    s: Study, coder: str, threshold: float, tids: list[str], codes: list[str] | None, *, yes: bool, dry_run: bool
) -> None:
    from grondmotief.review.batch import plan_batch, record_batch

    plan = plan_batch(s, coder, threshold, transcripts=tids, codes=codes)
    summary = (
        f"{len(plan.decisions)} suggestion(s) scoring at least {threshold:g} in {plan.passages} passage(s) "
        f"({plan.below} below, {plan.already} already decided by {coder})"
    )
    if dry_run:
        for d in plan.decisions:
            sys.stdout.write(d.to_line() + "\n")
        info(f"Dry run: would record {summary}; nothing written.")
        return
    if not yes:
        if not sys.stdin.isatty():
            raise _usage(f"batch mode would record {summary}; add --yes to record them (or --dry-run to see them)")
        if not typer.confirm(f"Record {summary} for {coder}?", default=False, err=True):
            info("Nothing recorded.")
            return
    n = record_batch(s, coder, plan)
    info(f"Recorded {n} decision(s) in codings/{coder}.jsonl: {summary}.")


def _interactive(
    s: Study,
    coder: str,
    tids: list[str],
    codes: list[str] | None,
    *,
    uncoded: bool,
    suggestions: bool,
    read_only: bool = False,
    note: str = "",
) -> None:
    from grondmotief.review.sessionlock import SessionLock

    if read_only:
        _loop(s, coder, tids, codes, uncoded=uncoded, suggestions=suggestions, read_only=True, note=note)
        return
    with SessionLock(s.cache_dir / "locks", coder):  # refuses a second session of this coder
        _loop(s, coder, tids, codes, uncoded=uncoded, suggestions=suggestions, read_only=False, note=note)


def _loop(
    s: Study,
    coder: str,
    tids: list[str],
    codes: list[str] | None,
    *,
    uncoded: bool,
    suggestions: bool,
    read_only: bool,
    note: str = "",
) -> None:
    """`note`: shown first in the loop (e.g. a coder name that looks like a typo; q quits)."""
    from grondmotief.cli.terminal import Terminal, TerminalClosed, screen_mode
    from grondmotief.review.session import ReviewSession, legacy_marks_path, migrate_marks
    from grondmotief.review.suggestions import SuggestionFeed

    legacy = legacy_marks_path(s, coder)
    moved = 0 if read_only else migrate_marks(s, coder)
    coder_note = f"{note} q quits." if note else ""
    note = f"Recorded {moved} 'nothing applies' mark(s) from {s.rel(legacy)} in codings/{coder}.jsonl." if moved else ""
    if note:
        info(note)
    note = coder_note or note
    wanted = set(tids)
    segments = [seg for seg in s.coded_segments() if seg.transcript in wanted]
    if uncoded:
        decided = {d.segment for d in s.store(coder).read().decisions}  # "nothing applies" included
        segments = [seg for seg in segments if seg.id not in decided]
    feed = SuggestionFeed(s, coder, tids, codes=codes, enabled=suggestions)
    if codes is not None:
        segments = _with_codes(s, coder, segments, codes, feed, suggestions)
    if not segments:
        info(
            "Nothing to code with these filters."
            if (uncoded or codes or len(tids) < len(s.transcripts))
            else "This study has no passages to code (no transcripts, or no turns of a coded role)."
        )
        return
    session = ReviewSession(s, coder, segments, feed=feed, codes=codes, read_only=read_only)
    if not feed.finished:
        feed.prefer(session.current.transcript)
        feed.start()
    from grondmotief.cli.review_tui import ReviewLoop

    try:
        with Terminal(screen_mode()) as term:
            feed.wake = term.wake
            loop = ReviewLoop(session, term)
            loop.ui.message = note or session.resume_note()
            outcome = loop.run()
    except TerminalClosed as exc:
        raise typer.Exit(exc.exit_code) from None
    p = session.progress()
    where = (
        f"; `grondmotief code --coder {coder}` resumes at {session.queue[session.resume_index()].id}" if p.todo else ""
    )
    saved = (
        "Read-only: nothing recorded"
        if read_only
        else f"{outcome.changes} change(s) saved in codings/{coder}.jsonl this session"
    )
    info(f"{saved}. {p.done} of {p.total} passages done{where}.")


def _with_codes(
    s: Study, coder: str, segments: list[Segment], codes: list[str], feed: SuggestionFeed, suggestions: bool
) -> list[Segment]:
    """With --theme/--motive/--code: the passages where one of those codes is suggested or decided."""
    decided = {d.segment for d in s.store(coder).read().decisions if d.code in codes}
    if suggestions:
        info(f"Finding passages for {', '.join(codes)}…")
        feed.start()
        feed.wait()
        if feed.error:
            info(f"Suggestions unavailable ({feed.error}); showing passages you already coded with these codes.")
    return [seg for seg in segments if seg.id in decided or (feed.get(seg) or [])]


def status(
    ctx: typer.Context,
    study: StudyOpt = None,
    coder: Annotated[
        str | None,
        typer.Option(
            "--coder",
            "-c",
            show_default=False,
            help="Whose progress: a coder, or several separated by commas (default: every coder with a codings file).",
        ),
    ] = None,
    transcript: TranscriptOpt = None,
    fmt_opt: Annotated[
        StatusFormat,
        typer.Option("--format", "-f", help="Output format: table, json, csv or md.", case_sensitive=False),
    ] = StatusFormat.table,
) -> None:
    """Progress per coder and transcript: passages decided of total, accepted and rejected, codes used.

    A passage counts as decided with any decision on it, "nothing applies" (x in `code`) included; the `nothing` column counts those.

    Table and md add a total row per coder (transcript `all`); json and csv list transcripts only. The table shows how many codes were used, the other formats list them.

    Example: grondmotief status --coder anna,ben --format md
    """
    from grondmotief.review.status import status_rows

    fmt = Fmt(fmt_opt.value)
    s = open_study(ctx, study)
    coders = [c.strip() for c in coder.split(",") if c.strip()] if coder else None
    rows = status_rows(s, coders, transcript)
    if fmt in (Fmt.json, Fmt.csv):
        rows = [r for r in rows if r["transcript"] != "all"]
    if fmt == Fmt.table:  # the list of codes would not fit a terminal; the other formats carry it
        rows = [{**r, "codes": len(r["codes"])} for r in rows]
    if not rows:
        info("No codings yet: start with `grondmotief code`.")
    cols = [
        Column("coder"),
        Column("transcript"),
        Column("decided", justify="right", short="done"),
        Column("total", justify="right"),
        Column("percent", "%", justify="right"),
        Column("accepted", justify="right", short="acc"),
        Column("rejected", justify="right", short="rej"),
        Column("nothing", justify="right", short="none"),
        Column("orphans", justify="right", short="orph"),
        Column("codes", justify="right" if fmt == Fmt.table else "left"),
    ]
    emit(rows, cols, fmt)
