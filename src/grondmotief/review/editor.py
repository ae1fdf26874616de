"""`M` in the review loop: write a long memo in the coder's own editor ($VISUAL, $EDITOR, else vi).

The memo goes through a temporary file in the system's temp folder, removed afterwards; it holds
the memo only, never the passage.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from grondmotief.core.errors import GrondmotiefError


class EditorError(GrondmotiefError):
    pass


def editor_command(env: dict[str, str] | None = None) -> list[str]:
    env = dict(os.environ) if env is None else env
    raw = env.get("VISUAL") or env.get("EDITOR") or "vi"
    try:
        return shlex.split(raw)
    except ValueError:
        raise EditorError(f"cannot read the editor command '{raw}' ($VISUAL/$EDITOR)") from None


def edit_text(text: str, *, what: str = "memo") -> str | None:
    """The text after editing, or None when it came back unchanged (or the editor failed)."""
    cmd = editor_command()
    fd, name = tempfile.mkstemp(prefix="grondmotief-memo-", suffix=".txt")
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text + ("\n" if text and not text.endswith("\n") else ""))
        try:
            done = subprocess.run([*cmd, str(path)], check=False)
        except OSError as exc:
            raise EditorError(f"could not start the editor '{cmd[0]}' ({exc.strerror}); set $EDITOR") from None
        if done.returncode != 0:
            raise EditorError(f"the editor '{cmd[0]}' exited with status {done.returncode}; {what} kept as it was")
        new = path.read_text(encoding="utf-8", errors="replace").rstrip("\n")
    finally:
        path.unlink(missing_ok=True)
    return None if new == text.rstrip("\n") else new
