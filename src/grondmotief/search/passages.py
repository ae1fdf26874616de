"""The study's coded passages with their parsed tokens, read from the suggest cache.

A warm cache gives each transcript's segments (its index) and tokens with lemmas (its parsed
arrays) without YAML or spaCy; a transcript that is new or edited is parsed once (spaCy loads
then) and its cache written, so the next search is warm. Results caches are left alone.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from grondmotief.study.folder import Study
from grondmotief.study.transcripts import Segment
from grondmotief.suggest.parse_lists import LIST_TOKENS, is_lists

if TYPE_CHECKING:
    from grondmotief.search.query import Matcher, Query, Term
    from grondmotief.suggest.parse import Parsed
    from grondmotief.suggest.rules import Rule

TERMS_KEPT = 500  # query terms whose compiled rules are kept


@dataclass
class TranscriptPassages:
    transcript: str
    segments: list[Segment]  # coded segments, in paragraph order
    keys: list[str]  # each segment's cache key (a hash of its text)
    parsed: Parsed | None  # None unless asked for

    def texts(self, wanted: set[str] | None = None) -> dict[str, str]:
        """Segment key → text, for the segments whose id is in `wanted` (default: all)."""
        return {k: s.text for s, k in zip(self.segments, self.keys, strict=True) if wanted is None or s.id in wanted}


class PassageReader:
    """Reads transcripts through the suggest engine's cache (one Engine, no model, no coder)."""

    def __init__(self, study: Study) -> None:
        from grondmotief.suggest.engine import Engine

        self.study = study
        self.engine = Engine(study, None, use_model=False)
        self.parsed_transcripts = 0  # how many had to be parsed (a cold or partly cold cache)
        self._list_tokens = 0  # tokens read as Python arrays so far (parse_lists.py)
        self._terms: dict[str, object] | None = None
        self._terms_path = study.cache_dir / "search" / "terms.bin"
        from grondmotief.core import cachefile as cache
        from grondmotief.suggest import rules

        self._terms_key = cache.digest(rules.ENGINE, self.engine.pipeline_version)

    def read(self, transcripts: list[str] | None = None, *, parse: bool = True) -> Iterator[TranscriptPassages]:
        """Per transcript file (in id order), its passages; with `parse`, their tokens too.
        The cache is written as transcripts are parsed and flushed when the caller is done."""
        from grondmotief.suggest.engine import transcript_files

        eng = self.engine
        try:
            for path, expect in transcript_files(self.study, transcripts):
                f = eng.open_file(path, expect)
                parsed = None
                if parse:
                    before = eng.stats.parsed_transcripts
                    # A small study's tokens are walked in Python sooner than numpy is imported.
                    lists = self._list_tokens < LIST_TOKENS and "numpy" not in sys.modules
                    parsed, _ = eng.ensure_parsed(f, lists=lists)
                    if is_lists(parsed):
                        self._list_tokens += len(parsed.lemma)
                    self.parsed_transcripts += eng.stats.parsed_transcripts - before
                if f.changed:
                    f.cache.save(eng.writer)
                yield TranscriptPassages(f.tid, f.segs, f.keys, parsed)
        finally:
            eng.writer.flush()

    def matcher(self, query: Query) -> Matcher:
        """The query's matcher, its terms' rules from the search cache where known."""
        from grondmotief.search.query import Matcher

        if not query.needs_parse:
            return Matcher(query)
        return Matcher(query, rules_of=self._term_rules)

    def _term_rules(self, i: int, term: Term) -> list[Rule]:
        """A term's rules, cached in .grondmotief/search/terms.bin per pipeline version:
        compiling lemmatises the term, and loading the lexicon for that costs seconds."""
        import json

        from grondmotief.core import cachefile as cache
        from grondmotief.search.query import term_rules
        from grondmotief.suggest import rules

        if self._terms is None:
            got = cache.read(self._terms_path)
            self._terms = {}
            if got is not None and got[0].get("key") == self._terms_key:
                try:
                    self._terms = dict(json.loads(got[1].decode("utf-8")))
                except (TypeError, ValueError):
                    self._terms = {}
        raw = self._terms.get(term.text)
        if isinstance(raw, list):
            try:
                return [rules.Rule.from_json(dict(r, code=str(i))) for r in raw]
            except (KeyError, TypeError, ValueError):
                pass
        compiled = term_rules(i, term, self.lemmatizer())
        self._terms[term.text] = [r.to_json() for r in compiled]
        if len(self._terms) > TERMS_KEPT:  # the oldest first out
            self._terms = dict(list(self._terms.items())[-TERMS_KEPT:])
        data = json.dumps(self._terms, ensure_ascii=False).encode("utf-8")
        cache.write(self._terms_path, {"key": self._terms_key}, data)
        return compiled

    def lemmatizer(self) -> Callable[[str], str]:
        """How query words are lemmatised: as the study's pipeline lemmatises codebook keywords
        (the default pipeline without spaCy; an installed one loads)."""
        from grondmotief.nlp import pipeline as nlp
        from grondmotief.search.query import default_lemma

        name = self.study.settings.nlp.pipeline
        if name == nlp.DEFAULT_PIPELINE:
            return default_lemma
        from grondmotief.suggest import pipeline

        loaded = pipeline.load(name)
        return lambda w: pipeline.lemmatize_keyword(loaded, w)
