"""Candidate keywords from the study itself: words that keep company with a code.

A code's passages are those where its keyword rules fire (or, with a coder, where that coder
accepted it). A lemma is a candidate when it occurs in those passages clearly more often than
in the study's other passages: ranked by Dunning's log-likelihood (G²) of the 2×2 table
(lemma present or not × code passage or not), positive associations only, at least
`min_count` code passages. Everyday words (informativeness below MIN_INFO) and the code's own
keywords are left out. The researcher reads the examples and adds what fits to the codebook.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from grondmotief.study.folder import Study
from grondmotief.suggest.engine import Engine, transcript_files
from grondmotief.suggest.results import LOOSE, PATTERN, PHRASE, RANK, SPLIT
from grondmotief.suggest.rules import fold

RULE_KINDS = frozenset(RANK) | {PHRASE, LOOSE, SPLIT, PATTERN}  # keyword evidence, not profile or model
MIN_INFO = 0.2
EXAMPLES = 3


@dataclass
class Candidate:
    lemma: str
    in_code: int  # code passages holding the lemma
    passages: int  # all passages holding it
    g2: float
    examples: list[str] = field(default_factory=list)  # segment ids

    def to_json(self) -> dict[str, Any]:
        return {
            "lemma": self.lemma,
            "in_code": self.in_code,
            "passages": self.passages,
            "g2": round(self.g2, 2),
            "examples": self.examples,
        }


@dataclass
class Expansion:
    code: str
    code_passages: int
    passages: int
    candidates: list[Candidate]


def g2(a: int, b: int, c: int, d: int) -> float:
    """Log-likelihood ratio of a 2×2 table [[a, b], [c, d]]."""
    n = a + b + c + d
    total = 0.0
    for obs, row, col in ((a, a + b, a + c), (b, a + b, b + d), (c, c + d, a + c), (d, c + d, b + d)):
        if obs:
            total += obs * math.log(obs * n / (row * col))
    return 2.0 * total


def covered(study: Study, code: str) -> Any:
    """Whether the code's own keywords already find a lemma: the word itself, a stem's
    forms (subsidie* finds subsidieaanvraag) or a compound it heads (wijkmakelaar for makelaar)."""
    words: set[str] = set()
    stems: list[str] = []
    for kw in study.codebook.codes[code].spec.keywords:
        for w in kw.lower().split():
            if w.endswith("*"):
                stems.append(fold(w.rstrip("*")))
            else:
                words.add(fold(w))
    heads = tuple(w for w in words if len(w) >= 5)

    def check(lemma: str) -> bool:
        return lemma in words or lemma.startswith(tuple(stems)) or lemma.endswith(heads)

    return check


def expand(study: Study, code: str, *, coder: str | None = None, limit: int = 20, min_count: int = 2) -> Expansion:
    from grondmotief.suggest.informativeness import informativeness

    code = study.codebook.get(code).id
    engine = Engine(study, None, use_model=False)
    accepted: set[str] = set()
    if coder is not None:
        accepted = {
            a.segment
            for a in study.decisions([coder])
            if a.status != "orphan" and a.decision.code == code and a.decision.decision == "accepted"
        }
    lemmas: dict[str, set[str]] = {}
    positive: list[str] = []
    order: list[str] = []
    try:
        for path, expect in transcript_files(study):
            f, entries = engine.file_entries(path, expect)
            parsed, _ = engine.ensure_parsed(f)
            if f.changed:
                f.cache.save(engine.writer)
            for seg, key in zip(f.segs, f.keys, strict=True):
                order.append(seg.id)
                feats = {x for x in engine._features(parsed, key) if ":" not in x}  # lemmas, not heads or n-grams
                lemmas[seg.id] = feats
                hit = any(
                    c == code and any(ev[5] in RULE_KINDS for ev in evs)  # Evidence or its JSON array
                    for c, _s, _k, _p, _src, evs in entries.get(key, ())
                )
                if hit or seg.id in accepted:
                    positive.append(seg.id)
    finally:
        engine.writer.flush()
    pos = set(positive)
    n_pos, n = len(pos), len(order)
    own = covered(study, code)
    df: dict[str, int] = {}
    df_pos: dict[str, int] = {}
    for sid in order:
        for lem in lemmas[sid]:
            df[lem] = df.get(lem, 0) + 1
            if sid in pos:
                df_pos[lem] = df_pos.get(lem, 0) + 1
    found = []
    for lem, a in df_pos.items():
        if a < min_count or own(lem) or len(lem) < 3 or informativeness(lem) < MIN_INFO:
            continue
        b = df[lem] - a
        if a / n_pos <= b / max(n - n_pos, 1):
            continue  # not more common in the code's passages
        found.append(Candidate(lem, a, df[lem], g2(a, b, n_pos - a, n - n_pos - b)))
    found.sort(key=lambda c: (-c.g2, -c.in_code, c.lemma))
    found = found[:limit]
    for cand in found:
        cand.examples = [sid for sid in positive if cand.lemma in lemmas[sid]][:EXAMPLES]
    return Expansion(code, n_pos, n, found)
