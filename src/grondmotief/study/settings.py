"""Study settings (`grondmotief.yaml`): every key optional, sensible defaults.

The models live in settings_model.py and are imported on first use (PEP 562 `__getattr__`):
building pydantic models costs more than a quick command's whole work (issue 14).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from grondmotief.core.errors import GrondmotiefError, Problem
from grondmotief.core.fileio import decode_text, load_yaml, read_text

SETTINGS_FILE = "grondmotief.yaml"
_MODELS = ("Settings", "NlpSettings", "SuggestSettings", "ReportSettings", "PrivacySettings", "LimitSettings")

if TYPE_CHECKING:
    from grondmotief.study.settings_model import (
        LimitSettings,
        NlpSettings,
        PrivacySettings,
        ReportSettings,
        Settings,
        SuggestSettings,
    )


def __getattr__(name: str) -> Any:
    if name in _MODELS:
        from grondmotief.study import settings_model

        return getattr(settings_model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_settings(root: Path, data: bytes | None = None) -> tuple[Settings, list[Problem]]:
    """Read and validate the settings (`data`: the file's bytes, already read; b"" = no file)."""
    from grondmotief.study.models import validate
    from grondmotief.study.settings_model import Settings

    path = root / SETTINGS_FILE
    if data == b"" or (data is None and not path.exists()):
        return Settings(), []
    label = SETTINGS_FILE
    try:
        text = read_text(path, label) if data is None else decode_text(data, label)
        raw = load_yaml(text, label)
    except GrondmotiefError as exc:
        return Settings(), exc.problems or [Problem(label, None, exc.message)]
    if raw is None:
        return Settings(), []
    if not isinstance(raw, dict):
        return Settings(), [Problem(label, 1, "settings must be a YAML mapping")]
    settings, problems = validate(Settings, raw, label)
    return (settings or Settings()), problems


__all__ = [
    "SETTINGS_FILE",
    "LimitSettings",
    "NlpSettings",
    "PrivacySettings",
    "ReportSettings",
    "Settings",
    "SuggestSettings",
    "load_settings",
]
