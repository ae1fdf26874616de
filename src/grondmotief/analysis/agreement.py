"""Agreement between coders: the units, Krippendorff's alpha, Cohen's kappa, percent agreement.

The unit is a passage (segment) and, for each code, the decision "the code applies / does not
apply". A coder *has coded* a passage when they recorded any decision on it (for any code,
accepted or rejected). For such a coder a code applies when they accepted it (with `rollup`,
also when they accepted one of its descendants), otherwise it does not apply. "Nothing applies"
(the reserved code `_none`, `x` in the review loop) is such a decision: the passage is decided and
no code applies to it. Passages a coder never decided on are *missing* for that coder: they take
no part in that coder's pairs.

The statistics are implemented here (numpy only) and checked in the tests against the
`krippendorff` package and published worked examples.
"""

from __future__ import annotations

import inspect
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from grondmotief.core.errors import GrondmotiefError, UsageProblem
from grondmotief.study.codings import NONE_CODE, Decision
from grondmotief.study.folder import Study
from grondmotief.study.transcripts import parse_segment_ref

MACHINE = "machine"
Value = Hashable | None


# --------------------------------------------------------------------------- statistics
Data = Sequence[Sequence[Value]] | np.ndarray


def _encode(data: Data) -> np.ndarray:
    """Coders × units as small integers, -1 for missing. Integer arrays pass through (negatives = missing)."""
    if isinstance(data, np.ndarray) and data.dtype.kind in "iu":
        return data.astype(np.int64, copy=False)
    rows = [list(r) for r in data]
    width = max((len(r) for r in rows), default=0)
    index: dict[Hashable, int] = {}
    out = np.full((len(rows), width), -1, dtype=np.int64)
    for i, row in enumerate(rows):
        for u, v in enumerate(row):
            if v is None or (isinstance(v, float) and v != v):  # None or NaN: missing
                continue
            out[i, u] = index.setdefault(v, len(index))
    return out


def _counts(data: Data) -> np.ndarray:
    """Categories × pairable units: how many coders gave each value to each unit (units with < 2 values dropped)."""
    codes = _encode(data)
    if codes.size == 0:
        return np.zeros((0, 0))
    k = int(codes.max()) + 1 if (codes >= 0).any() else 0
    counts = (
        np.stack([(codes == c).sum(axis=0) for c in range(k)]) if k else np.zeros((0, codes.shape[1]), dtype=np.int64)
    )
    m = counts.sum(axis=0)
    return counts[:, m >= 2].astype(float)


def krippendorff_alpha_nominal(data: Data) -> float | None:
    """Krippendorff's alpha for nominal data: rows are coders, columns units, None (or -1) = missing.

    Built from the coincidence matrix: every ordered pair of values from different coders in a
    unit adds 1/(m_u - 1), where m_u is the number of values in that unit. Units with fewer than
    two values are not pairable and drop out. Returns None when alpha is undefined (no pairable
    unit, or only one value occurs, so there is no expected disagreement).
    """
    counts = _counts(data)
    if counts.size == 0:
        return None
    m = counts.sum(axis=0)
    weighted = counts / (m - 1)
    # o[c, k] = sum over units of counts_c * counts_k / (m - 1), minus self-pairs on the diagonal.
    o = weighted @ counts.T - np.diag(weighted.sum(axis=1))
    n_c = o.sum(axis=1)
    n = n_c.sum()
    observed = o.sum() - np.trace(o)
    expected = (n * n - (n_c**2).sum()) / (n - 1)
    if expected <= 1e-12:
        return None
    return float(1.0 - observed / expected)


def cohen_kappa(a: Sequence[Value] | np.ndarray, b: Sequence[Value] | np.ndarray) -> float | None:
    """Cohen's kappa of two coders over the units both decided (missing on either side is skipped).

    Returns None when undefined: no shared unit, or chance agreement is 1 (both coders gave one
    and the same value to everything).
    """
    pair: Data = np.stack([np.asarray(a), np.asarray(b)]) if isinstance(a, np.ndarray) else [list(a), list(b)]
    codes = _encode(pair)
    both = (codes >= 0).all(axis=0)
    x, y = codes[0, both], codes[1, both]
    n = len(x)
    if n == 0:
        return None
    k = int(max(x.max(), y.max())) + 1
    observed = float((x == y).mean())
    expected = float((np.bincount(x, minlength=k) * np.bincount(y, minlength=k)).sum()) / (n * n)
    if expected >= 1.0 - 1e-12:
        return None
    return (observed - expected) / (1.0 - expected)


def percent_agreement(data: Data) -> float | None:
    """Share of agreeing pairs among all pairs of coders' values within a unit.

    For two coders without missing values this is the plain share of units they agree on; for
    more coders, each unit counts with weight 1 (its pairs weighted 1/(m_u - 1)), as in alpha.
    """
    counts = _counts(data)
    if counts.size == 0:
        return None
    m = counts.sum(axis=0)
    agree = (counts * (counts - 1) / (m - 1)).sum()
    return float(agree / m.sum())


