"""Evidence from the whole codebook: a code's label, definition, criteria and examples, word by word.

A researcher writes what a code means anyway; respondents talk about it in words the keyword
list never names. Every content word (lemma) of a code's label, definition, include criteria
and examples is weak evidence for the code; words of its exclude criteria count against it.
A word weighs what it tells apart:
- how informative it is in Dutch: wordfreq's Zipf frequency (a few times per billion words is
  Zipf 3, "de" is 7.7): "gemeente" (5.4) counts for little, "verantwoording" (4.1) for much;
- how many codes of the same group use it: a word in three themes' descriptions says little
  about which theme a passage is about, so its weight is divided among them.
A compound whose head is a profile word (omgevingsvergunning: vergunning) counts at HEAD_SHARE.
The evidence carries the field it came from: `definition:verantwoording`, `example:aanvraag`. Words of the codebook's
own description and its groups' (gemeente, vrijwilliger) describe the whole study: no evidence.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from grondmotief.nlp.lexicon import fold
from grondmotief.study.codebook import Codebook
from grondmotief.suggest.informativeness import informativeness
from grondmotief.suggest.rules import _head_noun

FIELDS = ("label", "keywords", "include", "definition", "example")  # strongest first: a word keeps its best field
FIELD_WEIGHT = {"label": 1.0, "keywords": 1.0, "include": 0.9, "definition": 0.8, "example": 0.8}
EXCLUDE_WEIGHT = 0.7  # an exclude word counts this much against the code
HEAD_SHARE = 0.7
MIN_LEN = 3


@dataclass(frozen=True)
class Entry:
    code: str
    field: str  # label, keywords, include, definition, example, exclude
    weight: float  # negative for exclude


def code_texts(codebook: Codebook, code: str, keywords: bool = True) -> list[tuple[str, str]]:
    """(field, text) pairs that describe a code, in a fixed order; `keywords`: its one-word
    keywords as one text too (for the seed model; the profile leaves them to the keyword rules)."""
    spec = codebook.codes[code].spec
    out = [("label", spec.label), ("definition", spec.definition)]
    out += [("include", t) for t in spec.include]
    out += [("example", t) for t in spec.examples]
    if keywords:
        out += [("keywords", " ".join(k.rstrip("*") for k in spec.keywords if " " not in k))]
    out += [("exclude", t) for t in spec.exclude]
    return [(f, t) for f, t in out if t and t.strip()]


def content_lemmas(nlp: Any, texts: Iterable[str], stop: frozenset[str]) -> list[list[str]]:
    """Folded content lemmas of each text, as the pipeline lemmatises running text."""
    out = []
    for doc in nlp.pipe(list(texts), batch_size=64):
        lemmas = []
        for tok in doc:
            lem = fold(tok.lemma_ or tok.text)
            if len(lem) < MIN_LEN or not lem.replace("-", "").isalpha() or lem in stop or tok.lower_ in stop:
                continue
            if tok.like_num:  # drie, vijf: counts, not topics
                continue
            lemmas.append(lem)
        out.append(lemmas)
    return out


def domain_texts(codebook: Codebook) -> list[str]:
    """What the codebook says about the whole study (its description and its groups'): words
    every passage may use (gemeente, vrijwilliger), evidence for no code in particular."""
    out = [codebook.data.description] + [g.description for g in codebook.groups.values()]
    return [t for t in out if t and t.strip()]


def build(codebook: Codebook, nlp: Any, stop: frozenset[str]) -> dict[str, list[Entry]]:
    """lemma → the codes it is evidence for (or against), with weights."""
    jobs = [(code, f, t) for code in codebook.order for f, t in code_texts(codebook, code, keywords=False)]
    lemmas = content_lemmas(nlp, (t for _, _, t in jobs), stop)
    domain = {lem for lems in content_lemmas(nlp, domain_texts(codebook), stop) for lem in lems}
    best: dict[tuple[str, str], str] = {}  # (code, lemma) → its strongest positive field
    against: set[tuple[str, str]] = set()
    for (code, f, _), lems in zip(jobs, lemmas, strict=True):
        for lem in lems:
            if lem in domain:
                continue
            if f == "exclude":
                against.add((code, lem))
            elif (code, lem) not in best or FIELDS.index(f) < FIELDS.index(best[(code, lem)]):
                best[(code, lem)] = f
    group_of = {c: codebook.codes[c].group for c in codebook.order}
    spread: dict[tuple[str, str], int] = {}  # (group, lemma) → codes using it positively
    for code, lem in best:
        spread[(group_of[code], lem)] = spread.get((group_of[code], lem), 0) + 1
    out: dict[str, list[Entry]] = {}
    for (code, lem), f in sorted(best.items(), key=lambda kv: (kv[0][1], codebook.order.index(kv[0][0]))):
        w = FIELD_WEIGHT[f] * informativeness(lem) / spread[(group_of[code], lem)]
        if w > 0:
            out.setdefault(lem, []).append(Entry(code, f, round(w, 6)))
    for code, lem in sorted(against):
        if (code, lem) in best:
            continue  # described both ways: the criteria disagree, so neither counts
        w = EXCLUDE_WEIGHT * informativeness(lem)
        if w > 0:
            out.setdefault(lem, []).append(Entry(code, "exclude", -round(w, 6)))
    return out


def to_json(profile: dict[str, list[Entry]]) -> list[Any]:
    return [[lem, [[e.code, e.field, e.weight] for e in entries]] for lem, entries in sorted(profile.items())]


def from_json(data: list[Any]) -> dict[str, list[Entry]]:
    return {str(lem): [Entry(str(c), str(f), float(w)) for c, f, w in entries] for lem, entries in data}


def damp(total: float, n_tokens: int, long: int) -> float:
    """Long passages collect chance hits: damp beyond `long` tokens, as the keyword score does."""
    return total / math.sqrt(n_tokens / long) if n_tokens > long else total


class ProfileMatcher:
    """Per passage: each code's profile evidence, one piece per distinct lemma."""

    def __init__(self, profile: dict[str, list[Entry]], head: Callable[[str], str | None] | None) -> None:
        self.profile = profile
        self.head = head
        self._memo: dict[str, tuple[str, list[Entry], float] | None] = {}

    def lookup(self, lemma: str) -> tuple[str, list[Entry], float] | None:
        """(matched profile word, entries, share) for a passage lemma, memoised."""
        if lemma in self._memo:
            return self._memo[lemma]
        got: tuple[str, list[Entry], float] | None = None
        entries = self.profile.get(lemma)
        if entries:
            got = (lemma, entries, 1.0)
        elif self.head is not None and len(lemma) >= 2 * MIN_LEN:
            h = self.head(lemma)
            if h and h != lemma and _head_noun(fold(h)):
                h = fold(h)
                if self.profile.get(h):
                    got = (h, self.profile[h], HEAD_SHARE)
        self._memo[lemma] = got
        return got
