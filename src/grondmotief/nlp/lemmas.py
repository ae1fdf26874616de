"""Dutch lemmatisation for keyword matching, built only from PyPI data.

No trained Dutch spaCy model can be installed offline, so a lemma comes from a cascade:

(the tables themselves are loaded in grondmotief.nlp.lexicon)

1. curated overrides (grondmotief.nlp.wordlists: lexicalised diminutives, abbreviations);
2. spaCy's Dutch lookup table (spacy-lookups-data ``nl_lemma_lookup``), the most precise source;
3. spaCy's irregular-form tables (``nl_lemma_exc``: gemeenten, kinderen, kreeg, grootste) and
   its lemma index (a listed word is its own lemma), reconciled with simplemma's dictionary,
   whose single answer per form breaks ties; simplemma alone is never trusted for a lemma no
   other list knows (its "dagje -> dagge" guesses);
4. morphology rules (participle, separable verb, diminutive, plural, adjective, finite verb),
   each candidate validated against spaCy's lemma index of the right word class;
5. compounds (grondmotief.nlp.compounds): the longest known head is lemmatised and the
   modifier kept (prestatieafspraken -> prestatieafspraak).

Regular diminutives become their base noun (dagje -> dag) so that codebook keywords match them.
Forms that are a noun and a verb (aanvragen, werken, namen) keep both readings in a
:class:`Reading`; the pipeline component picks one from the neighbouring words.

Everything is memoised per word form: each distinct form is analysed once per process.
"""

from __future__ import annotations

from functools import cache

from grondmotief.nlp.compounds import compound_lemma
from grondmotief.nlp.lexicon import VOWELS, Reading, lexicon, normalise, undo_open_syllable
from grondmotief.nlp.wordlists import (
    INSEPARABLE,
    LEXICALISED_DIMINUTIVES,
    NOT_HOMOGRAPHS,
    NOUN_FIRST,
    OVERRIDES,
    PARTICLES,
    VERB_FIRST,
)

# Bump whenever a rule, override or tokenizer fix changes output: it is part of the cache key
# returned by grondmotief.nlp.pipeline.pipeline_version().
LEMMATIZER_VERSION = "1"


def lemmatize(word: str) -> str:
    """The lemma of one word out of context (e.g. a codebook keyword)."""
    return analyse(normalise(word.strip())).lemma


@cache
def analyse(w: str) -> Reading:
    """All we know about a normalised form; memoised, so each form is analysed once."""
    if not w or not any(c.isalpha() for c in w):
        return Reading(w)
    if w in OVERRIDES:
        return Reading(OVERRIDES[w])
    if w.endswith("jes") and w[:-1] in LEXICALISED_DIMINUTIVES:
        return Reading(w[:-1])
    if "-" in w.strip("-"):
        # ex-partners -> ex-partner, vog-aanvragen -> vog-aanvraag: inflection sits on the end.
        head, _, last = w.rpartition("-")
        return Reading(f"{head}-{noun_first(last)}" if last else w)
    lex = lexicon()
    if w in lex.lookup:
        return Reading(_dim_base(lex.lookup[w]))
    if w.startswith(("waar", "daar", "hier")) and w[4:] in lex.function:
        return Reading(w)  # waarop, daarmee: pronominal adverbs, not verb stems
    found = _table_readings(w)
    if found is not None:
        return found
    ruled = _by_rules(w)
    if ruled is not None:
        return Reading(ruled)
    # The head is lemmatised by this module, passed in: compounds do not import the lemmatizer.
    return Reading(compound_lemma(w, noun_first, noun_singular) or w)


def _table_readings(w: str) -> Reading | None:
    """spaCy's irregular-form tables, its lemma index and simplemma, reconciled."""
    lex = lexicon()
    exc = lex.exc_readings(w)
    cands = dict(exc)
    if w in lex.function and not cands:
        return Reading(w)
    if (
        "verb" in exc
        and "noun" not in exc
        and w not in lex.nouns
        and w.startswith(("ge", *PARTICLES))
        and _participle(w) == exc["verb"]
    ):
        return Reading(exc["verb"])  # opgezet: a participle, even if simplemma lists it as a word
    preferred = _simplemma_guess(w)
    if w in lex.function:
        cands.setdefault("self", w)  # "het", "toe": the tables' verb readings are noise
    for pos, words in (("noun", lex.nouns), ("verb", lex.verbs), ("adj", lex.adjs)):
        if w in words:
            cands.setdefault(pos, w)  # the form is itself a lemma of that class
    if preferred == w:
        cands.setdefault("self", w)
    if not cands:
        return Reading(_dim_base(preferred)) if preferred is not None else None
    if preferred is not None and preferred == exc.get("adj"):
        return Reading(preferred)  # centrale, huidige: inflected adjectives the index calls nouns
    noun, verb = cands.get("noun"), cands.get("verb")
    if preferred is not None and preferred in cands.values() and preferred not in (noun, verb):
        return Reading(preferred)  # hoog: the adjective, not "oog" or "hogen"
    if noun is not None and verb is not None and noun != verb:
        both_inflected = "noun" in exc and "verb" in exc
        return _homograph(w, _dim_base(noun), verb, preferred, both_inflected)
    if preferred is not None and preferred in cands.values():
        return Reading(_dim_base(preferred))
    if preferred is not None and set(cands) == {"adj"} and preferred in lex.verbs and _finite_verb(w) == preferred:
        return Reading(preferred)  # botst: 3sg of botsen, not the superlative of bot
    if w in lex.function:
        return Reading(w)
    lemma = next(iter(cands.values()))
    if lemma == w and w in lex.adjs and not w.endswith("end"):
        # The adjective index lists participles (ingevuld, opgezet): the verb, unless simplemma
        # also calls the form its own lemma (ingewikkeld, bekend).
        return Reading(_participle(w) or w)
    return Reading(_dim_base(lemma))


