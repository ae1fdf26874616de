"""Codebook keywords compiled into matching rules.

- `aanvraag`: a keyword matches tokens whose lemma (or lower-case form) equals the keyword or
  the keyword's own lemma, so "aanvragen" in the codebook also finds "aangevraagd".
- `subsidie*`: a stem matches lemmas and forms that start with it (subsidieaanvraag).
- `op tijd informeren`: a phrase matches its words' lemmas in order. A phrase with a verb
  also matches its words close together in another order, with less weight, because Dutch
  moves verbs ("nemen ons niet serieus" for `serieus nemen`, "zat geen vrijwilliger aan
  tafel" for `aan tafel zitten`); fixed expressions (`elk jaar`, `voor niks`) match as written.
- a keyword that is the head of a compound (`afspraak` in prestatieafspraken) matches with
  less weight.
Matching folds case and diacritics on both sides ("clienten" finds `cliënt*`): transcribers
are not consistent about them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from grondmotief.codebook import Codebook
from grondmotief.suggest import cache

ENGINE = "kw6"  # bump when matching or scoring changes: every results cache is then rebuilt


@lru_cache(maxsize=200_000)
def fold(s: str) -> str:
    s = s.lower().replace("’", "'")
    if s.isascii():
        return s
    return "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))


@dataclass(frozen=True)
class Word:
    keys: frozenset[str]  # folded forms that match exactly
    stem: str | None  # folded stem when the word ends in '*'

    def matches(self, folded: str) -> bool:
        return folded in self.keys or (self.stem is not None and folded.startswith(self.stem))


@dataclass(frozen=True)
class Rule:
    code: str
    label: str  # as shown in evidence: keyword:subsidie*, phrase:op tijd informeren
    words: tuple[Word, ...]
    loose: bool = False  # a phrase with a verb: its words may be reordered or interrupted

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "words": [[sorted(w.keys), w.stem] for w in self.words],
            "loose": self.loose,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rule:
        return cls(
            str(data["code"]),
            str(data["label"]),
            tuple(Word(frozenset(map(str, k)), None if s is None else str(s)) for k, s in data["words"]),
            bool(data.get("loose", False)),
        )


def source_of(codebook: Codebook) -> list[Any]:
    """What the rules are made from: keywords and patterns, per code in codebook order."""
    return [
        [cid, list(codebook.codes[cid].spec.keywords), list(codebook.codes[cid].spec.patterns)]
        for cid in codebook.order
    ]


def fingerprint(codebook: Codebook, pipeline_version: str) -> str:
    return cache.digest(ENGINE, pipeline_version, source_of(codebook))


def compile_rules(codebook: Codebook, nlp: Any) -> list[Rule]:
    from grondmotief.suggest.pipeline import lemmatize_keyword

    stop = frozenset(getattr(nlp.Defaults, "stop_words", ()) or ())
    rules: list[Rule] = []
    for cid in codebook.order:
        seen: set[str] = set()
        for raw in codebook.codes[cid].spec.keywords:
            text = " ".join(raw.lower().split())
            if not text or text == "*" or text in seen:
                continue
            seen.add(text)
            words = []
            for w in text.split(" "):
                if w.endswith("*") and len(w) > 1:
                    words.append(Word(frozenset(), fold(w[:-1])))
                else:
                    w = w.rstrip("*")
                    words.append(Word(frozenset({fold(w), fold(lemmatize_keyword(nlp, w))}), None))
            kind = "phrase" if len(words) > 1 else "keyword"
            verb = any(_looks_like_verb(w, stop) for w in text.split(" ")) if len(words) > 1 else False
            rules.append(Rule(cid, f"{kind}:{text}", tuple(words), verb))
    return rules


def _looks_like_verb(word: str, stop: frozenset[str]) -> bool:
    """An infinitive as codebooks write verbs: informeren, zitten, nemen (not "geen", not "tijd")."""
    return word.endswith("en") and len(word) >= 5 and word not in stop and not word.endswith("*")


def patterns_of(codebook: Codebook) -> list[tuple[str, int, list[dict[str, Any]]]]:
    return [(cid, i, p) for cid in codebook.order for i, p in enumerate(codebook.codes[cid].spec.patterns)]
