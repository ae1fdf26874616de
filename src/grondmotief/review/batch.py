"""Batch mode: record suggestions at or above a score as decisions, without a terminal."""

from __future__ import annotations

from dataclasses import dataclass, field

from grondmotief.review.suggestions import SuggestFn, suggest_all
from grondmotief.study.codings import NONE_CODE, Decision, now_iso
from grondmotief.study.folder import Study


@dataclass
class BatchPlan:
    decisions: list[Decision] = field(default_factory=list)
    passages: int = 0  # passages looked at
    below: int = 0  # suggestions under the threshold
    already: int = 0  # suggestions the coder already decided on (or on a passage they said nothing applies to)


def plan_batch(
    study: Study,
    coder: str,
    threshold: float,
    *,
    transcripts: list[str] | None = None,
    codes: list[str] | None = None,
    engine: SuggestFn | None = None,
) -> BatchPlan:
    """The decisions `code --accept-above` would record: source and score kept from the suggestion.

    A passage the coder marked "nothing applies" is the coder's judgement: batch mode leaves it alone.
    """
    store = study.store(coder)
    existing = {d.key for d in store.read().decisions}
    nothing = {seg for seg, code in existing if code == NONE_CODE}
    chosen = transcripts or sorted(study.transcripts)
    coded = {s.id for s in study.coded_segments() if s.transcript in chosen}
    plan = BatchPlan()
    at = now_iso()
    for seg, found in suggest_all(study, chosen, coder=coder, codes=codes, threshold=threshold, engine=engine):
        if seg.id not in coded:
            continue
        plan.passages += 1
        for s in sorted(found, key=lambda s: (-s.score, s.code)):
            if codes and s.code not in codes:
                continue
            score = round(float(s.score), 4)  # compared as recorded and shown
            if score < threshold:
                plan.below += 1
            elif (seg.id, s.code) in existing or seg.id in nothing:
                plan.already += 1
            else:
                plan.decisions.append(
                    Decision(
                        segment=seg.id,
                        code=s.code,
                        decision="accepted",
                        span=None,
                        source=str(s.source),
                        score=score,
                        coder=coder,
                        at=at,
                        memo="",
                        text_sha=seg.sha,
                    )
                )
    return plan


def record_batch(study: Study, coder: str, plan: BatchPlan) -> int:
    """One locked, atomic write for the whole batch."""
    if plan.decisions:
        study.store(coder).record(plan.decisions)
    return len(plan.decisions)
