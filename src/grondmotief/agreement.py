"""Agreement between coders: the units, Krippendorff's alpha, Cohen's kappa, percent agreement.

The unit is a passage (segment) and, for each code, the decision "the code applies / does not
apply". A coder *has coded* a passage when they recorded any decision on it (for any code,
accepted or rejected). For such a coder a code applies when they accepted it (with `rollup`,
also when they accepted one of its descendants), otherwise it does not apply. Passages a coder
never decided on are *missing* for that coder: they take no part in that coder's pairs.

The statistics are implemented here (numpy only) and checked in the tests against the
`krippendorff` package and published worked examples.
"""

from __future__ import annotations

import inspect
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from grondmotief.codings import Decision
from grondmotief.errors import GrondmotiefError, UsageProblem
from grondmotief.study import Study
from grondmotief.transcripts import parse_segment_ref

MACHINE = "machine"
Value = Hashable | None


# --------------------------------------------------------------------------- statistics
def krippendorff_alpha_nominal(data: Sequence[Sequence[Value]]) -> float | None:
    """Krippendorff's alpha for nominal data: rows are coders, columns units, None = missing.

    Built from the coincidence matrix: every ordered pair of values from different coders in a
    unit adds 1/(m_u - 1), where m_u is the number of values in that unit. Units with fewer than
    two values are not pairable and drop out. Returns None when alpha is undefined (no pairable
    unit, or only one value occurs, so there is no expected disagreement).
    """
    units: list[list[Hashable]] = []
    n_units = max((len(row) for row in data), default=0)
    for u in range(n_units):
        vals = [row[u] for row in data if u < len(row) and row[u] is not None and row[u] == row[u]]
        if len(vals) >= 2:
            units.append(vals)
    if not units:
        return None
    categories = sorted({v for vals in units for v in vals}, key=repr)
    index = {c: i for i, c in enumerate(categories)}
    o = np.zeros((len(categories), len(categories)))
    for vals in units:
        counts = np.zeros(len(categories))
        for v in vals:
            counts[index[v]] += 1
        m = len(vals)
        # Ordered pairs of different coders: counts_c * counts_k, minus self-pairs on the diagonal.
        o += (np.outer(counts, counts) - np.diag(counts)) / (m - 1)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    observed = o.sum() - np.trace(o)
    expected = (n * n - (n_c**2).sum()) / (n - 1)
    if expected <= 0:
        return None
    return float(1.0 - observed / expected)


def cohen_kappa(a: Sequence[Value], b: Sequence[Value]) -> float | None:
    """Cohen's kappa of two coders over the units both decided (None on either side is skipped).

    Returns None when undefined: no shared unit, or chance agreement is 1 (both coders gave one
    and the same value to everything).
    """
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    if not pairs:
        return None
    n = len(pairs)
    observed = sum(1 for x, y in pairs if x == y) / n
    ca: dict[Hashable, int] = defaultdict(int)
    cb: dict[Hashable, int] = defaultdict(int)
    for x, y in pairs:
        ca[x] += 1
        cb[y] += 1
    expected = sum(ca[k] * cb.get(k, 0) for k in ca) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def percent_agreement(data: Sequence[Sequence[Value]]) -> float | None:
    """Share of agreeing pairs among all pairs of coders' values within a unit.

    For two coders without missing values this is the plain share of units they agree on; for
    more coders, each unit counts with weight 1 (its pairs weighted 1/(m_u - 1)), as in alpha.
    """
    n_units = max((len(row) for row in data), default=0)
    agree = total = 0.0
    for u in range(n_units):
        vals = [row[u] for row in data if u < len(row) and row[u] is not None]
        m = len(vals)
        if m < 2:
            continue
        same = sum(1 for i, j in combinations(range(m), 2) if vals[i] == vals[j])
        agree += 2 * same / (m - 1)
        total += m
    return None if total == 0 else agree / total


# --------------------------------------------------------------------------- units
@dataclass
class CoderView:
    """What one coder said, reduced to the unit model."""

    name: str
    decided: set[str] = field(default_factory=set)  # segments with any decision
    applies: dict[str, dict[str, str]] = field(default_factory=dict)  # segment → code → via code
    explicit: dict[tuple[str, str], Decision] = field(default_factory=dict)  # (segment, code) → decision

    def value(self, segment: str, code: str) -> int | None:
        if segment not in self.decided:
            return None
        return 1 if code in self.applies.get(segment, {}) else 0

    def describe(self, segment: str, code: str) -> str:
        """A coder's decision in words, as a reconciliation meeting wants to read it."""
        if segment not in self.decided:
            return "not coded"
        via = self.applies.get(segment, {}).get(code)
        if via is not None:
            return "applies" if via == code else f"applies (via {via})"
        d = self.explicit.get((segment, code))
        return "does not apply (rejected)" if d is not None and d.decision == "rejected" else "does not apply"


