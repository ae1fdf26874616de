"""`agree`: agreement between coders, the disagreements to talk through, and their reconciliation."""

from __future__ import annotations

import sys
import textwrap
from enum import Enum
from typing import Annotated, Any

import typer

from grondmotief.cli.common import CodeOpt, StudyOpt, TranscriptOpt, open_study
from grondmotief.cli.console import info, warn
from grondmotief.cli.output import Column, Fmt, emit

ORDER = 60


class AgreeFormat(str, Enum):
    """The formats `agree` writes (its own set, so help and errors list only these)."""

    table = "table"
    json = "json"
    csv = "csv"
    md = "md"


def register(app: typer.Typer) -> None:
    app.command("agree")(agree)


def _num(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _coders(study: Any, given: str | None, into: str | None) -> list[str]:
    from grondmotief.analysis.agreement import default_coders

    if given:
        from grondmotief.analysis.agreement import MACHINE

        names = [c.strip() for c in given.split(",") if c.strip()]
        for name in names:
            if name != MACHINE and name != into:
                study.require_coder(name, "--coders")
        return names
    chosen = default_coders(study, exclude=[into] if into else [])
    info(f"coders: {', '.join(chosen) or 'none'} (all with codings; pick with --coders a,b)")
    return chosen


def agree(
    ctx: typer.Context,
    study: StudyOpt = None,
    coders: Annotated[
        str | None,
        typer.Option(
            "--coders",
            "-c",
            help="Coders to compare, separated by commas; "
            "'machine' is the suggester (default: every coder with codings, "
            "except reconciled ones).",
            show_default=False,
        ),
    ] = None,
    code: CodeOpt = None,
    group: Annotated[
        str | None, typer.Option("--group", "-g", help="Only codes in this group (e.g. theme).", show_default=False)
    ] = None,
    transcript: TranscriptOpt = None,
    rollup: Annotated[
        bool, typer.Option("--rollup/--no-rollup", help="Count a child's acceptance for its parent codes too.")
    ] = False,
    show_disagreements: Annotated[
        bool, typer.Option("--disagreements", "-d", help="List the passages where coders differ.")
    ] = False,
    allow_flagged: Annotated[
        bool,
        typer.Option(
            "--allow-flagged", help="--disagreements: also print texts and memos the personal-data scan flags."
        ),
    ] = False,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            min=0.0,
            max=1.0,
            help="Score from which a machine suggestion counts as applied (default: settings suggest.threshold).",
            show_default=False,
        ),
    ] = None,
    reconcile: Annotated[
        bool, typer.Option("--reconcile", help="Settle the disagreements and record them as coder --into.")
    ] = False,
    into: Annotated[
        str | None, typer.Option("--into", help="Name of the reconciled coder, e.g. reconciled.", show_default=False)
    ] = None,
    policy: Annotated[
        str | None,
        typer.Option("--policy", help="Settle without asking: union, intersection or coder:NAME.", show_default=False),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (with --policy).")] = False,
    fmt_opt: Annotated[
        AgreeFormat,
        typer.Option("--format", "-f", help="Output format: table, json, csv or md.", case_sensitive=False),
    ] = AgreeFormat.table,
) -> None:
    """Agreement between coders, per code and over all codes, with the passage as the unit.

    For every passage and code each coder's decision is "applies" or "does not apply". A coder who
    recorded any decision on a passage has coded it: a code they accepted applies, every other code
    does not. A passage a coder never decided on is missing for that coder and takes no part in
    their comparisons. "Nothing applies" (x in `code`) is a decision: the passage is decided and no
    code applies there. With --rollup a parent code also applies when a child was accepted; when a
    parent's alpha is poor because coders split between it and its children, a hint suggests it.

    \b
    What the numbers mean:
      units      passages decided by at least two of the coders (only these can be compared)
      agreement  share of agreeing coder pairs per passage; easy to read, but inflated when a code
                 is rare (two coders who never apply a code agree 100%)
      alpha      Krippendorff's alpha (nominal): 1 - observed / expected disagreement; corrects for
                 chance, handles any number of coders and missing decisions. 1 = perfect,
                 0 = no better than chance, below 0 = systematic disagreement
      kappa      Cohen's kappa for each pair of coders over the passages both decided
      —          undefined: no passage to compare, or only one value occurs (nobody, or everybody,
                 applied the code)
    Usual thresholds (Krippendorff): alpha >= 0.800 reliable; >= 0.667 tentative conclusions only;
    below that, sharpen the code's definition and examples before relying on it.

    The suggester can take part as coder `machine` (its suggestions at the settings threshold, on
    every coded passage), to see how far to trust it: --coders anna,machine.

    --disagreements lists each passage and code where coders differ, with every coder's decision and
    memo; a passage text or memo the personal-data scan flags is replaced by a note (as `quote`
    withholds it) unless --allow-flagged. --reconcile --into reconciled walks them one passage at a time and records the agreed
    decisions as coder `reconciled` (source: reconcile); agreed units are carried over. Use them with
    `--coder reconciled` or settings `report.coder: reconciled`. For scripts:
    --reconcile --into reconciled --policy union|intersection|coder:NAME --yes.

    Example: grondmotief agree --coders anna,ben --disagreements --format md
    """
    fmt = Fmt(fmt_opt.value)
    if (into or policy or yes) and not reconcile:
        raise typer.BadParameter("--into, --policy and --yes go with --reconcile", param_hint="--reconcile")
    s = open_study(ctx, study)
    codes = _codes(s, code, group)
    for tid in transcript or []:
        s.transcript(tid, "--transcript")  # an unknown id is an error, not an empty result
    names = _coders(s, coders, into)
    if reconcile:
        _reconcile(s, names, into, policy, yes, codes, transcript)
        return
    from grondmotief.analysis.agreement import agreement, disagreements, rollup_hints

    result = agreement(s, names, codes=codes, rollup=rollup, transcripts=transcript, machine_threshold=threshold)
    for note in result.notes:
        warn(note)
    if show_disagreements:
        items = disagreements(s, result)
        if not allow_flagged:
            from grondmotief.analysis.agreement import screen_disagreements

            items, withheld = screen_disagreements(s, items)
            for what, found in withheld:
                warn(
                    f"{what} withheld: may contain personal data ({found}); anonymise it, list a false positive "
                    "under privacy.allowed_names, or pass --allow-flagged"
                )
        _emit_disagreements(items, result.coders, fmt)
        return
    _emit_agreement(result, fmt)
    for hint in rollup_hints(s, result):
        info(f"Hint: {hint}.")


