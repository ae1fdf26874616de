"""From evidence to a score in [0, 1].

Each rule that fired contributes its kind's weight once, plus a little for every repeat
(a passage that says "subsidie" five times is more about subsidies than one that says it
once, but not five times more). Distinct rules add up. The sum S becomes a score by
1 - exp(-S / SCALE): one exact keyword gives 0.45, two different ones 0.70, three 0.84;
a compound head alone (0.26) stays under the default threshold of 0.35. Long passages
collect chance hits, so S is damped by the square root of the length beyond LONG tokens.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from grondmotief.suggest.results import HEAD, KEYWORD, LOOSE, PATTERN, PHRASE, SPLIT, STEM, Evidence

WEIGHTS = {KEYWORD: 1.0, STEM: 0.9, HEAD: 0.5, PHRASE: 1.3, LOOSE: 0.9, SPLIT: 0.9, PATTERN: 1.0}
REPEAT = 0.3  # extra weight per doubling of a rule's count (log scale)
SCALE = 1.0 / -math.log(1 - 0.45)  # one keyword → 0.45
LONG = 120  # tokens; longer passages are damped


def keyword_score(evidence: Iterable[Evidence], n_tokens: int) -> float:
    best: dict[str, float] = {}
    count: dict[str, int] = {}
    for ev in evidence:
        kind = ev.kind
        rule = "keyword:" + ev.rule[5:] if kind == HEAD else ev.rule  # head:afspraak is keyword:afspraak
        w = WEIGHTS[kind]
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
    return 1.0 - math.exp(-total / SCALE)


def blend(keyword: float, model: float) -> float:
    """The keyword score, raised halfway towards the model's probability when that is higher;
    never lowered. Cross-validated on the demo coders, a model learnt from a few hundred
    decisions is too weak to overrule keyword evidence: a plain mean cost 0.05 theme and 0.09
    motive macro-F1, while this keeps the keyword engine's figures and lets a confident model
    (p >= 0.7 with no keyword) add passages the keywords miss."""
    return max(keyword, (keyword + model) / 2)
