"""Reconciliation: agreed decisions of several coders, recorded as a coder of their own.

The reconciled coder (say `reconciled`) gets, for every passage and code that any of the
compared coders decided explicitly:
- where the coders who decided the passage agree, their shared decision (carried over);
- where they differ, the decision the team settles on: interactively, one passage at a time, or
  by a policy (`union`: applies if any coder says so; `intersection`: only if all who decided
  say so; `coder:NAME`: NAME's decision, left open where NAME did not decide the passage).
Every recorded decision has `source: reconcile`. Decisions the reconciled coder already has are
kept, so a reconciliation can be interrupted and resumed.

"Nothing applies" (`_none`) is carried over to a passage where a compared coder recorded it and
no compared coder applied any code; accepting a code on a passage removes the reconciled coder's
"nothing applies" there, as in the review loop.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from grondmotief.analysis.agreement import MACHINE, CoderView, build_views
from grondmotief.core.errors import UsageProblem
from grondmotief.study.codings import CODER_NAME, NONE_CODE, Decision, now_iso, span_fields
from grondmotief.study.folder import Study
from grondmotief.study.transcripts import parse_segment_ref


@dataclass
class Unit:
    """One passage and code, with each coder's value (1 applies, 0 does not, None not coded)."""

    segment: str
    code: str
    values: dict[str, int | None]
    explicit: dict[str, Decision]  # coder → their own decision on this passage and code
    nothing: dict[str, Decision] = field(default_factory=dict)  # coder → "nothing applies" on this passage

    @property
    def disputed(self) -> bool:
        return len({v for v in self.values.values() if v is not None}) > 1

    @property
    def consensus(self) -> bool | None:
        present = {v for v in self.values.values() if v is not None}
        return (present == {1}) if len(present) == 1 else None


@dataclass
class Plan:
    coders: list[str]
    into: str
    carried: list[Decision] = field(default_factory=list)  # agreed units, ready to record
    disputed: list[Unit] = field(default_factory=list)  # units the team must settle
    kept: int = 0  # units the reconciled coder had already decided


def parse_policy(policy: str, coders: list[str]) -> str:
    if policy in ("union", "intersection"):
        return policy
    if policy.startswith("coder:"):
        name = policy.split(":", 1)[1]
        if name not in coders:
            raise UsageProblem(f"--policy {policy}: '{name}' is not one of the coders compared ({', '.join(coders)})")
        return policy
    raise UsageProblem(f"--policy must be union, intersection or coder:NAME (got '{policy}')")


def check_target(study: Study, into: str, coders: list[str]) -> None:
    if not CODER_NAME.fullmatch(into):
        raise UsageProblem(f"--into '{into}': a coder name is letters, digits, '.', '-' or '_'")
    if into in coders:
        raise UsageProblem(
            f"--into '{into}' is one of the coders being reconciled; choose a new name such as 'reconciled'"
        )
    if MACHINE in coders:
        raise UsageProblem(
            "the machine coder cannot be reconciled (its suggestions are not decisions); leave it out of --coders"
        )
    existing = study.read_codings(into).decisions if (study.codings_dir / f"{into}.jsonl").exists() else []
    own = [d for d in existing if d.source != "reconcile"]
    if own:
        raise UsageProblem(
            f"codings/{into}.jsonl holds {len(own)} decision(s) that do not come from a reconciliation; "
            "choose another --into name so a coder's own work is never mixed in"
        )


def units(
    study: Study, coders: list[str], *, codes: list[str] | None = None, transcripts: list[str] | None = None
) -> list[Unit]:
    """Every (passage, code) some coder decided explicitly, in transcript order (no roll-up)."""
    views, _ = build_views(study, coders, rollup=False, transcripts=transcripts)
    return _units(study, views, coders, codes)


def _units(study: Study, views: dict[str, CoderView], coders: list[str], codes: list[str] | None) -> list[Unit]:
    keys: set[tuple[str, str]] = set()
    for v in views.values():
        keys.update(k for k in v.explicit if codes is None or k[1] in codes)
    order = {cid: i for i, cid in enumerate(study.codebook.order)}

    def sort_key(k: tuple[str, str]) -> tuple[str, int, int]:
        tid, n = parse_segment_ref(k[0])
        return tid, n, order.get(k[1], 0)

    out = []
    for seg, cid in sorted(keys, key=sort_key):
        values = {c: views[c].value(seg, cid) for c in coders}
        explicit = {c: views[c].explicit[(seg, cid)] for c in coders if (seg, cid) in views[c].explicit}
        nothing = {c: views[c].nothing[seg] for c in coders if seg in views[c].nothing}
        out.append(Unit(seg, cid, values, explicit, nothing))
    return out