def _codes(study: Any, code: list[str] | None, group: str | None) -> list[str] | None:
    cb = study.codebook
    chosen = [cb.resolve(c, option="--code") for c in code or []]
    if group is not None:
        in_group = cb.in_group(group)
        chosen = [c for c in chosen if c in in_group] if chosen else in_group
        if not chosen:
            raise typer.BadParameter(f"none of the --code ids is in group '{group}'", param_hint="--group")
    return chosen or None


def _emit_agreement(result: Any, fmt: Fmt) -> None:
    pairs = result.pairs
    table = fmt == Fmt.table
    rows = []
    for ca in [*result.per_code, result.overall]:
        row: dict[str, Any] = {
            "code": ca.code,
            "label": ca.label,
            "group": ca.group,
            "units": ca.units,
            "agreement": _num(ca.agreement),
            "alpha": _num(ca.alpha),
        }
        for a, b in pairs:
            row[f"kappa {a}/{b}"] = _num(ca.kappa[(a, b)])
        for c in result.coders:
            row[f"applied {c}"] = ca.applied[c]
        if table:
            row = {k: ("—" if v is None else v) for k, v in row.items()}
        rows.append(row)
    cols = [Column("code")]
    if not table:
        cols += [Column("label"), Column("group")]
    cols += [
        Column("units", justify="right"),
        Column("agreement", "agree" if table else None, justify="right"),
        Column("alpha", justify="right"),
    ]
    cols += [Column(f"kappa {a}/{b}", f"κ {a}/{b}" if table else None, justify="right") for a, b in pairs]
    cols += [Column(f"applied {c}", f"+{c}" if table else None, justify="right") for c in result.coders]
    title = f"Agreement of {', '.join(result.coders)}" + (" (rolled up)" if result.rollup else "")
    emit(rows, cols, fmt, title=title if fmt in (Fmt.table, Fmt.md) else None)
    if table:
        info(
            "units: passages both/all decided · agree: share of agreeing pairs · κ: Cohen's kappa per pair · "
            "+coder: passages where the code applies. alpha >= 0.800 reliable, >= 0.667 tentative; "
            "— = undefined (see --help)."
        )