@dataclass
class CodeAgreement:
    code: str
    label: str
    group: str
    units: int  # passages decided by at least two of the coders
    applied: dict[str, int]  # coder → passages where the code applies
    agreement: float | None
    alpha: float | None
    kappa: dict[tuple[str, str], float | None]


@dataclass
class Disagreement:
    segment: str
    code: str
    label: str
    text: str
    decisions: dict[str, str]  # coder → words
    memos: dict[str, str]
    values: dict[str, int | None]


@dataclass
class AgreementResult:
    coders: list[str]
    codes: list[str]
    rollup: bool
    per_code: list[CodeAgreement]
    overall: CodeAgreement
    views: dict[str, CoderView]
    segments: list[str]  # the passages any coder decided on, in transcript order
    notes: list[str] = field(default_factory=list)

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return list(combinations(self.coders, 2))


def _seg_key(ref: str) -> tuple[str, int]:
    return parse_segment_ref(ref)


def build_views(study: Study, coders: list[str], *, rollup: bool = False,
                transcripts: list[str] | None = None, machine_threshold: float | None = None) -> tuple[dict[str, CoderView], list[str]]:
    """One CoderView per coder from their anchored decisions (orphans left out, counted in notes)."""
    cb = study.codebook
    notes: list[str] = []
    views: dict[str, CoderView] = {}
    human = [c for c in coders if c != MACHINE]
    orphans = unknown = 0
    for a in study.decisions(human) if human else []:
        if a.status == "orphan":
            orphans += 1
            continue
        d = a.decision
        seg = a.segment
        if transcripts and _seg_key(seg)[0] not in transcripts:
            continue
        view = views.setdefault(d.coder, CoderView(d.coder))
        view.decided.add(seg)
        if d.code not in cb.codes:
            unknown += 1
            continue
        view.explicit[(seg, d.code)] = d
        if d.decision == "accepted":
            targets = cb.rollup(d.code) if rollup else [d.code]
            slot = view.applies.setdefault(seg, {})
            for cid in targets:
                # A direct acceptance wins over one that arrives through a child.
                if cid == d.code or cid not in slot:
                    slot[cid] = d.code
    for c in human:
        views.setdefault(c, CoderView(c))
    if MACHINE in coders:
        views[MACHINE] = machine_view(study, rollup=rollup, transcripts=transcripts, threshold=machine_threshold)
    if orphans:
        notes.append(f"{orphans} decision(s) no longer match their passage and were left out; `grondmotief check` lists them")
    if unknown:
        notes.append(f"{unknown} decision(s) name codes that are not in the codebook and were left out")
    return {c: views[c] for c in coders}, notes


def machine_view(study: Study, *, rollup: bool = False, transcripts: list[str] | None = None,
                 threshold: float | None = None) -> CoderView:
    """The suggester as a coder: it decides every coded passage; a code applies at or above the threshold."""
    try:
        from grondmotief.suggest import suggest_study
    except ImportError as exc:
        raise GrondmotiefError(f"coder 'machine' needs the suggester (grondmotief.suggest), which is not available ({exc.name})") from None
    limit = study.settings.suggest.threshold if threshold is None else threshold
    params = inspect.signature(suggest_study).parameters
    kwargs: dict[str, Any] = {"threshold": limit} if "threshold" in params else {}
    result = suggest_study(study, **kwargs)
    cb = study.codebook
    view = CoderView(MACHINE)
    for seg in study.coded_segments():
        if not transcripts or seg.transcript in transcripts:
            view.decided.add(seg.id)
    for seg_id, code, score in iter_suggestions(result):
        if seg_id not in view.decided or code not in cb.codes:
            continue
        if score is not None and score < limit:
            continue
        slot = view.applies.setdefault(seg_id, {})
        for cid in cb.rollup(code) if rollup else [code]:
            if cid == code or cid not in slot:
                slot[cid] = code
    return view


