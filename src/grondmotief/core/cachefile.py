"""Derived caches under .grondmotief/suggest/: written atomically, read defensively.

A cache file is either the complete old version or the complete new one (temp file and
rename in the same folder). Unlike study files we skip fsync: a cache lost in a power cut is
only rebuilt, and syncing hundreds of small files would cost more than parsing them. Anything
unreadable (truncated, corrupt, from another version) is treated as absent and rebuilt.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import time
import zlib
from pathlib import Path
from typing import Any

MAGIC = b"GMSC1\n"


def digest(*parts: Any) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else json.dumps(part, ensure_ascii=False, sort_keys=True).encode("utf-8")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()[:32]


def segment_key(text: str) -> str:
    """A segment's identity in every cache: a hash of its exact text."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temp file beside `path`, then rename over it. The temp name is unique per
    process and call, and O_EXCL guards against a leftover; cheaper than mkstemp when a cold
    run writes hundreds of files."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    tmp = _temp_name(path)
    try:
        fd = os.open(tmp, flags, 0o600)
    except FileNotFoundError:  # no cache folder yet
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, flags, 0o600)
    except FileExistsError:  # left behind by a crashed process that had our pid
        tmp = _temp_name(path)
        fd = os.open(tmp, flags, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{next(_SEQ)}.tmp")


_SEQ = itertools.count(1)


def pack(header: dict[str, Any], payload: bytes = b"") -> bytes:
    """MAGIC, one JSON header line (with the payload's length and CRC), then the payload."""
    head = dict(header, payload_len=len(payload), payload_crc=zlib.crc32(payload))
    return MAGIC + json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n" + payload


def unpack(data: bytes) -> tuple[dict[str, Any], bytes] | None:
    """The header and payload, or None when anything about the file is off."""
    if not data.startswith(MAGIC):
        return None
    nl = data.find(b"\n", len(MAGIC))
    if nl < 0:
        return None
    try:
        header = json.loads(data[len(MAGIC) : nl].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(header, dict):
        return None
    payload = data[nl + 1 :]
    if header.get("payload_len") != len(payload) or header.get("payload_crc") != zlib.crc32(payload):
        return None
    return header, payload


def read(path: Path) -> tuple[dict[str, Any], bytes] | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return unpack(data)


def write(path: Path, header: dict[str, Any], payload: bytes = b"") -> None:
    """Best effort: a cache that cannot be written (read-only study, full disk) is not an error."""
    with contextlib.suppress(OSError):
        write_atomic(path, pack(header, payload))


class Writer:
    """Cache files written in batches: a cold run writes one per transcript, and the kernel
    creates them measurably cheaper in a row than spread between parsing (~6 % of a cold run
    on the benchmark). A batch is written at BATCH files or SECONDS after its first, so a
    run killed in between (a daemon thread at exit) loses little. Files not yet written are
    read from memory, so the batching is invisible within a run; call `flush` when done."""

    BATCH = 32
    SECONDS = 0.5

    def __init__(self) -> None:
        self.pending: dict[Path, bytes] = {}
        self._since = 0.0

    def write(self, path: Path, header: dict[str, Any], payload: bytes = b"") -> None:
        if not self.pending:
            self._since = time.monotonic()
        self.pending[path] = pack(header, payload)
        if len(self.pending) >= self.BATCH or time.monotonic() - self._since >= self.SECONDS:
            self.flush()

    def read(self, path: Path) -> tuple[dict[str, Any], bytes] | None:
        data = self.pending.get(path)
        return read(path) if data is None else unpack(data)

    def flush(self) -> None:
        pending, self.pending = self.pending, {}
        for path, data in pending.items():
            with contextlib.suppress(OSError):  # best effort, as `write`
                write_atomic(path, data)


def safe_name(transcript_id: str) -> str:
    # Transcript ids are already [A-Za-z0-9_-]; keep file names that way on every filesystem.
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in transcript_id)


def user_cache_dir() -> Path | None:
    """A cache shared by every study, for what depends only on a codebook: $GRONDMOTIEF_CACHE_HOME
    when set and not empty, else none (each study's own cache). Not ~/.cache by default: the
    codebook cache holds the lemmas of the codebook's example passages, which may quote
    interviews, and a study's derived data should stay in the study's folder unless asked."""
    own = os.environ.get("GRONDMOTIEF_CACHE_HOME", "").strip()
    return Path(own).expanduser() if own else None


def prune(folder: Path, pattern: str, keep: int) -> None:
    """Remove all but the `keep` most recently written files matching `pattern` (best effort):
    every edit of a codebook writes new entries, and the old ones are never read again."""
    with contextlib.suppress(OSError):
        found = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in found[keep:]:
            with contextlib.suppress(OSError):
                old.unlink()