def _homograph(w: str, noun: str, verb: str, preferred: str | None, both_inflected: bool) -> Reading:
    """A noun (form) that is also a verb form; the default reading, both kept for context."""
    lex = lexicon()
    if w in lex.function or w in NOT_HOMOGRAPHS or (w in lex.adjs and not both_inflected):
        return Reading(preferred if preferred in (noun, verb) else w)  # no context switching
    if w in NOUN_FIRST:
        return Reading(noun, noun, verb)
    if w in VERB_FIRST:
        return Reading(verb, noun, verb)
    # No frequencies offline: simplemma's single answer is the best prior we have; failing
    # that, an irregular past (stonden, lagen) beats an obscure plural (stonde, laag) while a
    # noun the index lists (reden, kinderen) beats a verb stem or a rare infinitive.
    fallback = verb if both_inflected else noun
    return Reading(preferred if preferred in (noun, verb) and preferred else fallback, noun, verb)


def _table_lemma(w: str) -> str | None:
    """A verb lemma straight from the tables (no rules), or None: used inside the rules."""
    lex = lexicon()
    if w in lex.lookup:
        return lex.lookup[w]
    exc = lex.exc_readings(w)
    if "verb" in exc:
        return exc["verb"]
    guess = _simplemma_guess(w)
    return guess if guess != w else None


def _simplemma_guess(w: str) -> str | None:
    lex = lexicon()
    s = lex.simplemma(w)
    if s is None:
        return None
    s = s.lower()
    if "_" in s:
        # simplemma writes separable verbs as "af_ronden"; noun compounds ("raad_lid") lose
        # their linking -s- that way, so those are left to the compound rule.
        joined = s.replace("_", "")
        return joined if joined in lex.verbs else None
    # Validate against spaCy's lemma list: simplemma's own guesses include "dagje -> dagge".
    return s if s == w or s in lex.lemmas else None


def noun_first(w: str) -> str:
    """Lemma of a compound head: noun readings win (subsidieaanvragen -> ...aanvraag)."""
    r = analyse(w)
    return r.noun or r.lemma


def _dim_base(lemma: str) -> str:
    if lemma in LEXICALISED_DIMINUTIVES or not lemma.endswith("je"):
        return lemma
    return _diminutive(lemma) or lemma


def _diminutive(w: str) -> str | None:
    """dagje -> dag, kopjes -> kop, wandelingetje -> wandeling, agendaatje -> agenda."""
    lex = lexicon()
    if w in LEXICALISED_DIMINUTIVES or w[:-1] in LEXICALISED_DIMINUTIVES:
        return w.removesuffix("s")
    stem = w.removesuffix("s")
    if not stem.endswith("je"):
        return None
    cands = []
    for suffix in ("etje", "tje", "pje", "kje", "je"):
        if stem.endswith(suffix) and len(stem) > len(suffix) + 1:
            base = stem[: -len(suffix)]
            cands.append(base)
            if suffix == "etje" and len(base) > 2 and base[-1] == base[-2]:
                cands.append(base[:-1])  # balletje -> bal
            if suffix == "tje" and base.endswith(("aa", "oo", "uu")):
                cands.append(base[:-1])  # agendaatje -> agenda, autootje -> auto
            if suffix == "kje" and base.endswith("n"):
                cands.append(base[:-1] + "ng")  # koninkje -> koning
    for c in cands:
        if c in lex.nouns and c not in lex.function:
            return c
    return None


def _verb_from_stem(stem: str) -> str | None:
    """werk -> werken, vraag -> vragen, zit -> zitten, leef -> leven, verhuis -> verhuizen."""
    lex = lexicon()
    if len(stem) < 2:
        return None
    cands = [stem + "en", stem + "n"]
    last = stem[-1]
    if len(stem) > 2 and stem[-2] == stem[-3] and stem[-2] in VOWELS and last not in VOWELS:
        cands.append(stem[:-2] + last + "en")  # vraag -> vragen
    cands.append(stem + last + "en")  # zit -> zitten
    voiced = {"f": "v", "s": "z"}.get(last)
    if voiced:
        short = stem[:-1]
        cands.append(short + voiced + "en")
        if len(short) > 1 and short[-1] == short[-2] and short[-1] in VOWELS:
            cands.append(short[:-1] + voiced + "en")  # leef -> leven, verhuis -> verhuizen
    for c in cands:
        if c in lex.verbs:
            return c
    return None