def iter_suggestions(result: Any) -> Iterator[tuple[str, str, float | None]]:
    """(segment id, code, score) from whatever shape `suggest_study` returns.

    Accepted shapes: a mapping of segment id → suggestions, or an iterable of suggestion objects
    or dicts carrying `segment` (an id or a Segment) and `code`, or of per-segment objects with
    `.segment` and `.suggestions`.
    """
    def get(obj: Any, name: str) -> Any:
        return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)

    def seg_id(obj: Any) -> str:
        return obj if isinstance(obj, str) else str(getattr(obj, "id", obj))

    if isinstance(result, dict):
        items: Iterable[Any] = ({"segment": k, "suggestions": v} for k, v in result.items())
    else:
        items = result
    for item in items:
        inner = get(item, "suggestions")
        if inner is not None and get(item, "code") is None:
            sid = seg_id(get(item, "segment"))
            for s in inner:
                yield sid, str(get(s, "code")), get(s, "score")
        else:
            yield seg_id(get(item, "segment")), str(get(item, "code")), get(item, "score")


def _stats(code: str, label: str, group: str, coders: list[str], rows: list[list[int | None]]) -> CodeAgreement:
    n_units = len(rows[0]) if rows else 0
    pairable = sum(1 for u in range(n_units) if sum(1 for r in rows if r[u] is not None) >= 2)
    applied = {c: sum(1 for v in r if v == 1) for c, r in zip(coders, rows, strict=True)}
    kappa = {(coders[i], coders[j]): cohen_kappa(rows[i], rows[j]) for i, j in combinations(range(len(coders)), 2)}
    return CodeAgreement(code, label, group, pairable, applied, percent_agreement(rows), krippendorff_alpha_nominal(rows), kappa)


def agreement(study: Study, coders: list[str], *, codes: list[str] | None = None, rollup: bool = False,
              transcripts: list[str] | None = None, machine_threshold: float | None = None) -> AgreementResult:
    """Agreement per code and overall (all chosen codes pooled, one unit per passage and code)."""
    if len(coders) < 2:
        raise UsageProblem(f"agreement needs at least two coders (got: {', '.join(coders) or 'none'})")
    if len(set(coders)) != len(coders):
        raise UsageProblem("a coder is named twice in --coders")
    cb = study.codebook
    chosen = list(codes) if codes else list(cb.order)
    for cid in chosen:
        cb.get(cid)
    views, notes = build_views(study, coders, rollup=rollup, transcripts=transcripts, machine_threshold=machine_threshold)
    segments = sorted(set().union(*(v.decided for v in views.values())), key=_seg_key)
    per_code = []
    pooled: list[list[int | None]] = [[] for _ in coders]
    for cid in chosen:
        rows = [[views[c].value(s, cid) for s in segments] for c in coders]
        for i, r in enumerate(rows):
            pooled[i].extend(r)
        c = cb.codes[cid]
        per_code.append(_stats(cid, c.label, c.group, coders, rows))
    overall = _stats("(all)", "all codes pooled", "", coders, pooled)
    for c in coders:
        if not views[c].decided:
            notes.append(f"coder '{c}' has no decisions in scope")
    return AgreementResult(list(coders), chosen, rollup, per_code, overall, views, segments, notes)


def disagreements(study: Study, result: AgreementResult) -> list[Disagreement]:
    """Every (passage, code) where coders who decided the passage differ, in transcript order."""
    cb = study.codebook
    out = []
    for seg in result.segments:
        segment = None
        for cid in result.codes:
            values = {c: result.views[c].value(seg, cid) for c in result.coders}
            present = {v for v in values.values() if v is not None}
            if len(present) < 2:
                continue
            segment = segment or study.segment(seg)
            memos = {}
            for c in result.coders:
                d = result.views[c].explicit.get((seg, cid))
                if d is not None and d.memo:
                    memos[c] = d.memo
            out.append(Disagreement(seg, cid, cb.codes[cid].label, segment.text,
                                    {c: result.views[c].describe(seg, cid) for c in result.coders}, memos, values))
    return out


def default_coders(study: Study, exclude: Iterable[str] = ()) -> list[str]:
    """All coders with a codings file, leaving out reconciled coders (all decisions `source: reconcile`)."""
    skip = set(exclude)
    out = []
    for c in study.coders():
        if c in skip:
            continue
        decisions = study.read_codings(c).decisions
        if decisions and all(d.source == "reconcile" for d in decisions):
            continue
        out.append(c)
    return out
