"""Installed packages' versions, as importlib.metadata reports them, without importing it.

Cache keys name the versions of spaCy, wordfreq and the lexicon packages, and importing
importlib.metadata (email parsing and all) cost `find` and `words` ~10 ms of their start-up
(issue 14). The lookup is the one importlib.metadata makes for an installed package: the first
`NAME-VERSION.dist-info` (or `.egg-info`) folder on sys.path, the `Version:` of its metadata.
Anything else (not installed, zipped, odd metadata) asks importlib.metadata itself.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from functools import lru_cache

_SEP = re.compile(r"[-_.]+")


def _normal(name: str) -> str:
    return _SEP.sub("_", name).lower()


def _listed(dist: str) -> str | None:
    """The version in the first matching metadata folder on sys.path; "" when its metadata has
    none (importlib.metadata then decides); None when no folder matches."""
    want = _normal(dist)
    for entry in sys.path:
        for name in _folder(entry):
            stem, _, ext = name.rpartition(".")
            if ext not in ("dist-info", "egg-info") or _normal(stem.partition("-")[0]) != want:
                continue
            meta = os.path.join(entry or ".", name, "METADATA" if ext == "dist-info" else "PKG-INFO")
            with contextlib.suppress(OSError, UnicodeDecodeError), open(meta, encoding="utf-8") as f:
                for line in f:
                    if not line.strip():
                        break  # the headers end here
                    if line.startswith("Version:"):
                        return line[len("Version:") :].strip()
            return ""
    return None


@lru_cache(maxsize=64)
def _folder(entry: str) -> list[str]:
    try:
        return sorted(os.listdir(entry or "."))
    except OSError:
        return []


@lru_cache(maxsize=64)
def version(dist: str) -> str | None:
    """The installed version of `dist`, or None if it is not installed."""
    found = _listed(dist)
    if found:
        return found
    from importlib import metadata  # not installed, or installed some other way: its own answer

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None
