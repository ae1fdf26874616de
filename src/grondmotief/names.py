"""Dutch person-name detection for the personal-data scan (see pii.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grondmotief.pii import Finding


def find_person_names(text: str) -> list[Finding]:
    """Spans that look like a person's name. Filled in by the name-list detector."""
    return []
