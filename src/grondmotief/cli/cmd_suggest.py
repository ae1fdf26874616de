"""`suggest`: suggested codes per passage with score, evidence and engine; `--evaluate` scores them."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

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
from grondmotief.cli.console import info, warn
from grondmotief.cli.output import Column, Fmt, emit

ORDER = 40


class SuggestFmt(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    summary = "summary"


def register(app: typer.Typer) -> None:
    app.command("suggest")(suggest)


def suggest(
    ctx: typer.Context,
    study: StudyOpt = None,
    transcript: TranscriptOpt = None,
    theme: ThemeOpt = None,
    motive: MotiveOpt = None,
    code: CodeOpt = None,
    min_score: Annotated[
        float | None,
        typer.Option(
            "--min-score",
            min=0.0,
            max=1.0,
            show_default=False,
            help="Lowest score shown (default: settings suggest.threshold); 0 ranks every code "
            "for every passage, those without evidence at score 0.",
        ),
    ] = None,
    coder: CoderOpt = None,
    fmt: Annotated[
        SuggestFmt,
        typer.Option(
            "--format", "-f", case_sensitive=False, help="table|json|jsonl|summary (summary: counts per code)."
        ),
    ] = SuggestFmt.table,
    evaluate: Annotated[
        bool,
        typer.Option(
            "--evaluate",
            help="Instead of suggesting: precision, recall and F1 per code "
            "against the coder's decisions (keyword engine, model, blend).",
        ),
    ] = False,
    folds: Annotated[
        int, typer.Option("--folds", min=2, max=20, help="Cross-validation folds for --evaluate (by transcript).")
    ] = 5,
    no_model: Annotated[
        bool,
        typer.Option("--no-model", help="Keyword evidence only, even when the coder's decisions could train a model."),
    ] = False,
) -> None:
    """Suggest codes for coded passages: codebook keywords matched on Dutch lemmas, blended with a
    model learnt from the coder's decisions once a code has enough of them.

    Writes no decisions (only caches in .grondmotief/). Suggestions the coder rejected are not
    shown again for that passage.

    Example: grondmotief suggest --transcript org07 --theme subsidies --format json
    """
    s = open_study(ctx, study)
    codes = code_filter(s, theme, motive, code) or None
    for tid in transcript or []:  # an unknown id: a usage error naming the nearest ids
        if not (s.interviews_dir / f"{tid}.md").is_file():  # (a warm run reads no transcript's YAML)
            s.transcript(tid, "--transcript")
    who = coder or s.default_coder()
    if note := s.new_coder_note(who):  # a typo would silently ignore the coder's decisions
        warn(note)
    if evaluate:
        if transcript:
            raise typer.BadParameter("--evaluate uses every transcript the coder decided on", param_hint="--transcript")
        _evaluate(s, who, codes, min_score, folds, fmt)
        return
    from grondmotief.suggest import Stats, suggest_study

    stats = Stats()
    found = suggest_study(
        s,
        transcripts=transcript,
        codes=codes,
        coder=who,
        threshold=min_score,
        use_model=False if no_model else None,
        stats=stats,
        rank_all=min_score == 0,
    )
    columns = [
        Column("segment"),
        Column("code"),
        Column("score", justify="right"),
        Column("source"),
        Column("evidence"),
    ]
    shown = 0
    if fmt == SuggestFmt.summary:
        shown = _summary(s, found, codes)
    elif fmt == SuggestFmt.jsonl:
        for _, sugg in found:  # streamed: one transcript's suggestions in memory at a time
            rows = [x.to_json() for x in sugg]
            shown += len(rows)
            emit(rows, columns, Fmt.jsonl)
    else:
        all_rows: list[dict[str, Any]] = []
        for _, sugg in found:
            for x in sugg:
                row = x.to_json()
                if fmt == SuggestFmt.table:
                    row["evidence"] = _words(x.evidence)
                all_rows.append(row)
        shown = len(all_rows)
        emit(all_rows, columns, Fmt.json if fmt == SuggestFmt.json else Fmt.table)
    models = ", ".join(f"{c} ({p}+/{n}-)" for c, (p, n) in sorted(stats.models.items())) or "none"
    info(
        f"{shown} suggestion(s) for {stats.segments} passage(s) in {stats.transcripts} transcript(s); "
        f"parsed {stats.parsed_segments} passage(s) of {stats.parsed_transcripts} transcript(s), "
        f"{stats.cached_transcripts} transcript(s) from the cache; coder {who}; models: {models}"
    )
    for note in dict.fromkeys(stats.notes):
        warn(note)


def _words(evidence: list[Any]) -> str:
    """Matched words for people: "aangevraagd (aanvragen)" where the lemma differs."""
    seen: list[str] = []
    for e in evidence:
        word = e.text if e.text.lower() == e.lemma.lower() or e.rule.startswith("model:") else f"{e.text} ({e.lemma})"
        if word not in seen:
            seen.append(word)
    return ", ".join(seen)


def _summary(study: Any, found: Any, codes: list[str] | None) -> int:
    cb = study.codebook
    counts: dict[str, dict[str, Any]] = {}
    total = 0
    for _, sugg in found:
        for x in sugg:
            row = counts.setdefault(x.code, {"suggestions": 0, "sum": 0.0, "keyword": 0, "model": 0, "blend": 0})
            row["suggestions"] += 1
            row["sum"] += x.score
            row[x.source.split(":", 1)[1]] += 1
            total += 1
    rows = []
    for cid in codes or cb.order:
        c = cb.codes[cid]
        got = counts.get(cid, {"suggestions": 0, "sum": 0.0, "keyword": 0, "model": 0, "blend": 0})
        n = got["suggestions"]
        rows.append(
            {
                "group": c.group,
                "code": ("  " * c.depth) + cid,
                "suggestions": n,
                "mean_score": round(got["sum"] / n, 3) if n else None,
                "keyword": got["keyword"],
                "model": got["model"],
                "blend": got["blend"],
            }
        )
    cols = [
        Column("group"),
        Column("code"),
        Column("suggestions", justify="right"),
        Column("mean_score", "mean score", justify="right"),
        Column("keyword", justify="right"),
        Column("model", justify="right"),
        Column("blend", justify="right"),
    ]
    emit(rows, cols, Fmt.table)
    return total


def _evaluate(
    study: Any, coder: str, codes: list[str] | None, min_score: float | None, folds: int, fmt: SuggestFmt
) -> None:
    from grondmotief.suggest.evaluate import ENGINES, evaluate

    ev = evaluate(study, coder, threshold=min_score, folds=folds, codes=codes)
    rows: list[dict[str, Any]] = []
    for c in ev.codes:
        row: dict[str, Any] = {"group": c.group, "code": c.code, "support": c.support}
        for engine in ENGINES:
            got = c.scores.get(engine)
            for m in ("precision", "recall", "f1"):
                row[f"{engine}_{m}"] = None if got is None else round(getattr(got, m), 3)
        rows.append(row)
    for group in ev.groups:
        row = {"group": group, "code": "(macro)", "support": sum(c.support for c in ev.codes if c.group == group)}
        for engine in ENGINES:
            macro = ev.macro(group, engine)
            for i, m in enumerate(("precision", "recall", "f1")):
                row[f"{engine}_{m}"] = None if macro is None else round(macro[i], 3)
        rows.append(row)
    info(
        f"coder {coder}: {ev.passages} decided passage(s) in {ev.transcripts} transcript(s); threshold {ev.threshold:.2f}; "
        + (
            f"model and blend cross-validated over {ev.folds} folds by transcript"
            if ev.folds
            else "too few transcripts to cross-validate a model"
        )
    )
    if ev.passages:
        info(
            "no suggestion above the threshold: "
            + "; ".join(f"{g} {n} of {ev.passages} ({n / ev.passages:.0%})" for g, n in ev.unsuggested.items())
        )
    if fmt in (SuggestFmt.json, SuggestFmt.jsonl):
        cols = [Column(k) for k in rows[0]] if rows else []
        emit(rows, cols, Fmt.json if fmt == SuggestFmt.json else Fmt.jsonl)
        return
    table = []
    for row in rows:
        out = {
            "code": row["code"] if row["code"] != "(macro)" else f"{row['group']} (macro F1)",
            "support": row["support"],
        }
        for engine in ENGINES:
            vals = [row[f"{engine}_{m}"] for m in ("precision", "recall", "f1")]
            out[engine] = "—" if vals[0] is None else "/".join(f"{v:.2f}" for v in vals)
        table.append(out)
    emit(
        table,
        [
            Column("code"),
            Column("support", "n+", justify="right"),
            Column("keyword", "keyword P/R/F1"),
            Column("model", "model P/R/F1"),
            Column("blend", "blend P/R/F1"),
        ],
        Fmt.table,
    )
