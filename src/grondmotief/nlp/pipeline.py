"""The Dutch NLP pipeline: tokens, sentences and lemmas for keyword matching.

The default pipeline, ``grondmotief-nl``, needs nothing beyond PyPI: ``spacy.blank("nl")`` with
tokenizer fixes for interview transcripts, a sentencizer that always breaks at paragraphs, and
the lemmatizer cascade of :mod:`grondmotief.nlp.lemmas` registered as a spaCy component. Any
other name is an installed spaCy pipeline package (``nl_core_news_md``) or a pipeline folder.

Every token gets a lower-case ``lemma_`` and ``token._.gm_head``, the head lemma of a compound
(subsidieaanvraag -> aanvraag) or None, so matchers can see through Dutch compounds.

spaCy is imported inside the functions that need it: commands without NLP start instantly.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grondmotief.core.errors import NlpError
from grondmotief.nlp.compounds import compound_head
from grondmotief.nlp.lemmas import LEMMATIZER_VERSION, analyse, lemmatize
from grondmotief.nlp.lexicon import Reading, lexicon, normalise
from grondmotief.nlp.wordlists import words

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = [
    "DEFAULT_PIPELINE",
    "LEMMATIZER_VERSION",
    "compound_head",
    "lemmatize",
    "load_pipeline",
    "pipeline_version",
]

DEFAULT_PIPELINE = "grondmotief-nl"

_PIPELINES: dict[str, Language] = {}
_LOCK = threading.Lock()

# Abbreviations that keep their period (spaCy's Dutch exceptions cover d.w.z., o.a., m.b.t.).
# "Jan." is left out on purpose: a sentence ending in the name Jan must keep its full stop.
_MONTHS = sorted(words("jan. feb. febr. mrt. apr. jun. jul. aug. sep. sept. okt. nov. dec."))
_WORDS_NOT_ABBREVIATED = sorted(words("dat. me. al. pas. top. best. vol. ver. hand. bel. kon."))
_ABBREVIATIONS = sorted(words("incl. excl. t/m m/v m/v/x o.i.d. z.s.m. i.v.m. t.a.v. n.a.v. e.d."))

# Words before a noun/verb homograph (aanvragen, namen) that settle it; see _pick_reading.
_NOUN_CUES = words(
    "de deze zijn alle allerlei veel vele weinig enkele sommige meerdere verschillende diverse zulke "
    "welke geen onze hun mijn uw jouw twee drie vier vijf zes zeven acht negen tien elf twaalf "
    "twintig dertig honderd duizend honderden tientallen paar"
)
_VERB_CUES = words(
    "te er ik we wij ze zij hij jij u men kan kun kunt kon konden kunnen moet moest moesten "
    "moeten wil wilt wilde wilden willen mag mocht mochten mogen ga gaat ging gingen gaan zal "
    "zult zullen zou zouden laat liet lieten laten hoef hoeft hoefde hoeven blijf blijft bleef "
    "bleven blijven is ben bent was heb hebt heeft had hadden word wordt werd werden"
)
_PREPOSITIONS = words("van met zonder voor over bij aan naar uit door tot tussen na per op in onder tegen vanaf")
_NOUN, _VERB, _HET, _PREPOSITION = 1, 2, 3, 4  # kinds of cue a word before a homograph gives
# Inverted word order ("heb je", "moeten we"): a subject pronoun right after means a verb.
_SUBJECTS_AFTER = words("ik je jij we wij ze zij hij u men")


def load_pipeline(name: str = DEFAULT_PIPELINE) -> Language:
    """The pipeline called ``name``, built or loaded once per process."""
    with _LOCK:
        nlp = _PIPELINES.get(name)
        if nlp is None:
            nlp = _build_default() if name == DEFAULT_PIPELINE else _load_external(name)
            _PIPELINES[name] = nlp
        return nlp


def pipeline_version(name: str = DEFAULT_PIPELINE) -> str:
    """A cache key that changes whenever the pipeline's output could; needs no spaCy import."""
    spacy_version = _dist_version("spacy") or "missing"
    if name == DEFAULT_PIPELINE:
        parts = [
            f"{DEFAULT_PIPELINE}/{LEMMATIZER_VERSION}",
            f"spacy=={spacy_version}",
            f"spacy-lookups-data=={_dist_version('spacy-lookups-data') or 'missing'}",
            f"simplemma=={_dist_version('simplemma') or 'missing'}",
        ]
        return ";".join(parts)
    path = Path(name)
    if path.is_dir():
        meta = _read_meta(path)
        ident = f"{meta.get('lang', '?')}_{meta.get('name', path.name)}=={meta.get('version', '?')}"
        return f"{ident};path={path.resolve()};spacy=={spacy_version}"
    version = _dist_version(name)
    if version is None:
        raise NlpError(_missing_message(name))
    return f"{name}=={version};spacy=={spacy_version}"


