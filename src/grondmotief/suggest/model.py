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

Seed examples come from the codebook itself (see `Seed`), so every code has a model before the
coder's first decision: its label, definition, include criteria, examples and keywords are
positives; the other codes of its group and its own exclude criteria are negatives. The coder's
decisions join them as they come, each weighing DECISION_WEIGHT seed texts: real passages of
the study say more than the codebook's one-line criteria.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grondmotief.suggest.model_batch import TOP_EVIDENCE, FeatureIndex, fit_indexed

MODEL = "lr5"
DECISION_WEIGHT = 2.0
C = 1.0
MIN_DF = 1  # every lemma seen in training is a feature; L2 keeps one-off words weak


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


GATE = "@"  # a group model's id is "@" + the group: no codebook id starts with "@"


def gate_id(group: str) -> str:
    return GATE + group


def with_gates(examples: Examples, groups: dict[str, list[str]]) -> Examples:
    """Per competing group, a pseudo-code the group model learns: the passage has some code of the
    group (1) or none of them (0), from the same decided passages."""
    labels = dict(examples.labels)
    for group, codes in groups.items():
        row: dict[str, int] = {}
        for code in codes:
            for seg, y in examples.labels.get(code, {}).items():
                row[seg] = max(row.get(seg, 0), y)
        labels[gate_id(group)] = row
    return Examples(labels)


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


@dataclass
class Seed:
    """Labelled texts from the codebook: features per text, and per code 1/0 per text (None:
    not an example for that code, e.g. a text of another group)."""

    features: list[set[str]] = field(default_factory=list)
    labels: dict[str, list[int | None]] = field(default_factory=dict)
    weights: list[float] = field(default_factory=list)  # per text; empty: 1.0 each

    def rows(self, code: str) -> tuple[list[set[str]], list[int], list[float]]:
        keep, labels, weights = self.kept(code)
        return [self.features[i] for i in keep], labels, weights

    def kept(self, code: str) -> tuple[list[int], list[int], list[float]]:
        """The texts that are examples for this code: their positions, labels and weights."""
        got = self.labels.get(code, [])
        weights = self.weights or [1.0] * len(self.features)
        keep = [i for i, y in enumerate(got) if y is not None]
        return keep, [got[i] for i in keep], [weights[i] for i in keep]  # type: ignore[misc]


def seed_labels(
    texts: list[tuple[str, str, str]], group_of: dict[str, str], family: dict[str, set[str]]
) -> dict[str, list[int | None]]:
    """texts: (code, field, text). Per code: 1 for its own describing texts, 0 for its exclude
    criteria and for the describing texts of the other codes of its group, except its parent
    and children (`family`), which share its meaning (scarcity is a kind of scarcity-abundance)."""
    out: dict[str, list[int | None]] = {}
    for code in group_of:
        row: list[int | None] = []
        for owner, fld, _ in texts:
            if owner == code:
                row.append(0 if fld == "exclude" else 1)
            elif group_of[owner] == group_of[code] and fld != "exclude" and owner not in family[code]:
                row.append(0)
            else:
                row.append(None)
        out[code] = row
    return out


def passage_labels(
    coded: list[tuple[str, ...]], codes: list[str], family: dict[str, set[str]]
) -> dict[str, list[int | None]]:
    """Example passages are coded completely: per code, 1 where a passage has it, 0 where it
    has neither it nor a parent or child of it (scarcity-abundance for scarcity), None there."""
    out: dict[str, list[int | None]] = {}
    for code in codes:
        row: list[int | None] = []
        for got in coded:
            if code in got:
                row.append(1)
            elif family[code] & set(got):
                row.append(None)
            else:
                row.append(0)
        out[code] = row
    return out


def _classifier() -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, class_weight="balanced", solver="liblinear", random_state=0, max_iter=1000)


def train(code: str, features: list[set[str]], labels: list[int], weights: list[float] | None = None) -> CodeModel:
    """One model from feature strings (the reference; `train_all` trains on feature numbers,
    model_batch.train_indexed, to the same coefficients)."""
    df: dict[str, int] = {}
    for feats in features:
        for f in feats:
            df[f] = df.get(f, 0) + 1
    vocab = {f: i for i, f in enumerate(sorted(f for f, n in df.items() if n >= MIN_DF))}
    y = np.asarray(labels, dtype=np.int64)
    clf = _classifier()
    clf.fit(_matrix(features, vocab), y, sample_weight=None if weights is None else np.asarray(weights))
    return CodeModel(
        code, vocab, clf.coef_[0].astype(np.float64), float(clf.intercept_[0]), int(y.sum()), int(len(y) - y.sum())
    )


def train_all(
    examples: Examples,
    features: dict[str, set[str]],
    min_examples: int,
    codes: Iterable[str],
    seed: Seed | None = None,
    indexed: bool = True,
) -> dict[str, CodeModel]:
    """A model for every code with seed texts for and against it; without a seed, for every
    code with at least `min_examples` decided positives and as many negatives. `indexed`:
    train on feature numbers (model_batch), as fast as it gets; False: on the strings (the
    reference the tests compare with)."""
    index = None
    if indexed:
        strings = {f for feats in features.values() for f in feats}
        if seed is not None:
            strings.update(f for feats in seed.features for f in feats)
        index = FeatureIndex(strings)
        by_seg = {s: index.ids(f) for s, f in features.items()}
        by_text = [index.ids(f) for f in seed.features] if seed is not None else []
    models: dict[str, CodeModel] = {}
    for code in codes:
        got = {s: y for s, y in examples.labels.get(code, {}).items() if s in features}
        pos = sum(got.values())
        segs = sorted(got)
        ys = [got[s] for s in segs]
        if index is not None:
            feats: list[Any] = [by_seg[s] for s in segs]
        else:
            feats = [features[s] for s in segs]
        weights = None
        if seed is not None:
            keep, sy, sw = seed.kept(code)
            weights = sw + [DECISION_WEIGHT] * len(segs)
            sf = [by_text[i] for i in keep] if index is not None else [seed.features[i] for i in keep]
            feats, ys = sf + feats, sy + ys
        elif pos < min_examples or len(got) - pos < min_examples:
            continue
        if 0 < sum(ys) < len(ys):
            models[code] = (
                train(code, feats, ys, weights) if index is None else train_indexed(code, index, feats, ys, weights)
            )
    return models


def train_indexed(
    code: str, index: FeatureIndex, rows: list[np.ndarray], labels: list[int], weights: list[float] | None = None
) -> CodeModel:
    """`train` on feature numbers of `index`: the same vocabulary, matrix and coefficients."""
    vocab, clf = fit_indexed(_classifier(), index, rows, labels, weights)
    n_pos = int(sum(labels))
    return CodeModel(code, vocab, clf.coef_[0].astype(np.float64), float(clf.intercept_[0]), n_pos, len(labels) - n_pos)


def fingerprint_data(examples: Examples, keys: dict[str, str], min_examples: int) -> Any:
    """What a trained model depends on, by segment text rather than id: stable and comparable."""
    out = {}
    for code in sorted(examples.labels):
        got = examples.labels[code]
        pos = sum(got.values())
        if pos >= min_examples and len(got) - pos >= min_examples:
            out[code] = sorted((keys.get(s, s), y) for s, y in got.items())
    return [MODEL, C, MIN_DF, out]
