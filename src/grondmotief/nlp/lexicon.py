"""spaCy's Dutch lookup tables and simplemma's dictionary, loaded once per process.

What the lemmatizer (lemmas.py) and the compound splitter (compounds.py) both read.
"""

from __future__ import annotations

import gzip
import json
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

VOWELS = frozenset("aeiouy")


@dataclass(frozen=True)
class Reading:
    """The lemma of one form; ``noun``/``verb`` are set when both readings are plausible."""

    lemma: str
    noun: str | None = None
    verb: str | None = None

    @property
    def ambiguous(self) -> bool:
        return self.noun is not None and self.verb is not None


class Lexicon:
    """spaCy's Dutch tables and simplemma's dictionary, loaded once."""

    def __init__(self) -> None:
        import simplemma

        self.lookup: dict[str, str] = _read_table("lemma_lookup")
        exc = _read_table("lemma_exc")
        # Priority when a form is in several tables: noun plurals are the commonest keywords.
        self.exc: list[tuple[str, dict[str, str]]] = [
            (pos, {k: v[0] for k, v in exc[pos].items() if v})
            for pos in ("noun", "adj", "verb", "adv", "adp", "num")
            if pos in exc
        ]
        index = _read_table("lemma_index")
        self.nouns = frozenset(index["noun"])
        self.verbs = frozenset(index["verb"])
        self.adjs = frozenset(index["adj"])
        self.function = frozenset(index.get("adp", [])) | frozenset(index.get("det", []))
        # Verb stems as compound modifiers: woon(wijk), vergader(zaal), wacht(lijst).
        self.verb_stems = frozenset(s for v in self.verbs if v.endswith("en") for s in undo_open_syllable(v[:-2]))
        self.lemmas = (
            self.nouns
            | self.verbs
            | self.adjs
            | self.function
            | frozenset(self.lookup.values())
            | frozenset(v for _, table in self.exc for v in table.values())
        )
        self._sm = simplemma

    def exc_readings(self, w: str) -> dict[str, str]:
        return {pos: table[w] for pos, table in self.exc if w in table}

    def simplemma(self, w: str) -> str | None:
        if not self._sm.is_known(w, lang="nl"):
            return None
        return str(self._sm.lemmatize(w, lang="nl"))

    def known_form(self, w: str) -> bool:
        return w in self.lookup or w in self.lemmas or bool(self.exc_readings(w))


def _read_table(name: str) -> dict[str, Any]:
    import spacy_lookups_data

    path = spacy_lookups_data.get_file(f"nl_{name}.json.gz")
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf8") as fh:
        return dict(json.load(fh))


_LEXICON: Lexicon | None = None
_LEXICON_LOCK = threading.Lock()


def lexicon() -> Lexicon:
    global _LEXICON
    with _LEXICON_LOCK:
        if _LEXICON is None:
            _LEXICON = Lexicon()
        return _LEXICON


def normalise(word: str) -> str:
    """Lower-case, NFC, typographic apostrophes as ASCII (zo’n -> zo'n)."""
    return unicodedata.normalize("NFC", word).lower().replace("\u2019", "'").replace("`", "'")


def fold(s: str) -> str:
    """Lower case without diacritics (beëindigen -> beeindigen): how keywords and text are compared."""
    s = s.lower().replace("’", "'")
    if s.isascii():
        return s
    return "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))


def undo_open_syllable(stem: str) -> list[str]:
    """Spelling of a singular before -en/-e: tass -> tas, bom -> boom, brieven -> brief."""
    if not stem:
        return []
    out = [stem]
    last = stem[-1]
    if len(stem) > 2 and stem[-2] == last and last not in VOWELS:
        out.append(stem[:-1])  # tassen -> tas, dikke -> dik
    voiceless = {"v": "f", "z": "s"}.get(last)
    if voiceless:
        out.append(stem[:-1] + voiceless)  # huizen -> huis, initiatieven -> initiatief
    for s in list(out):
        if len(s) > 2 and s[-2] in "aeou" and s[-1] not in VOWELS and s[-3] not in VOWELS:
            out.append(s[:-1] + s[-2] + s[-1])  # bomen -> boom, grote -> groot
    return out
