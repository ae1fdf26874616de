"""A search query and the matcher it compiles to.

QUERY is one or more terms; a passage matches when every term occurs in it:
- `wachtlijst`: a word, matched as codebook keywords are (suggest/rules.py): its lemma forms
  (wachtlijsten), compounds it heads (thuiszorgwachtlijst), and for a separable verb its split
  forms (`meedenken` finds "dacht echt mee", "mee te denken");
- `subsidie*`: a stem: lemmas and forms that start with it (subsidieaanvraag);
- `"op tijd informeren"`: a phrase, its words' lemmas in order (a phrase with a verb also
  close together in another order, as codebook phrases do).
`exact=True` matches the typed word forms only (case-insensitive, whole words, `stem*` still a
prefix); `regex=True` takes QUERY as one Python regular expression, case-insensitive. Neither
needs the parsed passages.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from grondmotief.core.errors import UsageProblem

if TYPE_CHECKING:
    from grondmotief.suggest.match import KeywordMatcher
    from grondmotief.suggest.parse import Parsed
    from grondmotief.suggest.rules import Rule

DUTCH, EXACT, REGEX = "dutch", "exact", "regex"


@dataclass(frozen=True)
class Term:
    text: str  # as typed, lower-case, whitespace collapsed: wachtlijst, subsidie*, op tijd informeren

    @property
    def phrase(self) -> bool:
        return " " in self.text

    @property
    def stem(self) -> bool:
        return not self.phrase and self.text.endswith("*")


@dataclass(frozen=True)
class Query:
    raw: str
    terms: tuple[Term, ...]
    mode: str = DUTCH

    @property
    def needs_parse(self) -> bool:
        """Whether matching needs each passage's tokens and lemmas (only Dutch-aware terms do)."""
        return self.mode == DUTCH


@dataclass(frozen=True)
class Match:
    start: int  # code points into the passage text, end-exclusive
    end: int
    term: int  # index into Query.terms (0 for a regex)
    kind: str  # keyword, stem, head, phrase, loose, split (see suggest/results.py), exact, regex
    lemma: str = ""


def parse_query(raw: str, *, exact: bool = False, regex: bool = False) -> Query:
    """Split QUERY into terms ("double quotes" make a phrase); a usage problem when it is empty,
    unbalanced, or (with regex) not a valid expression."""
    if exact and regex:
        raise UsageProblem("--exact and --regex exclude each other")
    if regex:
        try:
            re.compile(raw)
        except re.error as exc:
            raise UsageProblem(f"QUERY is not a valid regular expression: {exc}") from None
        if not raw:
            raise UsageProblem("QUERY is empty")
        return Query(raw, (Term(raw),), REGEX)
    lex = shlex.shlex(raw.replace("“", '"').replace("”", '"'), posix=True)
    lex.quotes, lex.escape, lex.whitespace_split = '"', "", True  # 's avonds stays a word
    try:
        parts = list(lex)
    except ValueError:
        raise UsageProblem(f"QUERY '{raw}': a phrase's closing quote is missing") from None
    terms: list[Term] = []
    for part in parts:
        text = " ".join(part.lower().split())
        if not text.strip("*"):
            continue
        if Term(text) not in terms:
            terms.append(Term(text))
    if not terms:
        raise UsageProblem('QUERY is empty: give a word, a stem* or a "phrase"')
    return Query(raw, tuple(terms), EXACT if exact else DUTCH)


