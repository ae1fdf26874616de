"""Person names written in lower case ("jan de vries zei", "mevrouw bakker", "wethouder jansen").

Capitals carry most of the evidence in names.py; without them only a listed first name or a form
of address starts a name, and a surname must follow, so "ik sprak kees" is not flagged but
"kees klompmaker" is. A word counts as a surname when it is
- in the surname list and, without a tussenvoegsel, rare as an ordinary word: Dutch word
  frequency (wordfreq's Zipf) under COMMON_WORD_ZIPF, so "jan bakker" and "anna visser" are names
  and "gaf jan haar fiets" or "gaf anna meer tijd" are not (haar, meer: also surnames);
- or in no list at all and unknown to wordfreq's Dutch list (every word down to Zipf 3), when it
  does not end like a verb form ("anna mailde", "kees appt", "piet en jan fietsten").
First names that are also words ("mark", "roos", "wil", "ben") need a surname that is no word
("mark jansen", "wil de vries"), so "ik wil de boer bellen" stays clean.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from grondmotief.nlp.zipf import zipf
from grondmotief.privacy.name_lists import (
    ABBREVIATED,
    NOT_A_PERSON_BEFORE,
    PARTICLE_SEQS,
    PARTICLES,
    STRONG_TITLES,
    WEAK_TITLES,
    adjacent,
    first_names,
    surnames,
)

if TYPE_CHECKING:
    from grondmotief.privacy.name_lists import Tok

# Forms of address: any surname-like word after them is a name ("mevrouw klompmaker").
ADDRESS = {"mevrouw", "mevr", "mw", "meneer", "mnr", "dhr", "heer", "juffrouw", "juf"}
# "meester bakker" is a master baker: after it only a surname that is no word.
STRICT_TITLES = {"meester"}
COMMON_WORD_ZIPF = 4.5  # bakker 4.3, visser 4.1, mulder 4.1; hoek 4.8, haar 6.3, meer 6.4
NAME_LIKE_ZIPF = 4.3  # after a first name that is also a word: only the clearest surnames
# Listed first names that are ordinary words in lower case (in de fleur, een joke, op de floor).
_WORDS = {"fleur", "floor", "joke", "said", "trees", "mats", "rosa", "mien", "lea", "kai", "bo", "ans"}
# Tussenvoegsels that are also an everyday phrase: "van de bakker" is the baker's, "van der" is a name.
_PHRASES = {("van", "de"), ("van", "het"), ("van", "t")}
# Surnames that are frequent words but, bare after "de", only a name: "de" needs a noun otherwise.
_ADJECTIVES = {"jong", "jonge", "groot", "lange", "wilde", "wit", "zwart", "groen", "bruin", "klein"}
_VERB_ENDINGS = ("de", "te", "dt", "t", "en")
# The evidence a name part needs after: an untagged first name, a first name that is also a word,
# a form of address, another title ("dokter mulder", "wethouder jansen"), "meester".
FIRST, WORDLIKE, ADDRESSED, TITLED, STRICT = "first", "wordlike", "addressed", "titled", "strict"
# After these an unknown word is a noun, not a surname: "daan de verkeersregelaarscursus".
_NOUN_PHRASE = {("de",), ("van", "de"), ("van", "het"), ("van", "t")}


@cache
def _lower(names: str) -> dict[str, str]:
    src = first_names() if names == "first" else surnames()
    out: dict[str, str] = {}
    for word, tag in sorted(src.items()):
        out.setdefault(word.lower(), tag)
        if tag == "":  # Aydin/Aydın: the untagged spelling wins
            out[word.lower()] = tag
    return out


@cache
def starts_lower_case_name() -> frozenset[str]:
    """Words that may start a name in lower case: a title, or a first name that is not a word."""
    return frozenset(STRONG_TITLES | WEAK_TITLES | (set(_lower("first")) - _WORDS))


def _unknown_word(word: str, endings: tuple[str, ...] = _VERB_ENDINGS) -> bool:
    return len(word) >= 4 and zipf(word) == 0.0 and not word.endswith(endings) and "-" not in word


def _surname(text: str, toks: list[Tok], j: int, level: str) -> int | None:
    """Index of the last token of a lower-case surname from toks[j] (particles, then a word)."""
    sur = _lower("sur")
    k, seq = j, list[str]()
    while k < len(toks) and toks[k].word in PARTICLES and len(seq) < 3:
        if k > j and not adjacent(text, toks[k - 1], toks[k]):
            return None
        seq.append(toks[k].word)
        k += 1
    # In lower case "op de", "in 't" are prepositions ("een mevrouw op de hoek").
    if seq and (tuple(seq) not in PARTICLE_SEQS or seq[0] in ("in", "op")):
        return None
    if k >= len(toks) or (k > j and not adjacent(text, toks[k - 1], toks[k])):
        return None
    word = toks[k].word
    if not word.islower() or word in PARTICLES:
        return None
    tag = sur.get(word)
    z = zipf(word)
    if tuple(seq) in _PHRASES and ((tag is None and level != FIRST) or (tag not in (None, "") and z >= 4.0)):
        return None  # "mevrouw van de bakker", "meneer van het wijkteam": where they are from
    if seq == ["de"] and tag not in (None, "") and z >= COMMON_WORD_ZIPF and word not in _ADJECTIVES:
        return None  # "de hoek", "de post", "de winter": nouns; "de jong", "de groot" are names
    if tag is None:
        # A word in no list: only when it is unknown as a Dutch word ("van der klompmaker").
        # A plural verb cannot follow "mevrouw": there only past and present singular endings count.
        endings = _VERB_ENDINGS if level == FIRST else _VERB_ENDINGS[:-1]
        ok = level in (FIRST, ADDRESSED) and tuple(seq) not in _NOUN_PHRASE and _unknown_word(word, endings)
    elif level == WORDLIKE:
        # "roos van dijk"; "de" alone only before a clear surname ("wil de vries", not "wil de boer").
        ok = tag == "" or (seq[:1] == ["van"] and z < 5.5) or (bool(seq) and z < NAME_LIKE_ZIPF)
    elif seq:
        # "de jong", "van der meer"; but "van haar" / "van meer" after a bare "van" are words.
        ok = not (seq == ["van"] and z >= 5.5) and not (level in (TITLED, STRICT) and tag == "place" and seq != ["van"])
    else:
        ok = tag == "" or (level != STRICT and z < COMMON_WORD_ZIPF)
    return k if ok else None


def _first_then_surname(text: str, toks: list[Tok], i: int) -> int | None:
    """toks[i] is an untagged first name: its surname, also after a second given name."""
    if i + 1 >= len(toks) or not adjacent(text, toks[i], toks[i + 1]):
        return None
    end = _surname(text, toks, i + 1, FIRST)
    second = toks[i + 1].word
    if end is None and _lower("first").get(second) == "" and i + 2 < len(toks) and second not in _WORDS:
        end = _surname(text, toks, i + 2, FIRST) if adjacent(text, toks[i + 1], toks[i + 2]) else None
    return end


def lower_case_name(text: str, toks: list[Tok], i: int) -> int | None:
    """Index of the last token of a name written in lower case that starts at (or, after a title,
    just after) toks[i]; None when there is none."""
    tok = toks[i]
    low = tok.word.lower()
    n = len(toks)
    if low in STRONG_TITLES or low in WEAK_TITLES:
        if i + 1 >= n or not toks[i + 1].word.islower():
            return None
        after_dot = low in ABBREVIATED and tok.dotted and text[tok.start + len(tok.text) : toks[i + 1].start] == " "
        if not (adjacent(text, tok, toks[i + 1]) or after_dot):
            return None
        if low == "heer" and (i == 0 or toks[i - 1].word.lower() != "de"):
            return None
        if _lower("first").get(toks[i + 1].word) == "" and toks[i + 1].word not in _WORDS:
            # "juf anneke", "oom piet", "mevrouw anna de vries"
            return _first_then_surname(text, toks, i + 1) or i + 1
        level = ADDRESSED if low in ADDRESS else STRICT if low in STRICT_TITLES else TITLED
        return _surname(text, toks, i + 1, level)
    if not tok.word.islower():
        return None
    tag = _lower("first").get(low)
    if tag is None or low in _WORDS:
        return None
    before = text[max(0, tok.start - 3) : tok.start]
    if any(c.isdigit() for c in before):  # "3 jan 2021"
        return None
    if i > 0 and adjacent(text, toks[i - 1], tok) and toks[i - 1].word.lower() in NOT_A_PERSON_BEFORE:
        return None  # "zwarte piet", "sint jan"
    if tag == "":
        return _first_then_surname(text, toks, i)
    if i + 1 < n and adjacent(text, tok, toks[i + 1]):
        return _surname(text, toks, i + 1, WORDLIKE)
    return None
