"""`find QUERY`: keyword in context over the study's coded passages, Dutch-aware."""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Annotated

import typer

from grondmotief.cli.analysis_args import QuoteFormat, require_coders, require_transcripts, warn_orphans
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
from grondmotief.cli.console import info, warn
from grondmotief.cli.output import Column, Fmt, emit
from grondmotief.core.errors import UsageProblem

ORDER = 56


class SpanChoice(str, Enum):
    passage = "passage"
    sentence = "sentence"


def register(app: typer.Typer) -> None:
    app.command("find")(find)


def find(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help='Words, stem*, "a phrase" (all must occur in a passage).')],
    study: StudyOpt = None,
    theme: ThemeOpt = None,
    motive: MotiveOpt = None,
    code: CodeOpt = None,
    where: WhereOpt = None,
    uncoded: Annotated[
        bool, typer.Option("--uncoded", help="Only passages no chosen coder has accepted a code on.")
    ] = False,
    transcript: TranscriptOpt = None,
    coder: CodersOpt = None,
    exact: Annotated[
        bool, typer.Option("--exact", help="Only the word forms as typed (no lemmas, compounds, split verbs).")
    ] = False,
    regex: Annotated[
        bool, typer.Option("--regex", help="QUERY is a regular expression (Python, case-insensitive).")
    ] = False,
    width: Annotated[int, typer.Option("--width", min=5, max=500, help="Characters of context either side.")] = 40,
    count: Annotated[
        bool, typer.Option("--count", help="Matches and passages per transcript instead of lines.")
    ] = False,
    allow_flagged: Annotated[
        bool, typer.Option("--allow-flagged", help="Also show passages the personal-data scan flags.")
    ] = False,
    code_as: Annotated[
        str | None,
        typer.Option(
            "--code-as",
            help="Record an accepted decision of this code on every passage with a match (needs --coder NAME).",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="With --code-as: list the decisions, write nothing.")
    ] = False,
    span: Annotated[
        SpanChoice,
        typer.Option(
            "--span", help="With --code-as: the whole passage, or the matching sentence(s).", case_sensitive=False
        ),
    ] = SpanChoice.passage,
    chosen_format: Annotated[
        QuoteFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="Output format (default: text; md, json, csv).",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
) -> None:
    """Every match of QUERY in the coded passages, with its citation id, attribution and context.

    Dutch-aware like codebook keywords: a word finds its lemma forms (wachtlijst finds
    "wachtlijsten"), compounds it heads and a separable verb's split forms (meedenken finds "dacht
    echt mee"); stem* finds words starting with it; "a phrase" its words in order. Several terms
    must all occur in a passage. --exact matches the typed forms only; --regex a regular
    expression. The filters are those of `quote` (--theme, --motive, --code combine as AND);
    --uncoded searches the passages without an accepted code. Passages the personal-data scan
    flags are withheld with a warning, as quotes are. Warm searches read the suggest cache only.

    --code-as CODE --coder NAME records an accepted decision of CODE for NAME on every passage with
    a match (source `search:QUERY`, through the same store as `grondmotief code`; --span sentence
    narrows it to the matching sentences). Passages where NAME already decided CODE, or marked
    "nothing applies", are left alone. Try --dry-run first; undo one by deciding again.

    Example: grondmotief find meedenken --where organisation_type=volunteers-only
    """
    from grondmotief.report.quotes import parse_where
    from grondmotief.search.find import Selection, counts
    from grondmotief.search.find import find as run_find
    from grondmotief.search.query import parse_query

    fmt = Fmt((chosen_format or QuoteFormat.text).value)
    s = open_study(ctx, study, quick=code_as is None)  # --code-as writes: validate everything
    q = parse_query(query, exact=exact, regex=regex)
    codes = code_filter(s, theme, motive, code)
    if uncoded and codes:
        raise UsageProblem(
            "--uncoded searches passages without codes; it cannot be combined with --code/--theme/--motive"
        )
    require_transcripts(s, transcript)
    coders: list[str] | None
    if code_as is not None:
        code_as = s.codebook.resolve(code_as, option="--code-as")
        coders = [_one_coder(coder)]
    else:
        if dry_run:
            raise UsageProblem("--dry-run goes with --code-as")
        coders = require_coders(s, coder)
    selection = Selection(codes, parse_where(where, s), transcript, coders, uncoded)
    # Coding from a search decides on every match; only what is printed is screened.
    found = run_find(s, q, selection, width=width, allow_flagged=allow_flagged or code_as is not None)
    if code_as is not None:
        _code_as(s, _one_coder(coder), code_as, query, found, span.value, dry_run, fmt)
        warn_orphans(found.orphaned)
        return
    if count:
        rows = counts(found.hits)
        emit(
            rows,
            [Column("transcript"), Column("matches", justify="right"), Column("passages", justify="right")],
            Fmt.table if fmt == Fmt.text else fmt,  # a table for people, the rest for scripts
        )
    elif fmt == Fmt.text:
        sys.stdout.write(_text(found.hits, width))
    elif fmt == Fmt.md:
        sys.stdout.write(_md(found.hits))
    else:
        cols = [
            Column(k)
            for k in ("id", "transcript", "paragraph", "attribution", "start", "end", "left", "match", "right", "kind")
        ]
        emit([h.as_dict() for h in found.hits], cols, fmt)
    for seg_id, kinds in found.withheld:
        warn(
            f"{seg_id} withheld: may contain personal data ({kinds}); anonymise the transcript, list a false "
            "positive under privacy.allowed_names, or pass --allow-flagged"
        )
    n_pass = len({h.id for h in found.hits})
    info(f"{len(found.hits)} match(es) in {n_pass} of {found.passages} passage(s) searched")
    warn_orphans(found.orphaned)


