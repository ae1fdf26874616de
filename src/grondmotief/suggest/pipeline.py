"""The Dutch pipeline as the suggester uses it: a thin layer over `grondmotief.nlp.pipeline`.

`grondmotief.nlp.pipeline` builds the offline pipeline (`grondmotief-nl`: lower-case `lemma_`, compound
heads) or loads an installed spaCy pipeline named in settings `nlp.pipeline`. Importing this
module is cheap; spaCy loads only when a pipeline is asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from grondmotief.nlp import pipeline as gm_nlp


@lru_cache(maxsize=4)
def load(name: str) -> Any:
    """The loaded spaCy pipeline (once per process)."""
    return gm_nlp.load_pipeline(name)


@lru_cache(maxsize=4)
def version(name: str) -> str:
    """Identifies the pipeline's behaviour; part of every cache key, so an upgrade re-parses."""
    return str(gm_nlp.pipeline_version(name))


def lemmatize_keyword(nlp: Any, word: str) -> str:
    """The lemma of a codebook word as the study's pipeline lemmatises it in running text."""
    return keyword_lemmatizer(nlp)(word)


def keyword_lemmatizer(nlp: Any) -> Callable[[str], str]:
    """`lemmatize_keyword` for many words: `nlp.meta` copies the pipeline's metadata on every
    read, which cost more than lemmatising a codebook's thousand keywords."""
    if nlp.meta.get("name") == "grondmotief_nl":
        return lambda word: str(gm_nlp.lemmatize(word)).lower()

    def installed(word: str) -> str:  # an installed pipeline: its own lemmatiser, on the word alone
        doc = nlp(word)
        return doc[0].lemma_.lower() if len(doc) == 1 and doc[0].lemma_ else word.lower()

    return installed


def compound_head_fn() -> Callable[[str], str | None]:
    """The head lemma of a compound (prestatieafspraak -> afspraak), or None for a simple word."""
    return gm_nlp.compound_head  # type: ignore[no-any-return]


def compound_modifier_fn() -> Callable[[str], bool]:
    """Whether a string can be the left part of a compound (wijk in wijkverbinder: a noun,
    adjective or verb stem, with a linking -s-, -e-, -en-), so a keyword can be its head."""
    from grondmotief.nlp.compounds import _modifier_score  # the splitter's own test

    return lambda m: _modifier_score(m) >= 1