def nothing_applies(study: Study, views: dict[str, CoderView], coders: list[str], into: str) -> list[Decision]:
    """`_none` for each passage a coder marked "nothing applies" and no coder applied a code to."""
    out = []
    segments = {seg for c in coders for seg in views[c].nothing}
    for seg in sorted(segments, key=parse_segment_ref):
        if any(views[c].applies.get(seg) for c in coders):
            continue
        memo = "; ".join(
            f"{c}: {views[c].nothing[seg].memo}"
            for c in coders
            if seg in views[c].nothing and views[c].nothing[seg].memo
        )
        out.append(
            Decision(
                segment=seg,
                code=NONE_CODE,
                decision="accepted",
                span=None,
                source="reconcile",
                score=None,
                coder=into,
                at=now_iso(),
                memo=memo,
                text_sha=study.segment(seg).sha,
            )
        )
    return out


def settle(study: Study, unit: Unit, applies: bool, into: str, memo: str | None = None) -> Decision:
    """The reconciled decision for a unit: accepted (span from the coders who accepted) or rejected."""
    sources = [
        unit.explicit[c]
        for c in unit.values
        if c in unit.explicit and unit.explicit[c].decision == ("accepted" if applies else "rejected")
    ]
    span: tuple[int, int] | None = None
    spans: list[tuple[int, int]] | None = None
    if applies and sources and all(d.ranges is not None for d in sources):
        # The pieces any coder coded, not the stretch between them (which nobody coded).
        span, spans = span_fields(r for d in sources for r in d.ranges or [])
    if memo is None:
        memo = "; ".join(f"{c}: {d.memo}" for c, d in unit.explicit.items() if d.memo)
    seg = study.segment(unit.segment)
    return Decision(
        segment=unit.segment,
        code=unit.code,
        decision="accepted" if applies else "rejected",
        span=span,
        spans=spans,
        source="reconcile",
        score=None,
        coder=into,
        at=now_iso(),
        memo=memo,
        text_sha=seg.sha,
    )


def resolve(unit: Unit, policy: str) -> bool | None:
    """A policy's answer for a disputed unit; None leaves it open."""
    present = [v for v in unit.values.values() if v is not None]
    if policy == "union":
        return any(v == 1 for v in present)
    if policy == "intersection":
        return all(v == 1 for v in present)
    value = unit.values.get(policy.split(":", 1)[1])
    return None if value is None else value == 1


def plan(
    study: Study, coders: list[str], into: str, *, codes: list[str] | None = None, transcripts: list[str] | None = None
) -> Plan:
    if len(coders) < 2:
        raise UsageProblem(f"reconciliation needs at least two coders (got: {', '.join(coders) or 'none'})")
    check_target(study, into, coders)
    have = study.read_codings(into).decisions
    done = {d.key for d in have}
    coded = {d.segment for d in have if d.decision == "accepted" and d.code != NONE_CODE}
    result = Plan(list(coders), into)
    views, _ = build_views(study, coders, rollup=False, transcripts=transcripts)
    for d in nothing_applies(study, views, coders, into):
        if d.key in done:
            result.kept += 1
        elif d.segment not in coded:  # the team already applied a code there: that stands
            result.carried.append(d)
    for unit in _units(study, views, coders, codes):
        if (unit.segment, unit.code) in done:
            result.kept += 1
        elif unit.disputed:
            result.disputed.append(unit)
        else:
            result.carried.append(settle(study, unit, bool(unit.consensus), into))
    return result


@dataclass
class Outcome:
    carried: int
    resolved: int
    open: int
    kept: int


def apply_policy(study: Study, p: Plan, policy: str) -> Outcome:
    """Record agreed decisions and the policy's answer for each disputed unit (one atomic write)."""
    decisions = list(p.carried)
    left = 0
    for unit in p.disputed:
        answer = resolve(unit, policy)
        if answer is None:
            left += 1
            continue
        decisions.append(settle(study, unit, answer, p.into))
    record(study, p.into, decisions)
    return Outcome(len(p.carried), len(decisions) - len(p.carried), left, p.kept)


def record(study: Study, into: str, decisions: Iterable[Decision]) -> list[Decision]:
    """Record the reconciled decisions; returns the "nothing applies" decisions an accepted code replaced."""
    items = list(decisions)
    if not items:
        return []
    store = study.store(into)
    store.record(items)
    coded = {d.segment for d in items if d.decision == "accepted" and d.code != NONE_CODE}
    replaced = [d for d in store.read().decisions if d.code == NONE_CODE and d.segment in coded]
    if replaced:
        store.remove([d.key for d in replaced])
    return replaced