# --------------------------------------------------------------------------- units
@dataclass
class CoderView:
    """What one coder said, reduced to the unit model."""

    name: str
    decided: set[str] = field(default_factory=set)  # segments with any decision
    applies: dict[str, dict[str, str]] = field(default_factory=dict)  # segment → code → via code
    explicit: dict[tuple[str, str], Decision] = field(default_factory=dict)  # (segment, code) → decision
    nothing: dict[str, Decision] = field(default_factory=dict)  # segment → its "nothing applies" decision

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
        if d is not None and d.decision == "rejected":
            return "does not apply (rejected)"
        return "does not apply (nothing applies)" if segment in self.nothing else "does not apply"


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
    values: np.ndarray | None = None  # coders × segments × codes (see value_matrix)

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return list(combinations(self.coders, 2))


def _seg_key(ref: str) -> tuple[str, int]:
    return parse_segment_ref(ref)


def build_views(
    study: Study,
    coders: list[str],
    *,
    rollup: bool = False,
    transcripts: list[str] | None = None,
    machine_threshold: float | None = None,
) -> tuple[dict[str, CoderView], list[str]]:
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
        if d.code == NONE_CODE:  # decided, and no code applies: 0 for every code
            view.nothing[seg] = d
            continue
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
        notes.append(
            f"{orphans} decision(s) no longer match their passage and were left out; `grondmotief check` lists them"
        )
    if unknown:
        notes.append(f"{unknown} decision(s) name codes that are not in the codebook and were left out")
    return {c: views[c] for c in coders}, notes


def machine_view(
    study: Study, *, rollup: bool = False, transcripts: list[str] | None = None, threshold: float | None = None
) -> CoderView:
    """The suggester as a coder: it decides every coded passage; a code applies at or above the threshold."""
    try:
        from grondmotief.suggest import suggest_study
    except ImportError as exc:
        raise GrondmotiefError(
            f"coder 'machine' needs the suggester (grondmotief.suggest), which is not available ({exc.name})"
        ) from None
    limit = study.settings.suggest.threshold if threshold is None else threshold
    params = inspect.signature(suggest_study).parameters
    kwargs: dict[str, Any] = {"threshold": limit} if "threshold" in params else {}
    if transcripts and "transcripts" in params:
        kwargs["transcripts"] = transcripts
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


def _stats(code: str, label: str, group: str, coders: list[str], rows: np.ndarray) -> CodeAgreement:
    """Figures for one code (or all pooled) from a coders × units matrix of 1/0/-1 (missing)."""
    pairable = int(((rows >= 0).sum(axis=0) >= 2).sum())
    applied = {c: int((rows[i] == 1).sum()) for i, c in enumerate(coders)}
    kappa = {(coders[i], coders[j]): cohen_kappa(rows[i], rows[j]) for i, j in combinations(range(len(coders)), 2)}
    return CodeAgreement(
        code, label, group, pairable, applied, percent_agreement(rows), krippendorff_alpha_nominal(rows), kappa
    )


def value_matrix(views: dict[str, CoderView], coders: list[str], segments: list[str], codes: list[str]) -> np.ndarray:
    """coders × segments × codes: 1 applies, 0 does not, -1 the coder did not code the passage."""
    seg_index = {s: i for i, s in enumerate(segments)}
    code_index = {c: k for k, c in enumerate(codes)}
    out = np.full((len(coders), len(segments), len(codes)), -1, dtype=np.int8)
    for i, c in enumerate(coders):
        view = views[c]
        decided = [seg_index[s] for s in view.decided if s in seg_index]
        out[i, decided, :] = 0
        for seg, applies in view.applies.items():
            if seg in seg_index and seg in view.decided:
                ks = [code_index[cid] for cid in applies if cid in code_index]
                out[i, seg_index[seg], ks] = 1
    return out


def agreement(
    study: Study,
    coders: list[str],
    *,
    codes: list[str] | None = None,
    rollup: bool = False,
    transcripts: list[str] | None = None,
    machine_threshold: float | None = None,
) -> AgreementResult:
    """Agreement per code and overall (all chosen codes pooled, one unit per passage and code)."""
    if len(coders) < 2:
        raise UsageProblem(f"agreement needs at least two coders (got: {', '.join(coders) or 'none'})")
    if len(set(coders)) != len(coders):
        raise UsageProblem("a coder is named twice in --coders")
    cb = study.codebook
    chosen = list(codes) if codes else list(cb.order)
    chosen = [cb.resolve(cid) for cid in chosen]  # ids or labels, any case
    views, notes = build_views(
        study, coders, rollup=rollup, transcripts=transcripts, machine_threshold=machine_threshold
    )
    segments = sorted(set().union(*(v.decided for v in views.values())), key=_seg_key)
    values = value_matrix(views, coders, segments, chosen)
    per_code = []
    for k, cid in enumerate(chosen):
        code = cb.codes[cid]
        per_code.append(_stats(cid, code.label, code.group, coders, values[:, :, k]))
    overall = _stats("(all)", "all codes pooled", "", coders, values.reshape(len(coders), -1))
    for c in coders:
        if not views[c].decided:
            notes.append(f"coder '{c}' has no decisions in scope")
    result = AgreementResult(list(coders), chosen, rollup, per_code, overall, views, segments, notes)
    result.values = values
    return result


