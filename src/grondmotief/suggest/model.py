"""A classifier per code, learnt from one coder's decisions.

Logistic regression over the passage's lemmas (binary bag of words, plus compound heads),
one model per code, class-balanced, L2-regularised. Chosen over spaCy's textcat_multilabel
because the data are tiny (tens to hundreds of passages per code): a convex model trains in
milliseconds, gives the same coefficients on every run (no random initialisation or
epochs), and its weights say which words made it suggest a code, which we show as evidence.

Examples for a code: positives are passages where the coder accepted it; negatives are
passages where the coder rejected it, and passages the coder decided on (any code) without
accepting it. Passages the coder never decided on are not examples at all: unseen is not
"does not apply".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MODEL = "lr2"
C = 1.0
MIN_DF = 1  # every lemma seen in training is a feature; L2 keeps one-off words weak
TOP_EVIDENCE = 3


@dataclass
class Examples:
    """Per code: segment id → 1 (applies) or 0 (does not)."""

    labels: dict[str, dict[str, int]] = field(default_factory=dict)

    def counts(self, code: str) -> tuple[int, int]:
        got = self.labels.get(code, {})
        pos = sum(got.values())
        return pos, len(got) - pos


def examples_from(decisions: Iterable[tuple[str, str, str]], codes: Iterable[str]) -> Examples:
    """decisions: (segment id, code, 'accepted'|'rejected'), already re-anchored."""
    decided: set[str] = set()
    accepted: dict[str, set[str]] = {}
    rejected: dict[str, set[str]] = {}
    for seg, code, what in decisions:
        decided.add(seg)
        (accepted if what == "accepted" else rejected).setdefault(code, set()).add(seg)
    ex = Examples()
    for code in codes:
        pos = accepted.get(code, set())
        ex.labels[code] = {seg: int(seg in pos) for seg in decided}
        for seg in rejected.get(code, set()) - pos:
            ex.labels[code][seg] = 0
    return ex


@dataclass
class CodeModel:
    code: str
    vocab: dict[str, int]
    coef: np.ndarray
    intercept: float
    n_pos: int
    n_neg: int

    def predict(self, features: list[set[str]]) -> np.ndarray:
        if not features:
            return np.zeros(0)
        x = _matrix(features, self.vocab)
        z = x @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def reasons(self, features: set[str]) -> list[str]:
        """The features present that pushed most towards the code, strongest first."""
        scored = [(float(self.coef[self.vocab[f]]), f) for f in features if f in self.vocab]
        return [f for w, f in sorted(scored, key=lambda p: (-p[0], p[1])) if w > 0][:TOP_EVIDENCE]


def _matrix(features: list[set[str]], vocab: dict[str, int]) -> Any:
    from scipy.sparse import csr_matrix

    rows, cols = [], []
    for r, feats in enumerate(features):
        for f in feats:
            c = vocab.get(f)
            if c is not None:
                rows.append(r)
                cols.append(c)
    data = np.ones(len(rows), dtype=np.float64)
    return csr_matrix((data, (rows, cols)), shape=(len(features), len(vocab)))


def train(code: str, features: list[set[str]], labels: list[int]) -> CodeModel:
    from sklearn.linear_model import LogisticRegression

    df: dict[str, int] = {}
    for feats in features:
        for f in feats:
            df[f] = df.get(f, 0) + 1
    vocab = {f: i for i, f in enumerate(sorted(f for f, n in df.items() if n >= MIN_DF))}
    y = np.asarray(labels, dtype=np.int64)
    clf = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", random_state=0, max_iter=1000)
    clf.fit(_matrix(features, vocab), y)
    return CodeModel(
        code, vocab, clf.coef_[0].astype(np.float64), float(clf.intercept_[0]), int(y.sum()), int(len(y) - y.sum())
    )


def train_all(
    examples: Examples, features: dict[str, set[str]], min_examples: int, codes: Iterable[str]
) -> dict[str, CodeModel]:
    """A model for every code with at least `min_examples` positives and as many negatives."""
    models: dict[str, CodeModel] = {}
    for code in codes:
        got = {s: y for s, y in examples.labels.get(code, {}).items() if s in features}
        pos = sum(got.values())
        if pos < min_examples or len(got) - pos < min_examples:
            continue
        segs = sorted(got)
        models[code] = train(code, [features[s] for s in segs], [got[s] for s in segs])
    return models


def fingerprint_data(examples: Examples, keys: dict[str, str], min_examples: int) -> Any:
    """What a trained model depends on, by segment text rather than id: stable and comparable."""
    out = {}
    for code in sorted(examples.labels):
        got = examples.labels[code]
        pos = sum(got.values())
        if pos >= min_examples and len(got) - pos >= min_examples:
            out[code] = sorted((keys.get(s, s), y) for s, y in got.items())
    return [MODEL, C, MIN_DF, out]