def _participle(w: str) -> str | None:
    """ingevuld -> invullen, afgerekend -> afrekenen, herschreven -> herschrijven."""
    lex = lexicon()
    for p in PARTICLES:
        if w.startswith(p + "ge") and len(w) > len(p) + 4:
            options = _simplex_participle(w[len(p) :])
            for verb in options:
                if p + verb in lex.verbs:
                    return p + verb
            if options:
                return p + options[0]  # doorgeleid -> doorleiden, even if the index lacks it
    if w.startswith("ge"):
        options = _simplex_participle(w)
        if options:
            return options[0]
    for p in INSEPARABLE:
        if w.startswith(p) and len(w) > len(p) + 3:
            rest = w[len(p) :]
            inner = _table_lemma("ge" + rest) or _table_lemma(rest)
            if inner and p + inner in lex.verbs:
                return p + inner  # herschreven -> her + schrijven
            if rest.endswith(("d", "t")):
                stem_verb = _verb_from_stem(w[:-1])
                if stem_verb and stem_verb.startswith(p):
                    return stem_verb  # besteed -> besteden
    return None


def _simplex_participle(w: str) -> list[str]:
    """Candidate infinitives of a ge- participle, best first: gezet -> zetten, gegeven -> geven."""
    lex = lexicon()
    body = w[2:]
    out: list[str] = []
    if body.endswith(("d", "t")) and len(body) > 2:
        # gewerkt = werk + t, but gezet/geleid/gepraat end in the stem's own t/d.
        stems = [body, body[:-1]] if body[-2] in VOWELS else [body[:-1], body]
        out += [v for v in map(_verb_from_stem, stems) if v]
    if body.endswith("en") and body in lex.verbs:
        out.append(body)
    strong = _table_lemma(w)
    if strong is not None and strong in lex.verbs:
        out.append(strong)  # gesproken -> spreken
    return list(dict.fromkeys(out))


def noun_singular(w: str) -> str | None:
    lex = lexicon()
    cands: list[str] = []
    if w.endswith("'s"):
        cands.append(w[:-2])
    elif w.endswith("s"):
        cands.append(w[:-1])
    if w.endswith("heden"):
        cands.append(w[:-5] + "heid")
    if w.endswith("eren"):
        cands.append(w[:-4])  # kinderen -> kind
    if w.endswith("ën"):
        cands += [w[:-2], w[:-2] + "e"]  # ideeën -> idee, knieën -> knie
    if w.endswith("ici"):
        cands.append(w[:-1] + "us")  # politici -> politicus
    if w.endswith("ea"):
        cands.append(w[:-1] + "um")  # musea -> museum
    elif w.endswith("a"):
        cands.append(w[:-1] + "um")  # centra -> centrum
    if w.endswith("en"):
        cands += undo_open_syllable(w[:-2])
    for c in cands:
        if c in lex.nouns and c not in lex.function:
            return c
    if w.endswith("ers") and len(w) > 6 and w[:-3] in lex.verb_stems:
        return w[:-1]  # agent nouns the index lacks: verbinders -> verbinder
    return None


def _adjective_base(w: str) -> str | None:
    lex = lexicon()
    cands: list[str] = []
    if w.endswith("iële"):
        cands.append(w[:-4] + "ieel")  # financiële -> financieel
    for suffix in ("ere", "ste", "er", "st", "e"):
        if w.endswith(suffix) and len(w) > len(suffix) + 2:
            stem = w[: -len(suffix)]
            if suffix in ("er", "ere") and stem.endswith("rd"):
                cands.append(stem[:-1])  # duurder -> duur
            cands += undo_open_syllable(stem)
    for c in cands:
        if c in lex.adjs:
            return c
    return None


def _finite_verb(w: str) -> str | None:
    """werkt -> werken, regelde -> regelen, oplevert -> opleveren."""
    lex = lexicon()
    for suffix in ("den", "ten", "de", "te", "t", ""):
        if w.endswith(suffix) and len(w) > len(suffix) + 2:
            verb = _verb_from_stem(w[: len(w) - len(suffix)])
            if verb:
                return verb
    for p in PARTICLES:
        if w.startswith(p) and len(w) > len(p) + 2:
            inner = analyse(w[len(p) :])
            if inner.verb or inner.lemma in lex.verbs:
                verb = inner.verb or inner.lemma
                if p + verb in lex.verbs:
                    return p + verb  # neerkomt -> neerkomen, binnenkwam -> binnenkomen
    return None


def _by_rules(w: str) -> str | None:
    if w.startswith(("ge", "be", "ver", "ont", "her", "er") + PARTICLES):
        verb = _participle(w)
        if verb:
            return verb
    return _diminutive(w) or noun_singular(w) or _adjective_base(w) or _finite_verb(w)