def rollup_hints(study: Study, result: AgreementResult, *, poor: float = 0.667) -> list[str]:
    """Parent codes whose poor agreement comes from coders splitting between the parent and its children.

    One coder applying `scarcity-abundance` itself where another applies `scarcity` reads as a
    disagreement without --rollup; the hint says so, with the alpha the parent gets rolled up.
    """
    if result.rollup:
        return []
    cb = study.codebook
    hints = []
    for ca in result.per_code:
        kids = cb.descendants(ca.code)
        if not kids or (ca.alpha is not None and ca.alpha >= poor):
            continue
        family = {ca.code, *kids}
        parent_by: dict[str, int] = {}
        child_by: dict[str, int] = {}
        split = 0
        rows = np.full((len(result.coders), len(result.segments)), -1, dtype=np.int64)
        for u, seg in enumerate(result.segments):
            direct, via = [], []
            for i, c in enumerate(result.coders):
                view = result.views[c]
                if seg not in view.decided:
                    continue
                applied = view.applies.get(seg, {})
                rows[i, u] = 1 if family & set(applied) else 0  # the parent rolled up
                if ca.code in applied:
                    direct.append(c)
                elif any(k in applied for k in kids):
                    via.append(c)
            if direct and via:
                split += 1
                for c in direct:
                    parent_by[c] = parent_by.get(c, 0) + 1
                for c in via:
                    child_by[c] = child_by.get(c, 0) + 1
        if not split:
            continue
        rolled = krippendorff_alpha_nominal(rows)
        alpha = "—" if ca.alpha is None else f"{ca.alpha:.3f}"
        hints.append(
            f"{ca.code} (alpha {alpha}): on {split} passage(s) {_names(parent_by)} coded the parent itself where "
            f"{_names(child_by)} coded a child ({', '.join(kids)}); try --rollup to compare at the parent's level"
            + (f" (alpha {rolled:.3f} there)" if rolled is not None else "")
        )
    return hints


def _names(counts: dict[str, int]) -> str:
    return " and ".join(sorted(counts, key=lambda c: (-counts[c], c)))


def disagreements(study: Study, result: AgreementResult) -> list[Disagreement]:
    """Every (passage, code) where coders who decided the passage differ, in transcript order."""
    cb = study.codebook
    values = (
        result.values
        if result.values is not None
        else value_matrix(result.views, result.coders, result.segments, result.codes)
    )
    # A unit differs when both a 1 and a 0 occur among the coders.
    differs = (values == 1).any(axis=0) & (values == 0).any(axis=0)
    out = []
    for u, k in zip(*np.nonzero(differs), strict=True):
        seg, cid = result.segments[u], result.codes[k]
        segment = study.segment(seg)
        memos = {}
        for c in result.coders:
            d = result.views[c].explicit.get((seg, cid)) or result.views[c].nothing.get(seg)
            if d is not None and d.memo:
                memos[c] = d.memo
        vals = {c: (None if v < 0 else int(v)) for c, v in zip(result.coders, values[:, u, k], strict=True)}
        out.append(
            Disagreement(
                seg,
                cid,
                cb.codes[cid].label,
                segment.text,
                {c: result.views[c].describe(seg, cid) for c in result.coders},
                memos,
                vals,
            )
        )
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


TEXT_WITHHELD = "(text withheld: may contain personal data)"
MEMO_WITHHELD = "(memo withheld: may contain personal data)"


def screen_disagreements(study: Study, items: list[Disagreement]) -> tuple[list[Disagreement], list[tuple[str, str]]]:
    """The disagreements with flagged passage texts and memos replaced, as `quote` screens quotes.

    `agree --disagreements --format md` is the list handed round a team meeting. Returns the
    screened items and (passage or passage/memo, kinds) for each replacement, never the text.
    """
    from dataclasses import replace

    from grondmotief.privacy.detector import kinds, scan_text

    privacy = study.settings.privacy
    out: list[Disagreement] = []
    withheld: list[tuple[str, str]] = []
    text_found: dict[str, str] = {}
    for d in items:
        if d.segment not in text_found:
            text_found[d.segment] = kinds(scan_text(d.text, privacy))
            if text_found[d.segment]:
                withheld.append((d.segment, text_found[d.segment]))
        memos = {}
        for coder, memo in d.memos.items():
            found = kinds(scan_text(memo, privacy))
            memos[coder] = MEMO_WITHHELD if found else memo
            if found:
                withheld.append((f"{d.segment} / {d.code} memo of {coder}", found))
        out.append(replace(d, text=TEXT_WITHHELD if text_found[d.segment] else d.text, memos=memos))
    return out, withheld
