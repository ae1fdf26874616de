"""From evidence to a score in [0, 1].

Each rule that fired contributes its kind's weight once, plus a little for every repeat
(a passage that says "subsidie" five times is more about subsidies than one that says it
once, but not five times more). Distinct rules add up. The sum S becomes a score by
1 - exp(-S / SCALE): one exact keyword gives 0.45, two different ones 0.70, three 0.84;
a compound head alone (omgevingsvergunning for `vergunning`) gives 0.38, just over the default
threshold of 0.35: the head of a Dutch compound names what the thing is. Long passages
collect chance hits, so S is damped by the square root of the length beyond LONG tokens.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from grondmotief.suggest.results import HEAD, KEYWORD, LOOSE, PATTERN, PHRASE, SPLIT, STEM, Evidence

WEIGHTS = {KEYWORD: 1.0, STEM: 0.9, HEAD: 0.8, PHRASE: 1.3, LOOSE: 0.9, SPLIT: 0.9, PATTERN: 1.0}
REPEAT = 0.3  # extra weight per doubling of a rule's count (log scale)
SCALE = 1.0 / -math.log(1 - 0.45)  # one keyword → 0.45
LONG = 120  # tokens; longer passages are damped


def keyword_score(
    evidence: Iterable[Evidence], n_tokens: int, extra: float = 0.0, info: dict[str, float] | None = None
) -> float:
    """The score of this evidence; `extra` is already-weighed evidence added to the sum
    (the codebook profile's, negative for exclude words); `info`: per rule label, how
    informative its keyword is (see informed())."""
    return to_score(keyword_sum(evidence, n_tokens, info) + extra)


INFO_FLOOR = 0.3  # the weight left to a keyword as common as "maar"


def informed(info: float) -> float:
    """A rule's weight factor from its keyword's informativeness: a keyword as everyday as
    "geld" or "samen" fires often outside its code, so it counts for less than "beschikking"."""
    return INFO_FLOOR + (1.0 - INFO_FLOOR) * info


def to_score(total: float) -> float:
    return 1.0 - math.exp(-total / SCALE) if total > 0 else 0.0


def keyword_sum(evidence: Iterable[Evidence], n_tokens: int, info: dict[str, float] | None = None) -> float:
    best: dict[str, float] = {}
    count: dict[str, int] = {}
    for ev in evidence:
        kind = ev.kind
        if kind not in WEIGHTS:  # profile and model evidence are weighed elsewhere
            continue
        rule = "keyword:" + ev.rule[5:] if kind == HEAD else ev.rule  # head:afspraak is keyword:afspraak
        w = WEIGHTS[kind]
        if info is not None:
            w *= informed(info.get(rule, 1.0))
        if rule in best:
            count[rule] += 1
            if w > best[rule]:
                best[rule] = w
        else:
            best[rule] = w
            count[rule] = 1
    if not best:
        return 0.0
    total = sum(w * (1 + REPEAT * math.log2(count[r])) for r, w in best.items())
    if n_tokens > LONG:
        total /= math.sqrt(n_tokens / LONG)
    return total


def blend(keyword: float, model: float) -> float:
    """The keyword score, raised halfway towards the model's probability when that is higher;
    never lowered. Cross-validated on the demo coders, a model learnt from a few hundred
    decisions is too weak to overrule keyword evidence: a plain mean cost 0.05 theme and 0.09
    motive macro-F1, while this keeps the keyword engine's figures and lets a confident model
    (p >= 0.7 with no keyword) add passages the keywords miss."""
    return max(keyword, (keyword + model) / 2)


COMPETE = 1.0  # exponent: a code at half the leader's score keeps half of its own


def compete(scores: dict[str, float], codes: set[str]) -> dict[str, float]:
    """Among competing codes (a group whose codes a passage mostly has one of: the themes), a
    code behind the leader is scaled by its share of the leader's score, so what is shown
    above the threshold is the main theme and close seconds, not every theme a word touched.
    The order is unchanged."""
    top = max((v for c, v in scores.items() if c in codes), default=0.0)
    if top <= 0:
        return scores
    return {c: (v * (v / top) ** COMPETE if c in codes and 0 < v < top else v) for c, v in scores.items()}


GATE_EVEN = 0.5  # the group model's probability at which the leader's score stays as it is


def gate(scores: dict[str, float], codes: set[str], about: float) -> dict[str, float]:
    """A competing group's leader is scaled by `about`, the group model's probability that the
    passage is about some code of the group at all, relative to even odds (x2 at 1.0, x1 at 0.5,
    0 at 0); the others follow it down, never up, so the group's order is unchanged. A theme
    passage whose leader fell short of the threshold then gets it, and one about no theme loses
    a weak leader. Chosen on the development set (tests/fixtures/suggest/dev: passages without a
    theme suggestion 0.16 -> 0.08, false themes unchanged at 0.17) and the demo coders (unchanged);
    a geometric mean of score and `about` gave 0.04 but false themes 0.23 and demo F1 -0.01."""
    top = max((v for c, v in scores.items() if c in codes), default=0.0)
    if top <= 0:
        return scores
    f = max(0.0, about) / GATE_EVEN
    return {
        c: ((min(1.0, v * f) if v == top else min(v, v * f)) if c in codes and v > 0 else v) for c, v in scores.items()
    }
