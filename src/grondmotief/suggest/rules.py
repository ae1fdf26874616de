"""Codebook keywords compiled into matching rules.

- `aanvraag`: a keyword matches tokens whose lemma (or lower-case form) equals the keyword or
  the keyword's own lemma, so "aanvragen" in the codebook also finds "aangevraagd".
- `subsidie*`: a stem matches lemmas and forms that start with it (subsidieaanvraag).
- `op tijd informeren`: a phrase matches its words' lemmas in order. A phrase with a verb
  also matches its words close together in another order, with less weight, because Dutch
  moves verbs ("nemen ons niet serieus" for `serieus nemen`, "zat geen vrijwilliger aan
  tafel" for `aan tafel zitten`); fixed expressions (`elk jaar`, `voor niks`) match as written.
- a keyword that is the head of a compound (`afspraak` in prestatieafspraken, `verbinder` in
  wijkverbinders) matches with less weight.
- a separable verb (`meedenken`, `doorsturen`, `afrekenen`) also matches when Dutch splits it:
  "die dacht echt mee", "we sturen ze door", "om mee te denken" (the verb and its particle in
  one clause; see match.py).
Matching folds case and diacritics on both sides ("clienten" finds `cliënt*`): transcribers
are not consistent about them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from grondmotief.core import cachefile as cache
from grondmotief.nlp.lexicon import fold
from grondmotief.nlp.wordlists import words
from grondmotief.study.codebook import Codebook
from grondmotief.suggest.informativeness import phrase_informativeness

ENGINE = "kw11"  # bump when matching or scoring changes: every results cache is then rebuilt


@lru_cache(maxsize=200_000)
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
    split: bool = False  # a separable verb's two parts (verb, particle): mee|denken
    head: bool = False  # may match as the head of a compound: a noun or a stem, not a verb or adjective
    info: float = 1.0  # how informative the keyword is in Dutch (informativeness.py), 0..1

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "words": [[sorted(w.keys), w.stem] for w in self.words],
            "loose": self.loose,
            "split": self.split,
            "head": self.head,
            "info": self.info,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rule:
        return cls(
            str(data["code"]),
            str(data["label"]),
            tuple(Word(frozenset(map(str, k)), None if s is None else str(s)) for k, s in data["words"]),
            bool(data.get("loose", False)),
            bool(data.get("split", False)),
            bool(data.get("head", False)),
            float(data.get("info", 1.0)),
        )


def source_of(codebook: Codebook) -> list[Any]:
    """What the rules and profiles are made from, per code in codebook order."""
    out = []
    for cid in codebook.order:
        c = codebook.codes[cid]
        spec = c.spec
        texts = [spec.label, spec.definition, spec.include, spec.exclude, spec.examples]
        out.append([cid, c.group, list(spec.keywords), list(spec.patterns), texts])
    return out


def fingerprint(codebook: Codebook, pipeline_version: str) -> str:
    return cache.digest(ENGINE, pipeline_version, source_of(codebook))


def compile_rules(codebook: Codebook, nlp: Any) -> list[Rule]:
    from grondmotief.suggest.pipeline import keyword_lemmatizer

    stop = frozenset(getattr(nlp.Defaults, "stop_words", ()) or ())
    rules: list[Rule] = []
    lemma_of = keyword_lemmatizer(nlp)
    for cid in codebook.order:
        seen: set[str] = set()
        for raw in codebook.codes[cid].spec.keywords:
            rules += keyword_rules(cid, raw, lemma_of, stop, seen)
    return rules


def keyword_rules(
    cid: str, raw: str, lemma_of: Callable[[str], str], stop: frozenset[str], seen: set[str] | None = None
) -> list[Rule]:
    """The rules of one keyword (a word, `stem*` or a phrase) for code `cid`: what a codebook
    keyword compiles to, and what `find` compiles a query term to, so both match alike."""
    text = " ".join(raw.lower().split())
    if not text or text == "*" or (seen is not None and text in seen):
        return []
    if seen is not None:
        seen.add(text)
    words = []
    for w in text.split(" "):
        if w.endswith("*") and len(w) > 1:
            words.append(Word(frozenset(), fold(w[:-1])))
        else:
            w = w.rstrip("*")
            words.append(Word(frozenset({fold(w), fold(lemma_of(w))}), None))
    kind = "phrase" if len(words) > 1 else "keyword"
    verb = any(_looks_like_verb(w, stop) for w in text.split(" ")) if len(words) > 1 else False
    label = f"{kind}:{text}"
    info = phrase_informativeness([w.rstrip("*") for w in text.split(" ")], stop)
    if len(words) > 1 or words[0].stem is not None:
        # A stem (verzekering*) may head a compound: vrijwilligersverzekering.
        return [Rule(cid, label, tuple(words), verb, head=len(words) == 1, info=info)]
    lemma = fold(lemma_of(text))
    out = [Rule(cid, label, tuple(words), head=_head_noun(lemma), info=info)]
    parts = separable(lemma)
    if parts is not None:
        particle, verb_lemma = parts
        pair = (Word(frozenset({verb_lemma}), None), Word(frozenset({particle}), None))
        out.append(Rule(cid, label, pair, split=True, info=info))
    return out


# Particles that Dutch separates from their verb ("denkt mee", "stuurt door"). Left out: over,
# onder, voor, om, achter, which also begin inseparable verbs (overleggen, ondersteunen).
PARTICLES = sorted(
    words("aan af bij binnen door in langs los mee na neer op rond samen tegen terug toe uit vast weg"),
    key=lambda p: (-len(p), p),  # longest first: terug before toe
)
MIN_HEAD = 5  # shorter keywords (wet, hart, lol) would find themselves inside unrelated words


def separable(lemma: str) -> tuple[str, str] | None:
    """(particle, verb) of a separable verb lemma: meedenken -> (mee, denken), else None."""
    from grondmotief.nlp.lexicon import lexicon

    lex = lexicon()
    if " " in lemma or not lemma.endswith("en"):
        return None
    for particle in PARTICLES:
        rest = lemma[len(particle) :]
        if not lemma.startswith(particle) or len(rest) < 4 or rest not in lex.verbs:
            continue
        if rest.endswith("eren"):
            # informeren is not in|formeren: a separable verb has a participle with -ge- inside
            # (opgeleverd); a Latin -eren verb does not (geïnformeerd, not ingeformeerd).
            forms = (f"{particle}ge{rest[:-2]}d", f"{particle}ge{rest[:-4]}eerd")
            if not any(lex.known_form(f) for f in forms):
                continue
        return particle, rest
    return None


def _head_noun(lemma: str) -> bool:
    """Whether a keyword may match as the head of a compound: long enough, and not a verb or
    adjective (infrastructureel is not a kind of structureel)."""
    from grondmotief.nlp.lexicon import lexicon

    lex = lexicon()
    return len(lemma) >= MIN_HEAD and " " not in lemma and lemma not in lex.verbs and lemma not in lex.adjs


def _looks_like_verb(word: str, stop: frozenset[str]) -> bool:
    """An infinitive as codebooks write verbs: informeren, zitten, nemen, doen (not "geen", not
    "tijd"): a known verb, or an unknown word shaped like one."""
    from grondmotief.nlp.lexicon import lexicon

    if word.endswith("*") or not word.endswith("en"):
        return False
    return word in lexicon().verbs or (len(word) >= 5 and word not in stop)


def patterns_of(codebook: Codebook) -> list[tuple[str, int, list[dict[str, Any]]]]:
    return [(cid, i, p) for cid in codebook.order for i, p in enumerate(codebook.codes[cid].spec.patterns)]


LIVE_ONLY = frozenset({"POS", "TAG", "MORPH", "DEP", "ENT_TYPE", "IS_SENT_START", "NORM", "SPACY"})


def needs_live(codebook: Codebook) -> bool:
    """Token patterns on attributes a Doc rebuilt from cached tokens lacks (tags, parses,
    entities) need the pipeline's own Docs."""
    return any(key in LIVE_ONLY for _, _, pattern in patterns_of(codebook) for tok in pattern for key in tok)
