"""Parsed text: per transcript, the tokens of its coded segments as compact arrays.

A `Parsed` holds, for every coded segment (keyed by a hash of its exact text), each
non-space token's start and end (code points into the segment text), its lemma and its
lower-case form (indices into one string table). That is all matching and the model need,
so a cached transcript never touches spaCy; the cache file is one JSON header and four
int32 arrays, far cheaper to write and read than pickled or DocBin-serialised Docs.
Segments whose text is unchanged are reused when a transcript is edited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grondmotief.suggest.cache import segment_key  # noqa: F401 - re-exported

FORMAT = 1


@dataclass
class Parsed:
    strings: list[str]
    keys: list[str]  # segment keys, in table order
    bounds: np.ndarray  # token offsets per segment: segment i is tokens bounds[i]:bounds[i+1]
    starts: np.ndarray
    ends: np.ndarray
    lemma: np.ndarray
    lower: np.ndarray
    _pos: dict[str, int] = field(default_factory=dict)
    flags: tuple[np.ndarray, np.ndarray] | None = None  # per string: hits a rule as lemma / as form (not stored)

    def __post_init__(self) -> None:
        self._pos = {k: i for i, k in enumerate(self.keys)}

    def span(self, key: str) -> tuple[int, int] | None:
        i = self._pos.get(key)
        return None if i is None else (int(self.bounds[i]), int(self.bounds[i + 1]))

    def to_bytes(self, pipeline_version: str) -> tuple[dict[str, Any], bytes]:
        header = {
            "format": FORMAT,
            "pipeline": pipeline_version,
            "strings": self.strings,
            "keys": self.keys,
            "bounds": self.bounds.tolist(),
        }
        payload = b"".join(a.astype("<i4").tobytes() for a in (self.starts, self.ends, self.lemma, self.lower))
        return header, payload

    @classmethod
    def from_bytes(cls, header: dict[str, Any], payload: bytes) -> Parsed:
        bounds = np.asarray(header["bounds"], dtype=np.int64)
        n = int(bounds[-1]) if len(bounds) else 0
        arrays = np.frombuffer(payload, dtype="<i4")
        if len(arrays) != 4 * n or len(bounds) != len(header["keys"]) + 1:
            raise ValueError("inconsistent parsed cache")
        starts, ends, lemma, lower = (arrays[i * n : (i + 1) * n].astype(np.int32) for i in range(4))
        strings = list(header["strings"])
        if n and (int(max(lemma.max(), lower.max())) >= len(strings) or int(min(lemma.min(), lower.min())) < 0):
            raise ValueError("string index out of range")
        return cls(strings, list(header["keys"]), bounds, starts, ends, lemma, lower)


_KNOWN: dict[int, str] = {}  # spaCy string hash → string, across transcripts (StringStore lookups cost more)


class Builder:
    """Collects segments (from live Docs or from an older Parsed) into one new Parsed."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self.index: dict[str, int] = {}
        self.keys: list[str] = []
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self.block: tuple[list[str], np.ndarray, list[np.ndarray]] | None = None
        self.flags: tuple[np.ndarray, np.ndarray] | None = None
        self._indexed = 0

    def _intern(self, s: str) -> int:
        if self._indexed < len(self.strings):  # built lazily: a fresh transcript never needs it
            self.index.update((x, i) for i, x in enumerate(self.strings[self._indexed :], self._indexed))
            self._indexed = len(self.strings)
        i = self.index.get(s)
        if i is None:
            i = self.index[s] = len(self.strings)
            self.strings.append(s)
            self._indexed += 1
        return i

    def add_docs(self, keys: list[str], docs: list[Any], hashflags: Any = None) -> None:
        from spacy.attrs import IDX, IS_SPACE, LEMMA, LENGTH, LOWER

        if not docs:
            return
        attrs = [IDX, LENGTH, LEMMA, LOWER, IS_SPACE]
        arrays = [d.to_array(attrs) for d in docs]
        sizes = [len(a) for a in arrays]
        allarr = np.concatenate(arrays) if sum(sizes) else np.zeros((0, 5), dtype=np.uint64)
        keep = allarr[:, 4] == 0
        hashes = np.concatenate([allarr[:, 2], allarr[:, 3]])
        uniq, inverse = np.unique(hashes, return_inverse=True)
        store, known = docs[0].vocab.strings, _KNOWN
        texts = [known.get(h) or known.setdefault(h, store[h]) for h in uniq.tolist()]
        if len(_KNOWN) > 2_000_000:  # a bounded memo: hashes are stable, so clearing only costs time
            _KNOWN.clear()
        if not self.strings:  # the usual case, a fresh transcript: the table is the unique strings
            self.strings = texts
            self._indexed = 0
            mapped = np.arange(len(uniq), dtype=np.int32)
            if hashflags is not None:
                self.flags = hashflags.lookup(uniq, texts)
        else:
            mapped = np.fromiter((self._intern(s) for s in texts), dtype=np.int32, count=len(uniq))
        n = len(allarr)
        lemma_all, lower_all = mapped[inverse[:n]], mapped[inverse[n:]]
        starts_all = allarr[:, 0].astype(np.int32)
        ends_all = starts_all + allarr[:, 1].astype(np.int32)
        if not self.keys and len(set(keys)) == len(keys):
            # A fresh transcript: keep the arrays whole, cut by bounds (no per-segment copies).
            kept = np.concatenate([[0], np.cumsum(keep)])
            edges = np.concatenate([[0], np.cumsum(sizes)])
            self.keys = list(keys)
            self.block = (
                list(keys),
                kept[edges].astype(np.int64),
                [a[keep] for a in (starts_all, ends_all, lemma_all, lower_all)],
            )
            return
        pos = 0
        for key, size in zip(keys, sizes, strict=True):
            sl = slice(pos, pos + size)
            k = keep[sl]
            self.keys.append(key)
            self.parts.append((starts_all[sl][k], ends_all[sl][k], lemma_all[sl][k], lower_all[sl][k]))
            pos += size

    def add_from(self, key: str, old: Parsed, remap: np.ndarray) -> None:
        lo, hi = old.span(key) or (0, 0)
        self.keys.append(key)
        self.parts.append((old.starts[lo:hi], old.ends[lo:hi], remap[old.lemma[lo:hi]], remap[old.lower[lo:hi]]))

    def remap_for(self, old: Parsed) -> np.ndarray:
        return np.fromiter((self._intern(s) for s in old.strings), dtype=np.int32, count=len(old.strings))

    def build(self, order: Iterable[str]) -> Parsed:
        wanted = list(dict.fromkeys(order))
        if self.block is not None:
            keys, bounds, arrays = self.block
            if keys == wanted:
                s, e, lem, low = (a.astype(np.int32) for a in arrays)
                return Parsed(list(self.strings), wanted, bounds, s, e, lem, low, flags=self.flags)
            self.block = None  # the caller wants another order: cut the block into segments
            self.keys, self.parts = [], []
            for i, key in enumerate(keys):
                lo, hi = int(bounds[i]), int(bounds[i + 1])
                self.keys.append(key)
                self.parts.append(tuple(a[lo:hi] for a in arrays))  # type: ignore[arg-type]
        where = {k: i for i, k in enumerate(self.keys)}
        keys, parts = [], []
        for key in wanted:
            if key in where:
                keys.append(key)
                parts.append(self.parts[where[key]])
        bounds = np.zeros(len(parts) + 1, dtype=np.int64)
        if parts:
            bounds[1:] = np.cumsum([len(p[0]) for p in parts])
        cat = [
            np.concatenate([p[i] for p in parts]).astype(np.int32) if parts else np.zeros(0, np.int32) for i in range(4)
        ]
        return Parsed(list(self.strings), keys, bounds, cat[0], cat[1], cat[2], cat[3])
