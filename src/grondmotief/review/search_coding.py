"""Auto-coding from a search: an accepted decision per passage a query matches (`find --code-as`).

The decisions go through the coder's CodingStore in one locked, atomic write, exactly as the
review loop's do, with source `search:<query>`; so agreement, reconciliation and status see them,
and the coder undoes one by deciding again (a later decision on the same passage and code
replaces it). Nothing the coder decided is overwritten: a passage where they already decided the
code (either way) or marked "nothing applies" is left alone and counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from grondmotief.core.errors import UsageProblem
from grondmotief.search.find import Hit
from grondmotief.study.codings import NONE_CODE, Decision, now_iso
from grondmotief.study.folder import Study

Span = Literal["passage", "sentence"]
MAX_SOURCE = 200  # characters of the query kept in `source`


@dataclass
class SearchPlan:
    decisions: list[Decision] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # passages where the coder decided this code
    nothing: list[str] = field(default_factory=list)  # passages the coder marked "nothing applies"


def source_of(query: str) -> str:
    """`search:<query>` on one line, whitespace collapsed (a decision line must stay one line)."""
    text = " ".join(query.split())
    if not text:
        raise UsageProblem("QUERY is empty")
    return "search:" + text[:MAX_SOURCE]


def plan_search_coding(study: Study, coder: str, code: str, query: str, hits: list[Hit], span: Span) -> SearchPlan:
    """The decisions `find QUERY --code-as CODE --coder NAME` would record, one per passage."""
    from grondmotief.review.sentences import sentences

    code = study.codebook.get(code).id
    existing = {d.key: d for d in study.store(coder).read().decisions}
    marked = {seg for seg, c in existing if c == NONE_CODE}
    by_passage: dict[str, list[Hit]] = {}
    for h in hits:
        by_passage.setdefault(h.id, []).append(h)
    plan = SearchPlan()
    at, source = now_iso(), source_of(query)
    for seg_id, found in by_passage.items():
        if (seg_id, code) in existing:
            plan.already.append(seg_id)
            continue
        if seg_id in marked:
            plan.nothing.append(seg_id)
            continue
        seg = study.segment(seg_id)
        narrowed = None
        if span == "sentence":
            # From the first matching sentence to the last: a decision holds one span.
            sents = sentences(seg.text) or [(0, len(seg.text))]
            hit = [(s, e) for s, e in sents if any(s < h.end and h.start < e for h in found)]
            narrowed = (hit[0][0], hit[-1][1]) if hit else None
            if narrowed == (0, len(seg.text)):
                narrowed = None
        plan.decisions.append(
            Decision(
                segment=seg_id,
                code=code,
                decision="accepted",
                span=narrowed,
                source=source,
                coder=coder,
                at=at,
                text_sha=seg.sha,
            )
        )
    return plan


def record_search_coding(study: Study, coder: str, plan: SearchPlan) -> int:
    if plan.decisions:
        study.store(coder).record(plan.decisions)
    return len(plan.decisions)