class Matcher:
    """Finds a query's terms in passages. Dutch-aware matching works on a transcript's `Parsed`
    tokens (the suggest cache) through the codebook's own KeywordMatcher; exact and regex
    matching work on the text alone."""

    def __init__(
        self,
        query: Query,
        lemma_of: Callable[[str], str] | None = None,
        rules_of: Callable[[int, Term], list[Rule]] | None = None,
    ) -> None:
        """`rules_of(i, term)`: the term's compiled rules with code str(i), e.g. from a cache
        (compiling means lemmatising, which loads the lexicon); default: compiled here."""
        self.query = query
        self._regex: re.Pattern[str] | None = None
        self._kw: KeywordMatcher | None = None
        if query.mode == REGEX:
            self._regex = re.compile(query.raw, re.IGNORECASE)
        elif query.mode == EXACT:
            self._regex = re.compile("|".join(f"(?P<t{i}>{_exact(t)})" for i, t in enumerate(query.terms)), re.I)
        else:
            lemma = lemma_of or default_lemma
            self._kw = _keyword_matcher(query, rules_of or (lambda i, t: term_rules(i, t, lemma)))

    def match_text(self, text: str) -> list[Match]:
        """Exact and regex queries: the matches in one passage (every term present), else []."""
        assert self._regex is not None, "a Dutch-aware query needs the parsed passages"
        kind = "regex" if self.query.mode == REGEX else "exact"
        out = []
        for m in self._regex.finditer(text):
            if m.end() == m.start():
                continue
            term = 0 if self.query.mode == REGEX else int((m.lastgroup or "t0")[1:])
            out.append(Match(m.start(), m.end(), term, kind, m.group().lower()))
        return _outermost(out) if len({m.term for m in out}) == len(self.query.terms) else []

    def match_parsed(self, parsed: Parsed, texts: dict[str, str]) -> dict[str, list[Match]]:
        """Per segment key of `texts` (all in `parsed`): its matches in text order, for the
        passages where every term occurs."""
        if self._kw is None:
            return {k: got for k, t in texts.items() if (got := self.match_text(t))}
        from grondmotief.suggest.match import TranscriptHits

        parsed.flags = None  # flags that came fresh from the pipeline are the codebook matcher's
        found = self._kw.match_all(TranscriptHits(self._kw, parsed), texts)
        out = {}
        n = len(self.query.terms)
        for key, evs in found.items():
            got = [Match(ev.start, ev.end, int(code), ev.kind, ev.lemma) for code, ev in evs]
            if len({m.term for m in got}) == n:
                out[key] = _outermost(got)
        return out


def default_lemma(word: str) -> str:
    """A query word's lemma as the default pipeline (grondmotief-nl) lemmatises it; no spaCy."""
    from grondmotief.nlp import pipeline as nlp

    return str(nlp.lemmatize(word)).lower()


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """Dutch stop words (spaCy's list, copied into the package: reading it costs no spaCy start-up)."""
    from importlib.resources import files

    text = files("grondmotief").joinpath("data/stopwords/nl.txt").read_text(encoding="utf-8")
    return frozenset(w for w in text.split("\n") if w and not w.startswith("#"))


def term_rules(i: int, term: Term, lemma_of: Callable[[str], str]) -> list[Rule]:
    """A term compiled as a codebook keyword of a code named str(i)."""
    from grondmotief.suggest.rules import keyword_rules

    return keyword_rules(str(i), term.text, lemma_of, stop_words())


def _keyword_matcher(query: Query, rules_of: Callable[[int, Term], list[Rule]]) -> KeywordMatcher:
    from grondmotief.suggest import pipeline
    from grondmotief.suggest.match import KeywordMatcher

    stop = stop_words()
    rules = [r for i, t in enumerate(query.terms) for r in rules_of(i, t)]
    return KeywordMatcher(rules, pipeline.compound_head_fn(), stop, pipeline.compound_modifier_fn())


def _exact(term: Term) -> str:
    words = term.text.split(" ")
    parts = [re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w) for w in words]
    return r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)"


def _outermost(matches: list[Match]) -> list[Match]:
    """Drop a match inside another one (a keyword inside a phrase of another term), so each
    piece of text is shown once; matches are in text order."""
    out: list[Match] = []
    for m in sorted(matches, key=lambda m: (m.start, -m.end, m.term)):
        if out and m.start >= out[-1].start and m.end <= out[-1].end:
            continue
        out.append(m)
    return out
