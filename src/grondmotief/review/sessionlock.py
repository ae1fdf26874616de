"""One interactive session per coder and study.

Two terminals coding as the same coder would each undo and overwrite the other's latest decisions
without seeing them. `code` therefore holds an OS lock (flock) on `.grondmotief/locks/<coder>.session`
for as long as the loop runs; a second `code` for that coder is refused with a message saying
where the first one runs, and `--read-only` browses instead. The kernel drops the lock when the
process ends, however it ends, so a crashed session never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from pathlib import Path

from grondmotief.core.errors import GrondmotiefError


class SessionBusy(GrondmotiefError):
    pass


class SessionLock:
    def __init__(self, lock_dir: Path, coder: str) -> None:
        self.path = lock_dir / f"{coder}.session"
        self.coder = coder
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.is_symlink():
            raise GrondmotiefError(f"{self.path.name}: the session lock is a symbolic link; remove it and try again")
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = _describe(fd)
            os.close(fd)
            raise SessionBusy(
                f"{self.coder} is already coding this study in another terminal{other}. Carry on there "
                f"(two sessions of one coder would undo and overwrite each other's decisions), or look "
                f"without recording with `grondmotief code --coder {self.coder} --read-only`"
            ) from None
        info = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%H:%M")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock; the file stays for the next session
            self._fd = None

    def __enter__(self) -> SessionLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _describe(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 1024, 0) or b"{}")
        return f" (process {int(info['pid'])} on {info['host']}, since {info['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        return ""
