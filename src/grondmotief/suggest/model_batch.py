"""The per-code models in bulk: features as numbers, one matrix per transcript for every model.

`model.py` defines what a model is (logistic regression per code over a passage's features);
this module makes training and applying them cheap without changing a single number:
- `FeatureIndex` numbers features in sorted string order, so any subset of its numbers, sorted,
  is in the same order as the sorted strings `model.train` builds its vocabulary from: the
  training matrix, and so the coefficients, are the same as from the dicts of strings.
- `ModelBatch` holds every model's coefficients in one (features x models) array over the
  union of their vocabularies. A transcript's passages become one sparse matrix, multiplied
  once for all models; a feature outside a model's vocabulary has coefficient 0.0 there, and
  adding 0.0 leaves a float sum as it was, so each probability is the one `CodeModel.predict` gives.
- `reasons` ranks the same way as `CodeModel.reasons` (weight, then feature string), per passage
  for every model at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

TOP_EVIDENCE = 3  # a model's reasons shown per suggestion (model.CodeModel.reasons, ModelBatch.reasons)
_EMPTY = np.zeros(0, dtype=np.int32)


class FeatureIndex:
    """Feature strings numbered in sorted order."""

    def __init__(self, strings: Iterable[str]) -> None:
        self.strings: list[str] = sorted(set(strings))
        self.pos: dict[str, int] = {s: i for i, s in enumerate(self.strings)}

    def __len__(self) -> int:
        return len(self.strings)

    def ids(self, features: Iterable[str]) -> np.ndarray:
        """The sorted numbers of the known features among these."""
        pos = self.pos
        got = sorted({pos[f] for f in features if f in pos})
        return np.asarray(got, dtype=np.int32) if got else _EMPTY

    def remap(self, other: FeatureIndex) -> np.ndarray:
        """other's number -> this index's number (every string of `other` must be in this one)."""
        pos = self.pos
        return np.asarray([pos[s] for s in other.strings], dtype=np.int32)


def _csr(rows: list[np.ndarray], columns: np.ndarray | None, n_cols: int) -> Any:
    """A 0/1 CSR matrix, one row per array of (sorted) feature numbers; `columns` maps a feature
    number to its column (None: the number is the column)."""
    from scipy.sparse import csr_matrix

    lens = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    indptr = np.zeros(len(rows) + 1, dtype=np.int32)
    np.cumsum(lens, out=indptr[1:])
    flat = np.concatenate(rows).astype(np.int32, copy=False) if rows and indptr[-1] else _EMPTY
    indices = flat if columns is None else columns[flat]
    data = np.ones(len(indices), dtype=np.float64)
    return csr_matrix((data, indices.astype(np.int32, copy=False), indptr), shape=(len(rows), n_cols))


def fit_indexed(
    clf: Any, index: FeatureIndex, rows: list[np.ndarray], labels: list[int], weights: list[float] | None = None
) -> tuple[dict[str, int], Any]:
    """`model.train`'s fit on feature numbers: the vocabulary is every feature in these rows
    (MIN_DF 1), numbered in string order. Returns the vocabulary and the fitted classifier."""
    used = np.unique(np.concatenate(rows)) if rows and any(len(r) for r in rows) else _EMPTY
    columns = np.full(len(index), -1, dtype=np.int32)
    columns[used] = np.arange(len(used), dtype=np.int32)
    y = np.asarray(labels, dtype=np.int64)
    clf.fit(_csr(rows, columns, len(used)), y, sample_weight=None if weights is None else np.asarray(weights))
    strings = index.strings
    return {strings[g]: i for i, g in enumerate(used.tolist())}, clf


@dataclass
class ModelBatch:
    """Every model's coefficients over one feature index: `weights[f, m]` for model `codes[m]`."""

    codes: list[str]
    index: FeatureIndex
    weights: np.ndarray  # (features, models), float64; 0.0 outside a model's vocabulary
    intercepts: list[float]
    counts: list[tuple[int, int]]  # per model: (positives, negatives) it was trained on

    @classmethod
    def of(cls, models: dict[str, Any]) -> ModelBatch:
        """From model.CodeModel objects (their vocab, coef, intercept, n_pos, n_neg)."""
        codes = list(models)
        index = FeatureIndex(f for m in models.values() for f in m.vocab)
        weights = np.zeros((len(index), len(codes)), dtype=np.float64)
        for j, code in enumerate(codes):
            m = models[code]
            where = index.ids(m.vocab)  # sorted, as m.vocab's columns are
            weights[where, j] = m.coef
        return cls(
            codes,
            index,
            weights,
            [models[c].intercept for c in codes],
            [(models[c].n_pos, models[c].n_neg) for c in codes],
        )

    def predict(self, rows: list[np.ndarray]) -> dict[str, np.ndarray]:
        """Per code, the probability for each row of feature numbers (this batch's index)."""
        if not rows:
            return {c: np.zeros(0) for c in self.codes}
        z = np.ascontiguousarray((_csr(rows, None, len(self.index)) @ self.weights).T)
        return {c: 1.0 / (1.0 + np.exp(-(z[j] + self.intercepts[j]))) for j, c in enumerate(self.codes)}

    def reasons(self, row: np.ndarray) -> list[list[str]]:
        """Per model, the features of this row that pushed most towards its code, strongest first."""
        if not len(row):
            return [[] for _ in self.codes]
        sub = self.weights[row].T  # (models, features of the row)
        order = np.lexsort((np.broadcast_to(np.arange(len(row)), sub.shape), -sub), axis=-1)[:, :TOP_EVIDENCE]
        strings = self.index.strings
        out = []
        for j, cols in enumerate(order.tolist()):
            w = sub[j]
            out.append([strings[row[c]] for c in cols if w[c] > 0])
        return out

    # The cache (see Engine.model_batch): strings, then the weights as float64 bytes.
    def to_bytes(self) -> tuple[dict[str, Any], bytes]:
        blob = "\x00".join(self.index.strings).encode("utf-8")
        header = {
            "codes": self.codes,
            "intercepts": self.intercepts,
            "counts": self.counts,
            "n_features": len(self.index),
            "strings_len": len(blob),
        }
        return header, blob + np.ascontiguousarray(self.weights, dtype="<f8").tobytes()

    @classmethod
    def from_bytes(cls, header: dict[str, Any], payload: bytes) -> ModelBatch | None:
        try:
            n, k = int(header["n_features"]), int(header["strings_len"])
            codes = [str(c) for c in header["codes"]]
            strings = payload[:k].decode("utf-8").split("\x00") if n else []
            weights = np.frombuffer(payload[k:], dtype="<f8").astype(np.float64).reshape(n, len(codes))
            index = FeatureIndex(strings)
            if len(index) != n or index.strings != strings:
                return None
            intercepts = [float(x) for x in header["intercepts"]]
            counts = [(int(p), int(q)) for p, q in header["counts"]]
        except (KeyError, TypeError, ValueError, UnicodeDecodeError):
            return None
        if len(intercepts) != len(codes) or len(counts) != len(codes):
            return None
        return cls(codes, index, weights, intercepts, counts)
