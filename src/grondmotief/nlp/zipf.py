"""Dutch word frequencies (wordfreq's Zipf scale), read without importing wordfreq.

Used to weigh keywords (suggest/profile.py) and to tell a surname from an ordinary word in a
name written in lower case (privacy/names_lower.py). Zipf is log10 of occurrences per billion words: "de" is
7.7, "gemeente" 5.4, and the small list holds every word down to Zipf 3.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def zipf_table() -> dict[str, float]:
    """wordfreq's small Dutch list as word → Zipf frequency, read from its data file.

    Reading the file ourselves skips importing wordfreq (its tokenisers cost three times the
    read) and tokenising each looked-up word; the values are those of
    `wordfreq.zipf_frequency` (tests check a sample). Any other data format: wordfreq's API."""
    import gzip
    from importlib.util import find_spec

    spec = find_spec("wordfreq")
    path = Path(spec.origin).parent / "data" / "small_nl.msgpack.gz" if spec and spec.origin else None
    if path is not None and path.is_file():
        import msgpack

        with gzip.open(path, "rb") as fh:
            data = msgpack.load(fh, raw=False)
        if data and data[0] == {"format": "cB", "version": 1}:
            # bucket i holds the words of frequency 10^(-i/100): Zipf 9 - i/100
            return {w: round(9 - i / 100, 2) for i, bucket in enumerate(data[1:]) for w in bucket}
    from wordfreq import get_frequency_dict

    return {w: round(math.log10(f) + 9, 2) for w, f in get_frequency_dict("nl", wordlist="small").items()}


@lru_cache(maxsize=100_000)
def zipf(word: str) -> float:
    """Zipf frequency (log10 of occurrences per billion words); 0 for a word the list lacks."""
    return zipf_table().get(word, 0.0)
