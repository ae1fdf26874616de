"""The semantic model: which code of a competing group (the themes) a passage is about, from its
subword vectors (nlp.vectors) rather than its lemmas.

The lemma models see only the words they were trained on; a dense vector of the passage's
pieces, learnt on much multilingual text, gives a model a different view of the same passage.
One multinomial logistic regression per competing group, over the group's codes and "none",
learnt from the codebook's example passages (each with its first code of the group, or none) and
the coder's decisions (DECISION_WEIGHT each, as the lemma models weigh them). Its probability p
is mixed into the group's final scores: score = (1 - WEIGHT) * score + WEIGHT * p.

Chosen on the development set (tests/fixtures/suggest/dev) alone, before one run on the held-out
set: theme top-1 0.84 -> 0.87, passages without a theme 0.08 -> 0.08, theme-less passages given
one 0.17 -> 0.17 at WEIGHT 0.4 and C 100 (at 0.5 top-1 0.87 but false themes 0.30; at C 10, 0.85
to 0.86; the model alone 0.73; the full sentence encoder in its place 0.89, at about 20x the cost;
a geometric mean left more passages without a theme, 0.17-0.21).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from grondmotief.suggest.results import SEMANTIC, Evidence

NONE = ""  # the class of a passage about no code of the group
WEIGHT = 0.4
ABOUT = 0.2  # see mix_group
SURE = 0.9  # see mix_group
C = 100.0
DECISION_WEIGHT = 2.0
EVIDENCE = 3  # words shown per suggestion
MIN_P = 0.2  # below this the model's say is too small to show words for
MODEL = f"semantic2:{WEIGHT}:{C}:{DECISION_WEIGHT}"
_CHUNK = re.compile(r"\S+")
_EDGE = re.compile(r"^\W+|\W+$")


@dataclass
class SemanticModel:
    group: str
    classes: list[str]  # the group's codes and NONE, in training order
    coef: np.ndarray  # (classes, DIM)
    intercept: np.ndarray  # (classes,)

    def predict(self, vectors: np.ndarray) -> np.ndarray:
        """Per passage and class, the probability (rows sum to 1)."""
        z = vectors.astype(np.float64) @ self.coef.T + self.intercept
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z

    def reasons(self, codes: list[str], text: str, chunks: Any, stop: frozenset[str]) -> dict[str, list[Evidence]]:
        """Per code, the words of the passage whose vectors pull most towards it against the
        group's other classes: its evidence, strongest first (rule `semantic:<word>`)."""
        spans: list[tuple[str, int, int, str]] = []
        words, seen = [], set()
        for m in _CHUNK.finditer(text):
            word = m.group()
            inner = _EDGE.sub("", word)
            key = inner.lower()
            if len(key) < 3 or key in stop or key in seen or not any(ch.isalpha() for ch in key):
                continue
            seen.add(key)
            start = m.start() + word.index(inner)
            spans.append((key, start, start + len(inner), inner))
            words.append(word)
        out: dict[str, list[Evidence]] = {}
        if not words:
            return out
        sums, counts = chunks(words)
        rows = sums / np.maximum(counts, 1)[:, None]
        at = [self.classes.index(c) for c in codes]
        directions = self.coef[at] - self.coef.mean(axis=0)
        pulls = np.asarray(rows, dtype=np.float64) @ directions.T  # (words, codes)
        for j, code in enumerate(codes):
            col = pulls[:, j]
            top = sorted((i for i in range(len(spans)) if col[i] > 0), key=lambda i: (-col[i], spans[i][1]))
            out[code] = [
                Evidence(w, key, s, e, f"semantic:{key}", SEMANTIC)
                for key, s, e, w in (spans[i] for i in top[:EVIDENCE])
            ]
        return out

    def to_arrays(self) -> tuple[dict[str, Any], bytes]:
        header = {"group": self.group, "classes": self.classes, "dim": int(self.coef.shape[1])}
        return header, np.ascontiguousarray(self.coef, dtype="<f8").tobytes() + self.intercept.astype("<f8").tobytes()

    @classmethod
    def from_arrays(cls, header: dict[str, Any], payload: bytes) -> SemanticModel | None:
        try:
            classes = [str(c) for c in header["classes"]]
            dim = int(header["dim"])
            n = len(classes)
            flat = np.frombuffer(payload, dtype="<f8")
            if flat.size != n * dim + n or n < 2:
                return None
            return cls(str(header["group"]), classes, flat[: n * dim].reshape(n, dim).copy(), flat[n * dim :].copy())
        except (KeyError, TypeError, ValueError):
            return None


