"""Dutch person-name detection for the personal-data scan (see detector.py).

Rules, in order of strength (precision first: a false alarm withholds a good quote):
1. a title or form of address followed by a capitalised name: "mevrouw De Vries", "meneer Bakker",
   "dhr. Jansen", "tante Riek", "juf Anneke"; weaker titles ("wethouder", "burgemeester") only when
   the name is a known first name or surname, so "wethouder Zorg" is not a person;
2. a known first name, capitalised, with any following surname ("Piet", "Anna van der Berg").
   Names that are also ordinary words ("Ben je er?", "Roos") need a surname when they start a
   sentence; names that are also languages or nationalities ("Frans", "Noor") always need one;
3. a capitalised tussenvoegsel inside a sentence: "Van Dijk", "Van der Linden", "De Vries";
4. initials with a surname: "J. de Vries", "A.B. Jansen";
5. a known surname on its own, capitalised inside a sentence, when it is not also a word or place;
6. a name written in lower case (names_lower.py): "jan de vries", "mevrouw bakker", "wethouder jansen".
After a venue word ("Café De Hoek", "Buurthuis De Brink") a tussenvoegsel with a surname that is
also a word, or a first name that is also a word, names the place: only a real name part counts there
("Stichting Jan de Vries", "Café Jansen").
Capitalised sentence starts, place names (Weidebroek) and words such as "Wmo" are not names: only
listed names, titles and tussenvoegsels trigger a finding. Lists: data/names/*.txt.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from grondmotief.privacy.name_lists import (
    ABBREVIATED,
    ALL_TITLES,
    NOT_A_PERSON_BEFORE,
    PARTICLE_SEQS,
    PARTICLES,
    STRONG_TITLES,
    WEAK_TITLES,
    Tok,
    adjacent,
    first_names,
    surnames,
)

if TYPE_CHECKING:
    from grondmotief.privacy.finding import Finding

KIND = "person name"
_TOKEN = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*\.?")
# Words that name a place or organisation after them ("Café De Hoek", "Stichting De Brug").
_VENUES = {
    "café",
    "cafe",
    "eetcafé",
    "restaurant",
    "brasserie",
    "hotel",
    "herberg",
    "bar",
    "kroeg",
    "stichting",
    "vereniging",
    "club",
    "school",
    "basisschool",
    "kerk",
    "kapel",
    "boerderij",
    "zorgboerderij",
    "camping",
    "zaal",
    "theater",
    "winkel",
    "bakkerij",
    "slagerij",
    "apotheek",
    "praktijk",
    "kliniek",
    "galerie",
    "museum",
    "molen",
    "speeltuin",
    "sporthal",
    "sportpark",
    "park",
    "kinderopvang",
    "hofje",
}
# ... and compounds ending so: Buurthuis, Wijkcentrum, Zorgcentrum, Voetbalvereniging, Dorpshuis.
_VENUE_ENDINGS = ("huis", "centrum", "school", "vereniging", "club", "café", "kerk", "hal", "zaal")
_INITIALS = re.compile(r"(?<![\w.])(?:[A-Z]\.){1,4}\s+")
_SENTENCE_END = ".!?:;…\n"
_OPENERS = "\"'„“”‘’«»([–—-*"


def _sentence_initial(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and (text[i].isspace() or text[i] in _OPENERS):
        if text[i] == "\n":
            return True
        i -= 1
    if i < 0:
        return True
    if text[i] in _SENTENCE_END:
        return True
    # "(…)" elisions often cut between sentences.
    return text[i] == ")" and i >= 1 and text[i - 1] in "….‥"


def _is_name_word(word: str, names: dict[str, str]) -> bool:
    if word in names:
        return True
    parts = re.split(r"[-]", word)
    return len(parts) > 1 and all(p in names for p in parts)


def _is_venue(word: str) -> bool:
    low = word.lower()
    return low in _VENUES or (len(low) > 6 and low.endswith(_VENUE_ENDINGS))


def _surname_after(text: str, toks: list[Tok], j: int) -> int | None:
    """Index of the last token of a surname starting at toks[j] (particles, then a capitalised word)."""
    k = j
    seq: list[str] = []
    while k < len(toks) and toks[k].word.lower() in PARTICLES and len(seq) < 3:
        if k > j and not adjacent(text, toks[k - 1], toks[k]):
            return None
        seq.append(toks[k].word.lower())
        k += 1
    if seq and tuple(seq) not in PARTICLE_SEQS:
        return None
    if k >= len(toks) or (k > j and not adjacent(text, toks[k - 1], toks[k])):
        return None
    tok = toks[k]
    if not tok.cap or tok.word.lower() in PARTICLES:
        return None
    # A particle written in lower case after a first name ("Anna van de Wijk") or capitalised at the start.
    return k


def find_person_names(text: str) -> list[Finding]:
    """Spans that look like a person's name (kind 'person name')."""
    from grondmotief.privacy.finding import Finding
    from grondmotief.privacy.names_lower import lower_case_name, starts_lower_case_name

    first = first_names()
    sur = surnames()
    starts = starts_lower_case_name()
    toks = [Tok(m) for m in _TOKEN.finditer(text)]
    found: list[Finding] = []
    i = 0
    n = len(toks)
    while i < n:
        tok = toks[i]
        low = tok.word.lower()
        nxt = i + 1 < n and adjacent(text, tok, toks[i + 1])
        # 1. titles: "mevrouw De Vries", "dhr. Jansen"; "de heer X" needs the "de".
        if low in STRONG_TITLES or low in WEAK_TITLES:
            after_dot = (
                i + 1 < n
                and low in ABBREVIATED
                and tok.dotted
                and text[tok.start + len(tok.text) : toks[i + 1].start] == " "
            )
            if (nxt or after_dot) and not (low == "heer" and (i == 0 or toks[i - 1].word.lower() != "de")):
                end = _surname_after(text, toks, i + 1)
                if end is not None:
                    head = toks[end]
                    known = _is_name_word(head.word, first) or head.word in sur or end > i + 1
                    if low in STRONG_TITLES or known:
                        end = _extend(text, toks, end, first)
                        found.append(Finding(KIND, toks[i + 1].start, toks[end].end))
                        i = end + 1
                        continue
        # 4. initials: "J. de Vries"
        if tok.cap and len(tok.word) == 1 and tok.dotted:
            m = _INITIALS.match(text, tok.start)
            if m:
                j = i
                while j < n and toks[j].start < m.end():
                    j += 1
                end = _surname_after(text, toks, j) if j < n else None
                if end is not None and (end > j or toks[end].word in sur):
                    found.append(Finding(KIND, tok.start, toks[end].end))
                    i = end + 1
                    continue
        if low in starts and (tok.word.islower() or low in ALL_TITLES):
            end = lower_case_name(text, toks, i)
            if end is not None:
                found.append(Finding(KIND, toks[i + 1].start if low in ALL_TITLES else tok.start, toks[end].end))
                i = end + 1
                continue
        if not tok.cap:
            i += 1
            continue
        initial = _sentence_initial(text, tok.start)
        prev_low = toks[i - 1].word.lower() if i > 0 and adjacent(text, toks[i - 1], tok) else ""
        venue = bool(prev_low) and _is_venue(prev_low)
        # 2. first names, with any surname that follows.
        if _is_name_word(tok.word, first) and prev_low not in NOT_A_PERSON_BEFORE:
            tag = first.get(tok.word, "")
            end = _surname_after(text, toks, i + 1) if nxt else None
            if end is not None:
                end = _extend(text, toks, end, first)
            ok = end is not None or tag == "" or (tag == "word" and not initial and not venue)
            if ok:
                found.append(Finding(KIND, tok.start, toks[end].end if end is not None else tok.end))
                i = (end if end is not None else i) + 1
                continue
        # 3. a capitalised tussenvoegsel: "Van Dijk" in a sentence, "De Vries" when Vries is a surname.
        if low in ("van", "de", "den", "ter", "ten") and nxt:
            end = _surname_after(text, toks, i)
            if end is not None and end > i:
                base = toks[end].word
                if venue:  # "Café De Hoek", "Buurthuis Van Dijk": the place, unless the surname is no word
                    named = sur.get(base) == ""
                else:
                    named = (low == "van" and not initial) or (base in sur and (low == "van" or sur[base] != "place"))
                if named:
                    found.append(Finding(KIND, tok.start, toks[end].end))
                    i = end + 1
                    continue
        # 5. an unambiguous surname inside a sentence.
        if not initial and sur.get(tok.word) == "" and tok.word in sur:
            found.append(Finding(KIND, tok.start, tok.end))
        i += 1
    return found


def _extend(text: str, toks: list[Tok], end: int, first: dict[str, str]) -> int:
    """After a first name, take a second given name and a surname: "Jan Willem van Dijk"."""
    if end + 1 < len(toks) and _is_name_word(toks[end].word, first):
        nxt = _surname_after(text, toks, end + 1) if adjacent(text, toks[end], toks[end + 1]) else None
        if nxt is not None:
            return nxt
    return end
