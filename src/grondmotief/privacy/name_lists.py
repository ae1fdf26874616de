"""What both name rule sets share: forms of address, tussenvoegsels, the name lists, tokens.

names.py finds capitalised names, names_lower.py lower-case ones; each imports from here.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

# Forms of address after which any capitalised word is a name.
STRONG_TITLES = {
    "mevrouw",
    "mevr",
    "mw",
    "meneer",
    "mnr",
    "dhr",
    "heer",
    "juffrouw",
    "juf",
    "meester",
    "dokter",
    "zuster",
    "broeder",
    "tante",
    "oom",
    "opa",
    "oma",
    "mr",
    "dr",
    "drs",
    "ir",
    "ing",
    "prof",
    "professor",
    "pastoor",
    "dominee",
    "pater",
    "ds",
}
# Titles that also precede non-names ("wethouder Zorg en Welzijn"): a listed name must follow.
ABBREVIATED = {"mevr", "mw", "mnr", "dhr", "mr", "dr", "drs", "ir", "ing", "prof", "ds"}
WEAK_TITLES = {
    "wethouder",
    "burgemeester",
    "directeur",
    "minister",
    "collega",
    "buurman",
    "buurvrouw",
    "coördinator",
    "voorzitter",
    "ambtenaar",
    "consulent",
}
ALL_TITLES = STRONG_TITLES | WEAK_TITLES
PARTICLES = ("van", "de", "der", "den", "het", "t", "ter", "ten", "te", "in", "op", "vd")
# Particle sequences that may start a surname.
PARTICLE_SEQS = {
    ("van",),
    ("van", "der"),
    ("van", "den"),
    ("van", "de"),
    ("van", "het"),
    ("van", "t"),
    ("de",),
    ("den",),
    ("der",),
    ("ter",),
    ("ten",),
    ("in", "t"),
    ("op", "de"),
    ("op", "den"),
}
# "Sint Maarten", "Zwarte Piet", "Prinses Beatrix": figures, feasts and places, not the people we protect.
NOT_A_PERSON_BEFORE = {"sint", "st", "zwarte", "heilige", "prinses", "prins", "koningin", "koning"}


@cache
def _load(name: str) -> dict[str, str]:
    text = resources.files("grondmotief").joinpath("data", "names", name).read_text(encoding="utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, _, tag = line.partition("\t")
        out[word.strip()] = tag.strip()
    return out


def first_names() -> dict[str, str]:
    return _load("voornamen.txt")


def surnames() -> dict[str, str]:
    return _load("achternamen.txt")


class Tok:
    __slots__ = ("start", "end", "text", "word")

    def __init__(self, m: re.Match[str]) -> None:
        self.text = m.group()
        self.start = m.start()
        word = self.text.rstrip(".")
        self.end = self.start + len(word)
        # "Anna's", "Piet’s": look the name up without the possessive.
        self.word = word[:-2] if len(word) > 3 and word[-2] in "'’" and word[-1] == "s" else word

    @property
    def cap(self) -> bool:
        w = self.word
        return w[0].isupper() and not (len(w) > 1 and w.isupper())

    @property
    def dotted(self) -> bool:
        return self.text.endswith(".")


def adjacent(text: str, a: Tok, b: Tok) -> bool:
    """Only spaces between two tokens (no punctuation, no paragraph break)."""
    gap = text[a.end : b.start]
    return bool(gap) and gap.strip() == "" and "\n\n" not in gap and not a.dotted
