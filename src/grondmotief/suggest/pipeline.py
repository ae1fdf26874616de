"""The Dutch pipeline as the suggester uses it.

`grondmotief.nlp` (the offline pipeline: lower-case `lemma_`, `Token._.gm_head` for compound
heads) is the real thing. While it is absent, a stand-in keeps the suggester usable: a blank
Dutch tokenizer with the lookup lemmas of spacy-lookups-data. Everything here imports spaCy,
so only the functions that need a pipeline import this module.
"""

from __future__ import annotations

from functools import lru_cache
from types import ModuleType
from typing import Any

from grondmotief.errors import NlpError

FALLBACK = "fallback"


def _nlp_module() -> ModuleType | None:
    try:
        from grondmotief import nlp
    except ImportError:
        return None
    return nlp


@lru_cache(maxsize=4)
def load(name: str) -> Any:
    """The loaded spaCy pipeline (cached per process)."""
    mod = _nlp_module()
    if mod is not None:
        return mod.load_pipeline(name)
    return _fallback(name)


@lru_cache(maxsize=4)
def version(name: str) -> str:
    """Identifies the pipeline's behaviour: part of every cache key, so an upgrade re-parses."""
    mod = _nlp_module()
    if mod is not None:
        return str(mod.pipeline_version(name))
    import spacy

    return f"{FALLBACK}:{name}:spacy-{spacy.__version__}:lookups-{_lookups_version()}"


def lemmatize_keyword(nlp: Any, word: str) -> str:
    """The lemma of a codebook word, as the same pipeline would lemmatise it in running text."""
    mod = _nlp_module()
    if mod is not None and hasattr(mod, "lemmatize"):
        return str(mod.lemmatize(word)).lower()
    doc = nlp(word)
    return doc[0].lemma_.lower() if len(doc) == 1 else word.lower()


def has_heads() -> bool:
    from spacy.tokens import Token

    return bool(Token.has_extension("gm_head"))


def _lookups_version() -> str:
    try:
        from importlib.metadata import version as dist_version

        return dist_version("spacy-lookups-data")
    except Exception:  # noqa: BLE001 - only a cache-key detail
        return "?"


def _fallback(name: str) -> Any:
    import spacy

    if name != "grondmotief-nl":
        try:
            return spacy.load(name)
        except OSError as exc:
            raise NlpError(f"spaCy pipeline '{name}' (settings `nlp.pipeline`) is not installed") from exc
    from spacy.language import Language

    if "gm_lower_lookup_lemma" not in Language.factories:

        @Language.factory("gm_lower_lookup_lemma")
        def _make(nlp: Any, name: str) -> Any:
            from spacy.lookups import load_lookups

            table = load_lookups("nl", ["lemma_lookup"]).get_table("lemma_lookup")
            cache: dict[str, str] = {}

            def lemmatise(doc: Any) -> Any:
                for tok in doc:
                    low = tok.lower_
                    lemma = cache.get(low)
                    if lemma is None:
                        lemma = cache[low] = str(table.get(low, low)).lower()
                    tok.lemma_ = lemma
                return doc

            return lemmatise

    nlp = spacy.blank("nl")
    nlp.add_pipe("gm_lower_lookup_lemma")
    return nlp


def compound_head_fn() -> Any:
    """`grondmotief.nlp.compound_head(lemma)` when available, else None (the matcher falls back
    to finding noun keywords at the end of longer words)."""
    mod = _nlp_module()
    fn = getattr(mod, "compound_head", None) if mod is not None else None
    return fn