def models_to_bytes(models: dict[str, SemanticModel]) -> tuple[dict[str, Any], bytes]:
    """Every group's model in one cache entry (see seed_cache): headers in order, arrays concatenated."""
    parts = [m.to_arrays() for _, m in sorted(models.items())]
    return {"models": [h for h, _ in parts], "sizes": [len(b) for _, b in parts]}, b"".join(b for _, b in parts)


def models_from_bytes(header: dict[str, Any], payload: bytes) -> dict[str, SemanticModel] | None:
    try:
        heads, sizes = list(header["models"]), [int(n) for n in header["sizes"]]
    except (KeyError, TypeError, ValueError):
        return None
    if len(heads) != len(sizes) or sum(sizes) != len(payload):
        return None
    out, at = {}, 0
    for head, size in zip(heads, sizes, strict=True):
        model = SemanticModel.from_arrays(head, payload[at : at + size])
        if model is None:
            return None
        out[model.group] = model
        at += size
    return out


def labels_of(coded: list[tuple[str, ...]], codes: list[str]) -> list[str]:
    """Each passage's class for a group: its first code of the group, or NONE."""
    members = set(codes)
    return [next((c for c in got if c in members), NONE) for got in coded]


def train(
    group: str, codes: list[str], vectors: np.ndarray, labels: list[str], weights: list[float]
) -> SemanticModel | None:
    """A model when at least two classes have examples; None otherwise."""
    present = [c for c in [*codes, NONE] if c in set(labels)]
    if len(present) < 2 or len(labels) == 0:
        return None
    from sklearn.linear_model import LogisticRegression

    y = np.asarray([present.index(c) for c in labels], dtype=np.int64)
    # Newton-CG: on 900 example passages it reaches the optimum in 7 steps and 0.2 s, where
    # lbfgs at sklearn's default tolerance took 3.4 s and stopped short of it.
    clf = LogisticRegression(C=C, solver="newton-cg", tol=1e-6, max_iter=200)
    clf.fit(vectors.astype(np.float64), y, sample_weight=np.asarray(weights, dtype=np.float64))
    coef, intercept = clf.coef_.astype(np.float64), clf.intercept_.astype(np.float64)
    if len(present) == 2:  # sklearn's binary form: one row for the second class
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.asarray([-intercept[0] / 2, intercept[0] / 2])
    return SemanticModel(group, present, coef, intercept)


def mix(entry: list[list[Any]], codes: list[str], model: SemanticModel, probs: np.ndarray) -> list[list[Any]]:
    """The group's scores in a results entry (rows [code, score, ...]) mixed as mix_group does."""
    got = mix_group({r[0]: r[1] for r in entry}, codes, dict(zip(model.classes, map(float, probs), strict=True)))
    for row in entry:
        row[1] = round(got[row[0]], 6)
    return entry


def mix_group(scores: dict[str, float], codes: list[str], p: dict[str, float]) -> dict[str, float]:
    """A competing group's scores (codes in codebook order) mixed with the model's p per class: a
    code the model has no class for keeps (1 - WEIGHT) of its score. Where the model is sure the
    passage is about the group at all (1 - p of none >= SURE), that is evidence for the leader,
    however the model spreads it over the codes: the leader's score is then at least the group's
    best score before the mix, mixed with 1 - p of none at ABOUT. Chosen on the development set
    (passages without a theme 0.09 -> 0.04, false themes unchanged at 0.17) and the demo coders
    (theme macro-F1 0.80 -> 0.79 anna, 0.78 ben); at SURE 0.8 0.035 without a theme but demo
    0.78 / 0.76, and with no SURE at all false themes 0.20, demo 0.75 / 0.75: in interviews, where
    many passages are about no theme, a lift by a less sure model costs more than it brings."""
    group = [c for c in codes if c in scores]
    if not group:
        return scores
    top = max(scores[c] for c in group)
    out = {c: (mix_one(v, p.get(c, 0.0)) if c in codes else v) for c, v in scores.items()}
    if NONE in p and top > 0 and 1 - p[NONE] >= SURE:
        lead = max(group, key=lambda c: out[c])  # the first in codebook order among equals
        out[lead] = max(out[lead], (1 - ABOUT) * top + ABOUT * (1 - p[NONE]))
    return out


def mix_one(score: float, p: float) -> float:
    return (1 - WEIGHT) * score + WEIGHT * p
