"""A cached `Parsed` read into Python arrays instead of numpy's, for a small study's search.

Importing numpy costs `find` and `words` more (~40 ms) than a small study's tokens take to walk
in Python (issue 14), so the search reads the first LIST_TOKENS tokens of a run this way; after
that, or to re-parse an edited transcript, it reads numpy arrays as before (suggest/parse.py).
Same checks on the cached bytes, same values: only the container differs.
"""

from __future__ import annotations

import sys
from array import array
from dataclasses import dataclass, field
from typing import Any

FORMAT = 2  # of the cached bytes, which both readers read (parse.py imports it from here)
LIST_TOKENS = 300_000  # per run; beyond it numpy's vector operations pay for its import
_ITEM = "i" if array("i").itemsize == 4 else "l"
USABLE = array(_ITEM).itemsize == 4  # else numpy's arrays, always


@dataclass
class ListParsed:
    """`Parsed` with `array` columns: indexing, slicing and tolist() as on numpy arrays."""

    strings: list[str]
    keys: list[str]
    bounds: array[int]
    starts: array[int]
    ends: array[int]
    lemma: array[int]
    lower: array[int]
    flags: None = None  # never fresh from the pipeline
    _pos: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._pos = {k: i for i, k in enumerate(self.keys)}

    def span(self, key: str) -> tuple[int, int] | None:
        i = self._pos.get(key)
        return None if i is None else (int(self.bounds[i]), int(self.bounds[i + 1]))

    @property
    def n_tokens(self) -> int:
        return len(self.lemma)


def is_lists(parsed: Any) -> bool:
    return isinstance(parsed, ListParsed)


def read_strings(header: dict[str, Any], payload: bytes) -> tuple[list[str], int, list[str]]:
    """(keys, where the arrays start in the payload, strings) of a cached Parsed, checked; shared
    by Parsed.from_bytes and from_bytes (ValueError for anything inconsistent)."""
    if header.get("format") != FORMAT:
        raise ValueError("another parsed format")
    keys = [str(k) for k in header["keys"]]
    cut = int(header["strings_len"])
    if "strings" in header:
        strings = [str(x) for x in header["strings"]]
    else:
        strings = payload[:cut].decode("utf-8").split("\x00") if cut else []
    if len(strings) != int(header["n_strings"]):
        raise ValueError("inconsistent string table")
    return keys, cut, strings


def from_bytes(header: dict[str, Any], payload: bytes) -> ListParsed:
    """Parsed.from_bytes with the same checks (ValueError for anything inconsistent)."""
    keys, cut, strings = read_strings(header, payload)
    arrays = array(_ITEM)
    if len(payload) > cut:
        if (len(payload) - cut) % 4:
            raise ValueError("buffer size must be a multiple of element size")
        arrays.frombytes(payload[cut:])
        if sys.byteorder != "little":
            arrays.byteswap()
    nb = len(keys) + 1
    if len(arrays) < nb:
        raise ValueError("inconsistent parsed cache")
    bounds = arrays[:nb]
    n = int(bounds[-1])
    if len(arrays) != nb + 4 * n or int(bounds[0]) != 0 or any(bounds[i + 1] < bounds[i] for i in range(nb - 1)):
        raise ValueError("inconsistent parsed cache")
    starts, ends, lemma, lower = (arrays[nb + i * n : nb + (i + 1) * n] for i in range(4))
    if n and (max(max(lemma), max(lower)) >= len(strings) or min(min(lemma), min(lower)) < 0):
        raise ValueError("string index out of range")
    return ListParsed(strings, keys, bounds, starts, ends, lemma, lower)