# -- building the default pipeline --------------------------------------------------------


def _build_default() -> Language:
    import spacy

    _register()
    nlp = spacy.blank("nl")
    _fix_tokenizer(nlp)
    nlp.add_pipe("grondmotief_sentences")
    nlp.add_pipe("grondmotief_lemmatizer")
    # Load the word lists now, not on the first document: a review session should not stall.
    lexicon().simplemma("de")
    nlp.meta["name"] = "grondmotief_nl"
    nlp.meta["version"] = LEMMATIZER_VERSION
    return nlp


def _fix_tokenizer(nlp: Language) -> None:
    from spacy.lang.char_classes import ALPHA, CONCAT_QUOTES
    from spacy.symbols import NORM, ORTH
    from spacy.util import compile_infix_regex

    tokenizer: Any = nlp.tokenizer  # spaCy types it as a plain callable
    infixes = list(nlp.Defaults.infixes or [])
    # spaCy's Dutch rules split a quote between letters; typographic apostrophes are part of
    # the word in auto’s, zo’n, m’n (Word turns every ' into ’), so only real quotes split.
    quote_infix = r"(?<=[{a}])([{q}\)\]\(\[])(?=[{a}])"
    stock = quote_infix.format(a=ALPHA, q=CONCAT_QUOTES.replace("'", ""))
    ours = quote_infix.format(a=ALPHA, q=CONCAT_QUOTES.replace("'", "").translate(_APOSTROPHES))
    infixes = [ours if p == stock else p for p in infixes]
    infixes.append(rf"(?<=[{ALPHA}])/(?=[{ALPHA}])")  # zorg/welzijn -> zorg / welzijn
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer

    # spaCy's Dutch exceptions make "dat." or "me." one token, which hides the full stop of
    # every sentence ending in them ("Ik weet dat."); keep those words apart from their period.
    drop = {form for w in _WORDS_NOT_ABBREVIATED for form in (w, w.capitalize(), w.upper())}
    tokenizer.rules = {k: v for k, v in (tokenizer.rules or {}).items() if k not in drop}

    specials: dict[str, list[dict[int, str]]] = {}
    for ellipsis in ("(…)", "(...)", "[…]", "[...]"):
        specials[ellipsis] = [{ORTH: ellipsis}]  # one token: an elision in a quote
    for abbr in _MONTHS:
        norm = analyse(abbr).lemma
        for form in {abbr, abbr.capitalize()} - {"Jan."}:
            specials[form] = [{ORTH: form, NORM: norm}]
    for abbr in _ABBREVIATIONS:
        specials[abbr] = [{ORTH: abbr}]
    for place in ("'s-Hertogenbosch", "'s-Gravenhage"):
        specials[place] = [{ORTH: place}]
    # Every exception with an ASCII apostrophe ('s, 't, z'n) also in its typographic form.
    for text, tokens in list(nlp.Defaults.tokenizer_exceptions.items()) + list(specials.items()):
        if "'" in text:
            curly = [{**t, ORTH: t[ORTH].replace("'", "\u2019")} for t in tokens]
            specials.setdefault(text.replace("'", "\u2019"), curly)
    for text in ("z'n", "m'n", "d'r", "zo'n"):
        specials.setdefault(text.replace("'", "\u2019"), [{ORTH: text.replace("'", "\u2019")}])
    for text, tokens in specials.items():
        tokenizer.add_special_case(text, tokens)


