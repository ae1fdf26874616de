"""The personal-data scan, remembered per passage text under .grondmotief/pii/.

A second `check` or export on an unchanged study then costs what reading the files costs. The
file is keyed by the privacy settings and the detector's own source and name lists, so editing
either starts afresh; a passage is keyed by a hash of its exact text, so an edited passage is
scanned again. The cache holds kinds and offsets only, never text, and anything unreadable is
treated as absent.
"""

from __future__ import annotations

import contextlib
import json
import zlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from grondmotief.core.cachefile import digest, segment_key, write_atomic
from grondmotief.privacy.finding import Finding

if TYPE_CHECKING:
    from grondmotief.privacy.detector import NameLists

MAGIC = b"GMPII1\n"


@lru_cache(maxsize=1)
def _detector_digest() -> str:
    here = Path(__file__).resolve().parent
    parts: list[bytes] = [
        (here / name).read_bytes()
        for name in ("finding.py", "detector.py", "names.py", "name_lists.py", "names_lower.py")
    ]
    parts += [p.read_bytes() for p in sorted((here.parent / "data" / "names").glob("*")) if p.is_file()]
    # Lower-case names are told from words by wordfreq's frequencies: a new list may decide otherwise.
    return digest(*parts, _wordfreq_version())


def _wordfreq_version() -> str:
    from grondmotief.core.dists import version  # importlib.metadata's answer, without its import

    return version("wordfreq") or ""


class ScanCache:
    def __init__(self, privacy: NameLists, cache_dir: Path) -> None:
        self.privacy = privacy
        key = digest(
            _detector_digest(),
            {"forbidden_names": list(privacy.forbidden_names), "allowed_names": list(privacy.allowed_names)},
        )
        self.path = cache_dir / "pii" / f"scan-{key}.bin"
        self.entries: dict[str, list[list[object]]] = self._load()
        self.changed = False

    def _load(self) -> dict[str, list[list[object]]]:
        with contextlib.suppress(OSError, ValueError, zlib.error):
            raw = self.path.read_bytes()
            if raw.startswith(MAGIC):
                data = json.loads(zlib.decompress(raw[len(MAGIC) :]))
                if isinstance(data, dict):
                    return data
        return {}

    def scan(self, text: str) -> list[Finding]:
        key = segment_key(text)
        hit = self.entries.get(key)
        if hit is not None:
            with contextlib.suppress(TypeError, ValueError):
                return [Finding(str(k), int(s), int(e)) for k, s, e in hit]  # type: ignore[call-overload]
        from grondmotief.privacy.detector import scan_text  # a cache miss: the detector's lists load

        found = scan_text(text, self.privacy)
        self.entries[key] = [[f.kind, f.start, f.end] for f in found]
        self.changed = True
        return found

    def save(self) -> None:
        """Best effort: a read-only study, or a full disk, only means the next run scans again."""
        if not self.changed:
            return
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            for old in self.path.parent.glob("scan-*.bin"):  # other settings: stale
                if old != self.path:
                    old.unlink(missing_ok=True)
            payload = json.dumps(self.entries, separators=(",", ":"), sort_keys=True).encode("utf-8")
            write_atomic(self.path, MAGIC + zlib.compress(payload, 1))
        self.changed = False
