"""`g` and `f` in the review loop: go to a passage by its id, find the next one containing words.

A passage id is accepted the way people type it: `org09¶10`, `org09#10`, `org09:10`, `org09 10`
(¶ is hard to type), or a bare `10` for a paragraph of the interview on screen.

Words are matched the way codebook keywords match (suggest/match.py's `KeywordMatcher`, with
rules built from what was typed): `vergunning` also finds vergunningen, `aanvragen` finds
aangevraagd, `subsidie*` is a stem, and `aanvraag` finds the compound subsidieaanvraag. Every
word typed must occur in the passage, in any order. Lemmas come from grondmotief's own Dutch
lemmatiser (no spaCy pipeline to load), memoised per word form.
"""

from __future__ import annotations

import re
from functools import lru_cache

from grondmotief.core.errors import GrondmotiefError
from grondmotief.study.folder import Study
from grondmotief.study.transcripts import Segment

_REF = re.compile(r"^\s*(?:(?P<tid>[A-Za-z0-9][A-Za-z0-9_-]{0,63})\s*(?:[¶#:.]|\s)\s*)?¶?(?P<n>\d{1,7})\s*$")
_TOKEN = re.compile(r"\w+(?:['’-]\w+)*")


def parse_passage(study: Study, typed: str, current: str | None = None) -> str:
    """The citation id meant by what was typed; a clear error when there is no such passage."""
    m = _REF.match(typed)
    if not m:
        raise GrondmotiefError(f"'{typed.strip()}' is not a passage id: type org09¶10, org09:10 or org09 10")
    tid = m["tid"] or current
    if tid is None:
        raise GrondmotiefError(f"'{typed.strip()}': which interview? Type org09 10")
    if tid not in study.transcripts:
        folded = {t.lower(): t for t in study.transcripts}
        if tid.lower() not in folded:
            from grondmotief.core.lookup import did_you_mean

            hint = did_you_mean(tid, study.transcripts)
            raise GrondmotiefError(
                f"no interview '{tid}' in this study{hint} (have: {', '.join(sorted(study.transcripts))})"
            )
        tid = folded[tid.lower()]
    t = study.transcripts[tid]
    n = int(m["n"])
    if t.segment(n) is None:
        raise GrondmotiefError(f"{tid} has paragraphs ¶1 to ¶{len(t.segments)}, not ¶{n}")
    return f"{tid}¶{n}"


class WordFinder:
    """Does a passage contain every word of a query, in any of its forms?"""

    def __init__(self, query: str) -> None:
        from grondmotief.suggest.match import KeywordMatcher
        from grondmotief.suggest.rules import Rule, Word, fold

        self.words = [w for w in query.lower().split() if w.strip("*")]
        rules = []
        for w in self.words:
            if w.endswith("*"):
                word = Word(frozenset(), fold(w[:-1]))
            else:
                word = Word(frozenset({fold(w), fold(_lemma(w))}), None)
            rules.append(Rule(w, f"word:{w}", (word,), head=True))
        self._matcher = KeywordMatcher(rules, head=_head)

    def found(self, text: str) -> bool:
        if not self.words:
            return False
        hit: set[int] = set()
        for token in _TOKEN.findall(text):
            lemma_hits, form_hits = self._matcher.lemma_hits(_lemma(token)), self._matcher.form_hits(token)
            hit.update(i for i, _ in lemma_hits)
            hit.update(i for i, _ in form_hits)
            if len(hit) == len(self.words):
                return True
        return False


def find_next(queue: list[Segment], index: int, query: str) -> tuple[int | None, bool]:
    """The next passage after `index` containing the words (wrapping to the top); and whether it wrapped."""
    finder = WordFinder(query)
    n = len(queue)
    for step in range(1, n + 1):
        i = (index + step) % n
        if finder.found(queue[i].text):
            return i, index + step >= n
    return None, False


@lru_cache(maxsize=100_000)
def _lemma(word: str) -> str:
    from grondmotief.nlp.lemmas import lemmatize

    return lemmatize(word)


def _head(lemma: str) -> str | None:
    from grondmotief.nlp.compounds import compound_head

    return compound_head(lemma)