_APOSTROPHES = str.maketrans("", "", "\u2019\u2018\u00b4`")


# -- components ---------------------------------------------------------------------------

_REGISTERED = False


def _register() -> None:
    """Register the components and the token extension once (spaCy's registries are global)."""
    global _REGISTERED
    if _REGISTERED:
        return
    from spacy.language import Language
    from spacy.tokens import Token

    if not Language.has_factory("grondmotief_lemmatizer"):
        Language.factory("grondmotief_lemmatizer")(_make_lemmatizer)
    if not Language.has_factory("grondmotief_sentences"):
        Language.factory("grondmotief_sentences")(lambda nlp, name: _Sentences(nlp))
    if not Token.has_extension("gm_head"):
        # A getter, not a stored value: costs nothing until a matcher asks, and works on the
        # lemmas of any pipeline, including installed spaCy models.
        Token.set_extension("gm_head", getter=lambda t: compound_head(t.lemma_) if t.lemma_ else None)
    _REGISTERED = True


_NOT_START = 2**64 - 1  # SENT_START -1 ("not a start") as the uint64 that Doc arrays hold


class _Sentences:
    """spaCy's Sentencizer rule plus one more: a blank line always ends a sentence.

    A sentence starts at the first word after sentence-final punctuation (closing quotes and
    brackets stay with the sentence before) or after a paragraph break; whitespace tokens stay
    with the sentence before them (spaCy's Sentencizer would start a sentence at a blank line).
    """

    def __init__(self, nlp: Language) -> None:
        from spacy.pipeline import Sentencizer

        self._final = {nlp.vocab.strings.add(c) for c in Sentencizer.default_punct_chars}

    def __call__(self, doc: Doc) -> Doc:
        import numpy
        from spacy.attrs import IS_PUNCT, IS_SPACE, ORTH, SENT_START

        if not len(doc):
            return doc
        final = self._final
        starts = [_NOT_START] * len(doc)
        starts[0] = 1
        seen_end = False
        # One pass over plain ints: as fast as spaCy's Sentencizer, which does the same walk.
        for i, (orth, punct, space) in enumerate(doc.to_array([ORTH, IS_PUNCT, IS_SPACE]).tolist()):
            if orth in final:
                seen_end = True
            elif space:
                seen_end = seen_end or doc[i].text.count("\n") >= 2
            elif seen_end and not punct:
                starts[i] = 1
                seen_end = False
        doc.from_array([SENT_START], numpy.asarray(starts, dtype="uint64").reshape(-1, 1))  # type: ignore[arg-type]
        return doc


def _make_lemmatizer(nlp: Language, name: str) -> _Lemmatizer:
    return _Lemmatizer(nlp)


