"""How informative a Dutch word is, from its frequency: "gemeente" says little, "verantwoording" much."""

from __future__ import annotations

from functools import lru_cache

from grondmotief.nlp.lexicon import fold
from grondmotief.nlp.zipf import zipf

COMMON_ZIPF = 6.0  # as frequent as "maar" or more: no information
RARE_ZIPF = 3.0  # as rare as this or rarer: full weight (a description's words)
# A keyword is chosen by the researcher: only the everyday ones (geld, samen, betalen) lose
# much weight, and one as common as "plezier" (Zipf 5.0) keeps two thirds of it.
KEYWORD_RARE_ZIPF = 4.0


@lru_cache(maxsize=100_000)
def informativeness(lemma: str, common: float = COMMON_ZIPF, rare: float = RARE_ZIPF) -> float:
    """0 (a word in every sentence) .. 1 (a rare word), from Dutch word frequencies."""
    z = zipf(lemma)
    if z == 0.0:  # unknown to the list: rare, or a compound the list does not hold
        return 1.0
    return min(1.0, max(0.0, (common - z) / (common - rare)))


def phrase_informativeness(words: list[str], stop: frozenset[str]) -> float:
    """A keyword's or phrase's: a phrase says more than its words, so their informativeness
    combines like independent evidence (1 - product of 1 - each); stop words add nothing."""
    rest = 1.0
    for w in words:
        if w and w not in stop:
            rest *= 1.0 - informativeness(fold(w), rare=KEYWORD_RARE_ZIPF)
    return round(1.0 - rest, 6)
