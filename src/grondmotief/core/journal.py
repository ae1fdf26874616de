"""All-or-nothing changes to several study files (a codebook refactor rewrites the codebook and
every coder's codings file at once).

Each file is replaced atomically on its own (fileio), but a crash between two of them would leave
a codebook that no longer matches the codings. So before the first file is touched, a copy of every
file's current bytes and then `journal.json` naming them are written to `.grondmotief/journal/`;
removing `journal.json` after the last file is replaced is the commit. Whoever opens the study next
(`Study.open`) and finds a journal rolls every file back to its copy: a change that did not finish
never happened. All of it runs under one study-wide lock, so a reader never rolls back a change
that is still being made.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from grondmotief.core.errors import GrondmotiefError
from grondmotief.core.fileio import _fsync_dir, atomic_write_bytes, atomic_write_text

JOURNAL_DIR = "journal"
JOURNAL_FILE = "journal.json"
LOCK_NAME = "study-write.lock"
# Fault injection for the crash tests: SIGKILL this process right after write step N (1-based).
KILL_ENV = "GRONDMOTIEF_TEST_KILL_AFTER_STEP"


def journal_path(cache_dir: Path) -> Path:
    return cache_dir / JOURNAL_DIR / JOURNAL_FILE


@contextmanager
def study_lock(cache_dir: Path, timeout: float = 30) -> Iterator[None]:
    from filelock import FileLock, Timeout

    path = cache_dir / "locks" / LOCK_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink():
        raise GrondmotiefError(f".grondmotief/locks/{LOCK_NAME}: the lock file is a symbolic link; remove it")
    try:
        with FileLock(str(path), timeout=timeout):
            yield
    except Timeout:
        raise GrondmotiefError(
            "another grondmotief process is changing the study's files (codebook refactor); try again"
        ) from None


class _Steps:
    def __init__(self) -> None:
        self.n = 0
        raw = os.environ.get(KILL_ENV, "")
        self.kill_at = int(raw) if raw.isdigit() else 0

    def done(self) -> None:
        self.n += 1
        if self.n == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)


def _inside(root: Path, rel: str) -> Path:
    path = (root / rel).resolve()
    if path != root.resolve() and root.resolve() not in path.parents:
        raise GrondmotiefError(f".grondmotief/{JOURNAL_DIR}/{JOURNAL_FILE}: names a file outside the study ({rel})")
    return path


def write_all(root: Path, cache_dir: Path, changes: dict[Path, bytes]) -> None:
    """Replace every file in `changes` with its new bytes, all or none. Call under `study_lock`."""
    steps = _Steps()
    folder = cache_dir / JOURNAL_DIR
    if folder.exists():
        shutil.rmtree(folder)  # copies of a change that never reached its journal.json
    folder.mkdir(parents=True)
    entries = []
    for i, (path, _new) in enumerate(sorted(changes.items())):
        rel = path.resolve().relative_to(root.resolve()).as_posix()
        entry: dict[str, str | None] = {"path": rel, "backup": None}
        if path.exists():
            entry["backup"] = f"{i}.old"
            atomic_write_bytes(folder / f"{i}.old", path.read_bytes())
            steps.done()
        entries.append(entry)
    atomic_write_text(journal_path(cache_dir), json.dumps({"format_version": 1, "files": entries}, indent=1) + "\n")
    steps.done()
    for path, new in sorted(changes.items()):
        atomic_write_bytes(path, new)
        steps.done()
    journal_path(cache_dir).unlink()  # the commit: from here on the change stands
    _fsync_dir(folder)
    steps.done()
    shutil.rmtree(folder, ignore_errors=True)


def pending(cache_dir: Path) -> bool:
    return journal_path(cache_dir).exists()


def recover(root: Path, cache_dir: Path) -> list[str]:
    """Roll back a change that was interrupted; returns the files restored (relative paths)."""
    with study_lock(cache_dir):
        return roll_back(root, cache_dir)


def roll_back(root: Path, cache_dir: Path) -> list[str]:
    """`recover` for a caller already holding the study lock."""
    journal = journal_path(cache_dir)
    if not journal.exists():  # finished (or rolled back) while we waited for the lock
        return []
    folder = journal.parent
    try:
        data = json.loads(journal.read_text(encoding="utf-8"))
        entries = [(str(e["path"]), e["backup"]) for e in data["files"]]
    except (ValueError, KeyError, TypeError):
        raise GrondmotiefError(
            f".grondmotief/{JOURNAL_DIR}/{JOURNAL_FILE}: unreadable journal of an interrupted change; "
            "restore the study's files from git, then delete the folder .grondmotief/journal"
        ) from None
    restored = []
    for rel, backup in entries:
        path = _inside(root, rel)
        if backup is None:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        else:
            atomic_write_bytes(path, (folder / str(backup)).read_bytes())
        restored.append(rel)
    journal.unlink()
    _fsync_dir(folder)
    shutil.rmtree(folder, ignore_errors=True)
    return restored
