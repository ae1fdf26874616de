"""`words`: lemma frequencies over a selection of passages, and keyness between attribute values.

Counts come from the suggest cache's parsed passages (no spaCy when warm). Stop words, numbers
and punctuation are left out; `heads` counts a compound by its head (wachtlijst for
thuiszorgwachtlijst). Keyness is Dunning's log-likelihood (G², suggest/expand.py's `g2`) of a
lemma's occurrences in one value's passages against all others, over-represented lemmas only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grondmotief.search.find import Selection, selected
from grondmotief.search.passages import PassageReader
from grondmotief.search.query import stop_words
from grondmotief.study.folder import Study


@dataclass
class WordCounts:
    rows: list[dict[str, Any]]
    passages: int
    tokens: int
    orphaned: int


def word_counts(
    study: Study, selection: Selection, *, heads: bool = False, compare: str | None = None, limit: int = 30
) -> WordCounts:
    from grondmotief.suggest.rules import fold

    head = None
    if heads:
        from grondmotief.nlp.pipeline import compound_head

        head = compound_head
    stop = stop_words()
    memo: dict[str, str | None] = {}

    def key(lemma: str) -> str | None:
        got = memo.get(lemma, "")
        if got == "":
            f = fold(lemma)
            ok = len(f) >= 2 and f.replace("-", "").isalpha() and f not in stop
            got = memo[lemma] = (fold(head(lemma) or lemma) if head else f) if ok else None
        return got

    occ: dict[tuple[str, str], int] = {}  # (group, lemma) → occurrences
    df: dict[str, set[str]] = {}
    cases: dict[str, set[str]] = {}
    group_tokens: dict[str, int] = {}
    n_pass = 0
    sel = selected(study, selection, PassageReader(study), parse=True)
    for tp, segs in sel:
        parsed = tp.parsed
        assert parsed is not None
        group = str(study.transcripts[tp.transcript].attributes.get(compare, "(none)")) if compare else ""
        ids = {s.id for s in segs}
        counted = [key(x) for x in parsed.strings]  # per string of this transcript: its word, or None
        for seg, k in zip(tp.segments, tp.keys, strict=True):
            sid = seg.id
            if sid not in ids:
                continue
            n_pass += 1
            lo, hi = parsed.span(k) or (0, 0)
            found = [w for li in parsed.lemma[lo:hi].tolist() if (w := counted[li]) is not None]
            if found:
                group_tokens[group] = group_tokens.get(group, 0) + len(found)
            for w in found:
                occ[(group, w)] = occ.get((group, w), 0) + 1
            for w in set(found):
                df.setdefault(w, set()).add(sid)
                cases.setdefault(w, set()).add(tp.transcript)
    total = sum(group_tokens.values())
    per_word: dict[str, int] = {}
    for (_, w), n in occ.items():
        per_word[w] = per_word.get(w, 0) + n
    if not compare:
        ranked = sorted(per_word, key=lambda w: (-per_word[w], w))[:limit]
        rows = [{"lemma": w, "count": per_word[w], "passages": len(df[w]), "cases": len(cases[w])} for w in ranked]
        return WordCounts(rows, n_pass, total, sel.orphaned)
    from grondmotief.suggest.expand import g2

    rows = []
    for group in sorted(group_tokens):
        here, rest = group_tokens[group], total - group_tokens[group]
        found = []
        for w, n_all in per_word.items():
            a = occ.get((group, w), 0)
            b = n_all - a
            if a < 2 or not rest or a / here <= b / rest:
                continue
            found.append((g2(a, b, here - a, rest - b), a, w))
        found.sort(key=lambda x: (-x[0], -x[1], x[2]))
        for score, a, w in found[:limit]:
            rows.append({compare: group, "lemma": w, "count": a, "elsewhere": per_word[w] - a, "g2": round(score, 2)})
    return WordCounts(rows, n_pass, total, sel.orphaned)