def _emit_disagreements(items: list[Any], coders: list[str], fmt: Fmt) -> None:
    if fmt in (Fmt.table, Fmt.md):
        sys.stdout.write(_meeting_notes(items, coders, md=fmt == Fmt.md))
        if fmt == Fmt.table:
            info(
                f"{len(items)} passage/code pair(s) differ; `grondmotief agree --reconcile --into reconciled` walks them"
            )
        return
    rows = []
    for d in items:
        row: dict[str, Any] = {"segment": d.segment, "code": d.code, "label": d.label}
        for c in coders:
            row[c] = d.decisions[c]
        for c in coders:
            row[f"memo {c}"] = d.memos.get(c, "")
        row["text"] = d.text
        rows.append(row)
    cols = [Column("segment"), Column("code"), Column("label")] + [Column(c) for c in coders]
    cols += [Column(f"memo {c}") for c in coders] + [Column("text")]
    emit(rows, cols, fmt)


def _meeting_notes(items: list[Any], coders: list[str], *, md: bool) -> str:
    """Disagreements grouped by passage: the text once, then each code with every coder's answer."""
    from grondmotief.privacy.mdsafe import blockquote, escape_inline

    esc = escape_inline if md else (lambda t: t)
    width = max(len(c) for c in coders) if coders else 0
    out: list[str] = []
    if md:
        out.append(f"# Disagreements ({len(items)})\n")
    previous = None
    for d in items:
        if d.segment != previous:
            previous = d.segment
            if md:
                out.append(f"## {d.segment}\n")
                out.append(blockquote(d.text) + "\n")
            else:
                out.append(f"{d.segment}")
                out.append(textwrap.fill(d.text, 78, initial_indent="  | ", subsequent_indent="  | "))
        if md:
            out.append(f"- **{esc(d.label)}** (`{d.code}`)")
            for c in coders:
                memo = f" (memo: {esc(d.memos[c])})" if c in d.memos else ""
                out.append(f"  - {esc(c)}: {d.decisions[c]}{memo}")
        else:
            out.append(f"  {d.code}: {d.label}")
            for c in coders:
                memo = f"  memo: {d.memos[c]}" if c in d.memos else ""
                out.append(f"    {c:<{width}}  {d.decisions[c]}{memo}")
        out.append("")
    return "\n".join(out)


def _reconcile(
    study: Any,
    coders: list[str],
    into: str | None,
    policy: str | None,
    yes: bool,
    codes: list[str] | None,
    transcripts: list[str] | None,
) -> None:
    from grondmotief.analysis import reconcile as rc
    from grondmotief.cli.reconcile_loop import is_interactive

    if not into:
        raise typer.BadParameter("name the reconciled coder, e.g. --into reconciled", param_hint="--into")
    if policy is not None:
        policy = rc.parse_policy(policy, coders)
    p = rc.plan(study, coders, into, codes=codes, transcripts=transcripts)
    info(
        f"{len(p.carried)} agreed decision(s) to carry over, {len(p.disputed)} disagreement(s), "
        f"{p.kept} already reconciled in codings/{into}.jsonl"
    )
    if policy is not None:
        if not yes:
            if not is_interactive():
                raise typer.BadParameter("without a terminal, confirm with --yes", param_hint="--yes")
            if not typer.confirm(f"Record them as coder '{into}' with policy {policy}?", err=True):
                raise typer.Exit(1)
        outcome = rc.apply_policy(study, p, policy)
        info(
            f"codings/{into}.jsonl: {outcome.carried} carried over, {outcome.resolved} settled by {policy}"
            + (
                f", {outcome.open} left open ({policy.split(':', 1)[-1]} did not code those passages)"
                if outcome.open
                else ""
            )
        )
        return
    if yes:
        raise typer.BadParameter(
            "--yes needs --policy (interactive reconciliation asks per passage)", param_hint="--yes"
        )
    if not is_interactive():
        raise typer.BadParameter(
            "interactive reconciliation needs a terminal; in scripts use --policy union|intersection|coder:NAME --yes",
            param_hint="--reconcile",
        )
    from grondmotief.cli import reconcile_loop
    from grondmotief.cli.terminal import TerminalClosed

    rc.record(study, into, p.carried)
    if not p.disputed:
        info(f"codings/{into}.jsonl: {len(p.carried)} carried over; no disagreements left to settle")
        return
    try:
        recorded, skipped, left = reconcile_loop.run(study, p)
    except TerminalClosed as exc:
        raise typer.Exit(exc.exit_code) from None
    info(
        f"codings/{into}.jsonl: {len(p.carried)} carried over, {recorded} settled now, {skipped} skipped, "
        f"{left} not reached" + ("; run the same command again to continue" if skipped or left else "")
    )
