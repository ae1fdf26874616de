"""Study settings (`grondmotief.yaml`): every key optional, sensible defaults.

The models live in settings_model.py and are imported on first use (PEP 562 `__getattr__`):
building pydantic models costs more than a quick command's whole work (issue 14).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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


__all__ = [
    "SETTINGS_FILE",
    "LimitSettings",
    "NlpSettings",
    "PrivacySettings",
    "ReportSettings",
    "Settings",
    "SuggestSettings",
]
