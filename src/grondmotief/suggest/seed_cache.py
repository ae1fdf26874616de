"""The seed model's inputs and, without decisions, the seed models themselves, cached per codebook.

Both depend only on the codebook (its file, its example passages), the settings that shape the
seed and the code and packages that turn them into numbers, never on a study's transcripts or
decisions. So they are cached in the user-level cache (core.cachefile.user_cache_dir), shared by
every study with the same codebook: a new study's first `suggest` with the default codebook
neither parses its 1,800 example passages (2-4 s) nor imports scikit-learn and trains (1.5-2 s).
The key is a digest of all of it (see Engine.seed_key); a change to any part makes a new key,
and old entries are pruned. Files are written atomically (core.cachefile) and anything
unreadable is rebuilt.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from grondmotief.core import cachefile as cache
from grondmotief.suggest.model import Seed

KEEP = 8  # entries of each kind kept in the user-level cache
FORMAT = "seed1"


@lru_cache(maxsize=4)
def code_fingerprint(*modules: str) -> str:
    """The source of the modules that make seed texts, features and models (these files, and
    the caller's, e.g. engine.py), and the versions of the packages that train them: an
    upgrade or a local edit rebuilds the cache."""
    import grondmotief
    import grondmotief.study.passages as passages
    import grondmotief.suggest.model as model
    import grondmotief.suggest.model_batch as model_batch
    import grondmotief.suggest.profile as profile

    files = [m.__file__ for m in (model, model_batch, profile, passages) if m.__file__] + list(modules)
    versions = []
    for dist in ("scikit-learn", "scipy", "numpy"):
        try:
            versions.append(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{dist} missing")
    return cache.digest(FORMAT, grondmotief.__version__, versions, *(Path(f).read_bytes() for f in files))


def path(folder: Path, kind: str, key: str) -> Path:
    return folder / f"{kind}-{key}.bin"


def read(folder: Path, kind: str, key: str) -> tuple[dict[str, Any], bytes] | None:
    got = cache.read(path(folder, kind, key))
    if got is None or got[0].get("key") != key:
        return None
    return got


def write(folder: Path, kind: str, key: str, header: dict[str, Any], payload: bytes) -> None:
    cache.write(path(folder, kind, key), dict(header, key=key), payload)
    cache.prune(folder, f"{kind}-*.bin", KEEP)


def seed_to_bytes(seed: Seed) -> tuple[dict[str, Any], bytes]:
    """Features as numbers into one sorted string table (a NUL-separated blob), then int32 rows."""
    strings = sorted({f for feats in seed.features for f in feats})
    pos = {s: i for i, s in enumerate(strings)}
    rows = [sorted(pos[f] for f in feats) for feats in seed.features]
    blob = "\x00".join(strings).encode("utf-8")
    header = {
        "labels": seed.labels,
        "weights": seed.weights,
        "lens": [len(r) for r in rows],
        "n_strings": len(strings),
        "strings_len": len(blob),
    }
    ids = np.asarray([i for r in rows for i in r], dtype="<i4")
    return header, blob + ids.tobytes()


def seed_from_bytes(header: dict[str, Any], payload: bytes) -> Seed | None:
    try:
        n, k = int(header["n_strings"]), int(header["strings_len"])
        strings = payload[:k].decode("utf-8").split("\x00") if n else []
        lens = [int(x) for x in header["lens"]]
        ids = np.frombuffer(payload[k:], dtype="<i4").tolist()
        if len(strings) != n or sum(lens) != len(ids) or any(not 0 <= i < n for i in ids):
            return None
        features, at = [], 0
        for length in lens:
            features.append({strings[i] for i in ids[at : at + length]})
            at += length
        labels = {str(c): [None if y is None else int(y) for y in row] for c, row in header["labels"].items()}
        weights = [float(w) for w in header["weights"]]
    except (KeyError, TypeError, ValueError, AttributeError, UnicodeDecodeError):
        return None
    if any(len(row) != len(features) for row in labels.values()) or len(weights) not in (0, len(features)):
        return None
    return Seed(features, labels, weights)