def _one_coder(coder: str | None) -> str:
    from grondmotief.study.codings import CODER_NAME

    if not coder or "," in coder:
        raise UsageProblem("--code-as needs the one coder who decides: --coder NAME")
    if not CODER_NAME.fullmatch(coder):
        raise UsageProblem(f"--coder '{coder}': a coder name is letters, digits, '-' and '_'")
    return coder


def _code_as(s: object, coder: str, code: str, query: str, found: object, span: str, dry_run: bool, fmt: Fmt) -> None:
    """Plan the decisions, show them (ids and spans only: never passage text), record unless dry."""
    from grondmotief.review.search_coding import plan_search_coding, record_search_coding

    plan = plan_search_coding(s, coder, code, query, found.hits, span)  # type: ignore[arg-type, attr-defined]
    rows = [
        {"id": d.segment, "code": d.code, "span": list(d.span) if d.span else None, "source": d.source}
        for d in plan.decisions
    ]
    cols = [Column("id"), Column("code"), Column("span"), Column("source")]
    emit(rows, cols, Fmt.table if fmt == Fmt.text else fmt)
    if not dry_run:
        record_search_coding(s, coder, plan)  # type: ignore[arg-type]
    verb = "would record" if dry_run else "recorded"
    info(
        f"{verb} {len(plan.decisions)} decision(s) of {plan.decisions[0].code if plan.decisions else code} "
        f"for {coder}"
        + ("" if dry_run else f" in codings/{coder}.jsonl")
        + (f"; left alone: {len(plan.already)} already decided" if plan.already else "")
        + (f", {len(plan.nothing)} marked nothing applies" if plan.nothing else "")
    )


def _highlight() -> tuple[str, str]:
    """ANSI bold for the match on a terminal, nothing with NO_COLOR or into a pipe."""
    if sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb":
        return "\x1b[1;4m", "\x1b[0m"
    return "", ""


def _text(hits: list, width: int) -> str:
    """One line per match, the matches aligned in one column (the left context right-justified)."""
    on, off = _highlight()
    idw = max((len(h.id) for h in hits), default=0)
    lw = width + 1  # "…" plus the context
    return "".join(f"{h.id:<{idw}}  {clean(h.left):>{lw}}{on}{clean(h.match)}{off}{clean(h.right)}\n" for h in hits)


def clean(text: str) -> str:
    """Invisible controls out (mdsafe.clean), the space that separates context from match kept."""
    from grondmotief.privacy.mdsafe import clean as squash

    inner = squash(text)
    return (" " if text[:1].isspace() else "") + inner + (" " if inner and text[-1:].isspace() else "")


def _md(hits: list) -> str:
    """A Markdown list: citation id and attribution, the context with the match in bold."""
    from grondmotief.privacy.mdsafe import escape_inline as esc

    def escape_inline(text: str) -> str:
        return (" " if text[:1].isspace() else "") + esc(text.strip()) + (" " if text[-1:].isspace() else "")

    out = []
    for h in hits:
        who = f" ({escape_inline(h.attribution)})" if h.attribution else ""
        out.append(
            f"- **{escape_inline(h.id)}**{who}: {escape_inline(h.left)}**{escape_inline(h.match)}**{escape_inline(h.right)}"
        )
    return "\n".join(out) + ("\n" if out else "")