class _Lemmatizer:
    """Sets ``lemma`` for every token from the cascade, looking each distinct form up once.

    Lemmas are cached by the hash of the token's lower-case form, so a token costs a dict
    look-up and an attribute write; only the rare noun/verb homographs look at their
    neighbours.
    """

    def __init__(self, nlp: Language) -> None:
        self.strings = nlp.vocab.strings
        self._lemma: dict[int, int] = {}
        # form -> (noun lemma, verb lemma, form is the infinitive, form is an inflected noun)
        self._homographs: dict[int, tuple[int, int, bool, bool]] = {}
        self._cue: dict[int, int] = {}  # form -> one of the cue kinds below, 0 for none
        self._subject_after = {self.strings.add(w) for w in _SUBJECTS_AFTER}

    def __call__(self, doc: Doc) -> Doc:
        lemma = self._lemma
        homographs = self._homographs
        found: list[int] = []
        for tok in doc:  # measured: faster than Doc.to_array/from_array on paragraph-sized docs
            key = tok.lower
            h = lemma.get(key)
            tok.lemma = h if h is not None else self._learn(key)
            if key in homographs:
                found.append(tok.i)
        for i in found:
            tok = doc[i]
            before = doc[i - 1].lower if i else 0
            after = doc[i + 1].lower if i + 1 < len(doc) else 0
            tok.lemma = self._pick_reading(before, after, tok.lemma, homographs[tok.lower])
        return doc

    def _learn(self, key: int) -> int:
        reading = analyse(normalise(self.strings[key]))
        h = self.strings.add(reading.lemma)
        self._lemma[key] = h
        if reading.ambiguous:
            assert reading.noun is not None and reading.verb is not None
            form = normalise(self.strings[key])
            noun, verb = self.strings.add(reading.noun), self.strings.add(reading.verb)
            self._homographs[key] = (noun, verb, reading.verb == form, reading.noun != form)
        return h

    def _pick_reading(self, before: int, after: int, default: int, readings: tuple[int, int, bool, bool]) -> int:
        """De aanvragen / wij aanvragen: the word before (or a subject after) decides."""
        noun, verb, infinitive, plural = readings
        cue = self._cue_of(before) if before else 0
        if cue == _NOUN:
            return noun
        if cue == _VERB or after in self._subject_after:
            return verb  # "we namen", inverted "heb je"
        if cue == _HET and infinitive:
            return verb  # "het aanvragen" is the verb as a noun ("het was", "het werk": default)
        if cue == _PREPOSITION and plural:
            return noun  # "zonder namen"; but "op kan", "bij moet" are particles of a verb
        return default

    def _cue_of(self, key: int) -> int:
        cue = self._cue.get(key)
        if cue is None:
            word = normalise(self.strings[key])
            if word == "het":
                cue = _HET
            elif word in _NOUN_CUES or word.isdigit() or _inflected_adjective(word):
                cue = _NOUN
            elif word in _VERB_CUES:
                cue = _VERB
            elif word in _PREPOSITIONS:
                cue = _PREPOSITION
            else:
                cue = 0
            self._cue[key] = cue
        return cue


def _inflected_adjective(word: str) -> bool:
    """nieuwe, kleine, moeilijke: an adjective with its -e, so a noun follows."""
    if not word.endswith("e") or len(word) < 4:
        return False
    reading: Reading = analyse(word)
    return reading.lemma != word and reading.lemma in lexicon().adjs


# -- external pipelines -------------------------------------------------------------------


def _load_external(name: str) -> Language:
    import spacy

    _register()
    try:
        return spacy.load(name)
    except (OSError, ImportError) as exc:
        raise NlpError(_missing_message(name)) from exc


def _missing_message(name: str) -> str:
    if "/" in name or "\\" in name or name.startswith("."):
        where = f"No spaCy pipeline folder at {name!r}."
        how = "Point nlp.pipeline at a folder written by nlp.to_disk(), or"
    else:
        where = f"The spaCy pipeline {name!r} is not installed."
        how = f"Install it with `python -m spacy download {name}` (or `pip install {name}`), or"
    return (
        f"{where} {how} switch back to the built-in offline pipeline with "
        f"`nlp: {{pipeline: {DEFAULT_PIPELINE}}}` in grondmotief.yaml."
    )


def _read_meta(path: Path) -> dict[str, Any]:
    try:
        data = json.loads((path / "meta.json").read_text(encoding="utf8"))
    except (OSError, ValueError) as exc:
        raise NlpError(_missing_message(str(path))) from exc
    return data if isinstance(data, dict) else {}


def _dist_version(dist: str) -> str | None:
    from grondmotief.core.dists import version  # importlib.metadata's answer, without its import

    return version(dist)
