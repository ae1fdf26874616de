"""Parsed text: per transcript, the tokens of its coded segments as compact arrays.

A `Parsed` holds, for every coded segment (keyed by a hash of its exact text), each
non-space token's start and end (code points into the segment text), its lemma and its
lower-case form (indices into one string table). That is all matching and the model need,
so a cached transcript never touches spaCy. In the cache file it is a small header (segment
keys, sizes), the string table as one NUL-separated UTF-8 blob and five int32 arrays: far
cheaper to write and read than pickled or DocBin-serialised Docs, or strings as JSON.
Segments whose text is unchanged are reused when a transcript is edited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import numpy as np

from grondmotief.core.cachefile import segment_key  # noqa: F401 - re-exported
from grondmotief.suggest.parse_lists import FORMAT, read_strings


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
    flags: np.ndarray | None = None  # per string: the matcher's flags (not stored; see HashTable)

    def __post_init__(self) -> None:
        self._pos = {k: i for i, k in enumerate(self.keys)}

    def span(self, key: str) -> tuple[int, int] | None:
        i = self._pos.get(key)
        return None if i is None else (int(self.bounds[i]), int(self.bounds[i + 1]))

    def to_bytes(self) -> tuple[dict[str, Any], bytes]:
        """(header, payload): the strings as one blob (JSON in the header only if a string
        holds a NUL, which the blob uses as separator), then bounds, starts, ends, lemma, lower."""
        joined = "\x00".join(self.strings)
        header: dict[str, Any] = {"format": FORMAT, "keys": self.keys, "n_strings": len(self.strings)}
        if joined.count("\x00") == max(len(self.strings) - 1, 0):
            blob = joined.encode("utf-8")
        else:
            header["strings"], blob = self.strings, b""
        header["strings_len"] = len(blob)
        arrays = (self.bounds, self.starts, self.ends, self.lemma, self.lower)
        return header, blob + b"".join(np.ascontiguousarray(a, dtype="<i4").tobytes() for a in arrays)

    @classmethod
    def from_bytes(cls, header: dict[str, Any], payload: bytes) -> Parsed:
        keys, cut, strings = read_strings(header, payload)
        arrays = np.frombuffer(payload, dtype="<i4", offset=cut) if len(payload) > cut else np.zeros(0, "<i4")
        nb = len(keys) + 1
        if len(arrays) < nb:
            raise ValueError("inconsistent parsed cache")
        bounds = arrays[:nb].astype(np.int64)
        n = int(bounds[-1])
        if len(arrays) != nb + 4 * n or int(bounds[0]) != 0 or (nb > 1 and bool(np.any(np.diff(bounds) < 0))):
            raise ValueError("inconsistent parsed cache")
        starts, ends, lemma, lower = (arrays[nb + i * n : nb + (i + 1) * n].astype(np.int32) for i in range(4))
        if n and (int(max(lemma.max(), lower.max())) >= len(strings) or int(min(lemma.min(), lower.min())) < 0):
            raise ValueError("string index out of range")
        return cls(strings, keys, bounds, starts, ends, lemma, lower)


def doc_attrs() -> list[int]:
    """The Doc.to_array columns a Parsed is made of: start, length, lemma, lower-case form."""
    from spacy.attrs import IDX, LEMMA, LENGTH, LOWER

    return [IDX, LENGTH, LEMMA, LOWER]


class HashTable:
    """Every spaCy string hash seen in this run: its string, whether it is whitespace, and the
    matcher's flags for it (a function of the string: see KeywordMatcher.flags). A
    transcript's unique hashes are looked up in a few numpy calls; only strings new to the run
    are decoded and flagged in Python, so the per-transcript cost hardly grows with its length."""

    LIMIT = 2_000_000  # distinct strings before the table starts afresh (memory; only costs time)

    def __init__(self, flags: Callable[[str], tuple[bool, ...]], n_flags: int) -> None:
        self._flags = flags
        self._n = n_flags
        self._reset()

    def _reset(self) -> None:
        self.keys = np.zeros(0, dtype=np.uint64)  # sorted hashes
        self.ids = np.zeros(0, dtype=np.int64)  # keys[i] is string ids[i]
        self.strings: list[str] = []
        self.space = np.zeros(0, dtype=bool)
        self.bits = np.zeros((0, self._n), dtype=bool)

    def lookup(self, hashes: np.ndarray, store: Any) -> np.ndarray:
        """String ids for sorted unique `hashes` (strings from spaCy's `store` when new)."""
        if len(self.strings) > self.LIMIT:
            self._reset()
        pos = np.searchsorted(self.keys, hashes)
        found = np.zeros(len(hashes), dtype=bool)
        inside = pos < len(self.keys)
        found[inside] = self.keys[pos[inside]] == hashes[inside]
        new = np.flatnonzero(~found)
        if len(new):
            fresh = [store[h] for h in hashes[new].tolist()]
            first = len(self.strings)
            self.strings.extend(fresh)
            flags = np.array([self._flags(s) for s in fresh], dtype=bool).reshape(len(fresh), self._n)
            self.space = np.concatenate([self.space, [s.isspace() for s in fresh]])
            self.bits = np.concatenate([self.bits, flags])
            self.keys = np.insert(self.keys, pos[new], hashes[new])
            self.ids = np.insert(self.ids, pos[new], np.arange(first, first + len(new)))
            pos = np.searchsorted(self.keys, hashes)
        return self.ids[pos]

    def strings_of(self, ids: np.ndarray) -> list[str]:
        if len(ids) < 2:
            return [self.strings[i] for i in ids.tolist()]
        return list(itemgetter(*ids.tolist())(self.strings))


class Builder:
    """Collects segments (from live Docs or from an older Parsed) into one new Parsed."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self.index: dict[str, int] = {}
        self.keys: list[str] = []
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self.block: tuple[list[str], np.ndarray, list[np.ndarray]] | None = None
        self.flags: np.ndarray | None = None
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

    def add_arrays(self, keys: list[str], arrays: list[np.ndarray], store: Any, table: HashTable) -> None:
        """Segments from their Docs' `to_array(doc_attrs())`, taken as the pipeline hands each
        Doc over. Whitespace tokens are dropped (a string that is all whitespace, as spaCy's
        IS_SPACE; known from the run's string table, one column less to read per token)."""
        if not arrays:
            return
        sizes = [len(a) for a in arrays]
        allarr = np.concatenate(arrays) if sum(sizes) else np.zeros((0, 4), dtype=np.uint64)
        n = len(allarr)
        uniq, inverse = np.unique(np.concatenate([allarr[:, 2], allarr[:, 3]]), return_inverse=True)
        ids = table.lookup(uniq, store)
        texts = table.strings_of(ids)
        keep = ~table.space[ids][inverse[n:]]
        if not self.strings:  # the usual case, a fresh transcript: the table is the unique strings
            self.strings = texts
            self._indexed = 0
            mapped = np.arange(len(uniq), dtype=np.int32)
            self.flags = table.bits[ids]
        else:
            mapped = np.fromiter((self._intern(s) for s in texts), dtype=np.int32, count=len(uniq))
        lemma_all, lower_all = mapped[inverse[:n]], mapped[inverse[n:]]
        starts_all = allarr[:, 0].astype(np.int32)
        ends_all = starts_all + allarr[:, 1].astype(np.int32)
        if not self.keys and len(set(keys)) == len(keys):
            # A fresh transcript: keep the arrays whole, cut by bounds (no per-segment copies).
            edges = np.zeros(len(sizes) + 1, dtype=np.int64)
            np.cumsum(sizes, out=edges[1:])
            arrays4 = [starts_all, ends_all, lemma_all, lower_all]
            if not keep.all():  # whitespace tokens: rare (double spaces, line breaks)
                kept = np.concatenate([[0], np.cumsum(keep)])
                edges = kept[edges].astype(np.int64)
                arrays4 = [a[keep] for a in arrays4]
            self.keys = list(keys)
            self.block = (list(keys), edges, arrays4)
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
                s, e, lem, low = (a.astype(np.int32, copy=False) for a in arrays)
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
