"""Fuzzy search over the codebook for the "add a code" picker.

Typing "subs" finds `subsidies`, "schaar" finds `scarcity` (label Schaarste), "verg" finds
`permits` (Vergunningen). Ids, Dutch labels and, with less weight, keywords are searched;
accents are ignored. Small and dependency-free: a codebook has tens of codes, not thousands.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from grondmotief.study.codebook import Codebook


@dataclass(frozen=True)
class Match:
    code: str
    score: float


def fold(text: str) -> str:
    """Lower case without accents: 'Gelijkwaardigheid' and 'geïnformeerd' compare plainly."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _field_score(query: str, value: str) -> float:
    """1.0 exact, ~0.9 prefix, ~0.8 prefix of a word, ~0.6 substring, up to 0.4 in-order letters, 0 none.

    Within a kind, the closer the lengths the higher: "schaar" ranks Schaarste above Schaarste en overvloed.
    """
    value = fold(value)
    if not value:
        return 0.0
    if value == query:
        return 1.0
    closeness = 0.09 * len(query) / len(value)
    if value.startswith(query):
        return 0.9 + closeness
    words = value.replace("-", " ").replace("_", " ").split()
    if any(w.startswith(query) for w in words):
        return 0.8 + closeness
    if query in value:
        return 0.6 + closeness
    # Letters in order (a typo-tolerant last resort), rewarding compact matches.
    pos, first, last = 0, -1, -1
    for ch in query:
        found = value.find(ch, pos)
        if found < 0:
            return 0.0
        first = found if first < 0 else first
        last = found
        pos = found + 1
    spread = (last - first + 1) / len(query)
    return 0.4 / spread


def search(codebook: Codebook, query: str, *, limit: int | None = None) -> list[Match]:
    """Codes best matching `query`, best first; an empty query lists the codebook in order.

    Ranked in tiers, so a code whose id or Dutch label contains what was typed always comes before
    one that merely has a matching keyword (`over` → abundance, Overvloed, before partnership with
    its keyword "overleg"): 1. id or label, as a prefix, word prefix or substring; 2. keyword, the
    same way; 3. letters of the id or label in order (typo tolerance), only when nothing else matches.
    """
    q = fold(query.strip())
    if not q:
        out = [Match(cid, 0.0) for cid in codebook.order]
        return out[:limit] if limit else out
    scored: list[tuple[float, int, str]] = []
    fuzzy: list[tuple[float, int, str]] = []
    for rank, cid in enumerate(codebook.order):
        code = codebook.codes[cid]
        name = max(_field_score(q, cid), _field_score(q, code.label))
        if name >= 0.6:  # tier 1, scores 0.6–1.0
            scored.append((1.0 + name, rank, cid))
            continue
        keyword = max((_field_score(q, k.rstrip("*")) for k in code.spec.keywords), default=0.0)
        if keyword >= 0.6:  # tier 2
            scored.append((keyword, rank, cid))
        elif name > 0:  # tier 3
            fuzzy.append((name * 0.5, rank, cid))
    found = scored or fuzzy
    found.sort(key=lambda t: (-t[0], t[1]))
    out = [Match(cid, score) for score, _, cid in found]
    return out[:limit] if limit else out
