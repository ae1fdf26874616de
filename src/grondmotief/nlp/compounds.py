"""Dutch compounds: where a compound splits, and its head (prestatieafspraak -> afspraak).

Dutch writes compounds as one word, so "subsidieaanvragen" must be found through its head
"aanvragen". Without word frequencies the split is scored: a modifier that is a noun or
adjective (with a linking -s-, -e-, -en-) beats a verb stem, which beats a modifier that is a
compound itself; derivations (vergader-ing) and suffix-like heads are never split.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from grondmotief.nlp.lexicon import lexicon, normalise
from grondmotief.nlp.wordlists import LEXICALISED_DIMINUTIVES, words

_LINKS = ("s", "en", "e", "er", "n")
_MIN_PART = 3
_MIN_MODIFIER = 4  # bes|luit, bed|rijf, con|tact: three-letter modifiers mislead more than help
# Endings that are suffixes or verb inflection rather than compound heads (samenwerk-ing).
_NOT_HEADS = words(
    "ing heid schap lijk ijk tie sie isme baar loos nis sel aar der er ster tig ig end ens ren "
    "sen pen gen men ven zen ten den even oen ent age ier ist tor ris ling iden ger iner aker "
    "laar nemer schappelijk willig matig tuk maal torisch raat statie tuut eten"
)
_NOT_MODIFIERS = words("ver her ont mis wan")  # prefixes, not words, in compounds


def _modifier_score(m: str, depth: int = 0) -> int:
    """How good a left part is: 2 a noun/adjective (with a linking -s-, -en-, -e-), 1 a verb
    stem (woon-wijk), 0 itself a compound, -1 not a word."""
    lex = lexicon()
    if len(m) < _MIN_MODIFIER or m in lex.function or m in _NOT_MODIFIERS:
        return -1
    bases = [m] + [m[: -len(k)] for k in _LINKS if m.endswith(k) and len(m) - len(k) >= _MIN_PART]
    for b in bases:
        if _is_content_lemma(b) and b not in _NOT_MODIFIERS:
            return 2
    if m in lex.verb_stems:
        return 1
    if depth < 2 and _best_split(m, _is_content_lemma, depth + 1) is not None:
        return 0
    return -1


def _is_content_lemma(w: str) -> bool:
    lex = lexicon()
    return (
        (w in lex.nouns or w in lex.adjs or w in LEXICALISED_DIMINUTIVES)
        and w not in lex.function
        and w not in _NOT_MODIFIERS
    )


def _best_split(
    w: str, head_ok: Callable[[str], bool], depth: int = 0, long_head: bool = False
) -> tuple[str, str] | None:
    """(modifier, head): the best-scored modifier, then the longest modifier (the top-level
    split: vrijwilligerswerk|beleid, gemeente|huis rather than gemeen|tehuis), or with
    ``long_head`` the longest head (safest when only the head's inflection matters)."""
    lex = lexicon()
    best: tuple[int, int] | None = None
    found: tuple[str, str] | None = None
    derived = any(w.endswith(x) and w[: -len(x)] in lex.verb_stems for x in ("ing", "er"))
    for i in range(len(w) - _MIN_PART, _MIN_PART - 1, -1):
        mod, head = w[:i], w[i:]
        if head in _NOT_HEADS or (len(head) < 4 and len(mod) < 6) or not head_ok(head):
            continue  # a three-letter head only after a long modifier: bestuurs|lid, not kwart|aal
        if derived and not any(head.endswith(x) and head[: -len(x)] in lex.verb_stems for x in ("ing", "er")):
            continue  # vergader-ing, waardering: a derivation splits only into a derivation
        score = _modifier_score(mod, depth)
        if score < 0 or (derived and score < 2) or (score == 1 and len(head) < 4):
            continue
        rank = (score, len(head) if long_head else len(mod))
        if best is None or rank > best:
            best, found = rank, (mod, head)
    return found


def compound_lemma(w: str, noun_first: Callable[[str], str], noun_singular: Callable[[str], str | None]) -> str | None:
    """subsidieaanvragen -> subsidieaanvraag; only for forms no table knows.

    The head is lemmatised by the caller's lemmatizer (``noun_first``, ``noun_singular`` from
    lemmas.py, which calls this for compounds): passed in, so neither module imports the other.
    """

    def is_head_form(head: str) -> bool:
        # A known noun/adjective form, or a plural the noun rules can reduce (wijk|verbinders).
        lex = lexicon()
        if lex.known_form(head) and _is_content_lemma(noun_first(head)):
            return True
        return len(head) >= 5 and noun_singular(head) is not None

    parts = _best_split(w, is_head_form, long_head=True)
    if parts is None:
        return None
    modifier, head = parts
    return modifier + noun_first(head)


@cache
def compound_head(lemma: str) -> str | None:
    """The head lemma of a compound lemma (prestatieafspraak -> afspraak), else None.

    The head is a noun or adjective from the lemma lists whose left part is itself a word
    (allowing linking -s-, -e-, -en-), choosing the top-level split. Short words, verbs and
    derivations are not split, which keeps "lokaal" from becoming lok + aal.
    """
    w = normalise(lemma)
    if "-" in w.strip("-"):
        return w.rpartition("-")[2] or None
    lex = lexicon()
    if len(w) < 8 or (w in lex.verbs and w not in lex.nouns):
        return None
    parts = _best_split(w, _is_content_lemma)
    return parts[1] if parts else None
