"""Who is coding: `--coder`, else the settings' `coder`, else $GRONDMOTIEF_CODER, else the name
this study remembers for this computer (`.grondmotief/coder`, asked once at the first
interactive start). The cache folder is git-ignored, so the name is never committed: each
team member's clone remembers its own coder.
"""

from __future__ import annotations

import os

from grondmotief.core.fileio import atomic_write_text
from grondmotief.study.codings import CODER_NAME
from grondmotief.study.folder import Study


def configured(study: Study, given: str | None) -> str | None:
    """The coder named by the command line, the settings or the environment; None when nobody said."""
    return given or study.settings.coder or os.environ.get("GRONDMOTIEF_CODER") or None


def remembered(study: Study) -> str | None:
    path = study.cache_dir / "coder"
    try:
        name = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return name if CODER_NAME.fullmatch(name) else None


def remember(study: Study, name: str) -> None:
    path = study.cache_dir / "coder"
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, name + "\n")


def valid(name: str) -> bool:
    return bool(CODER_NAME.fullmatch(name))
