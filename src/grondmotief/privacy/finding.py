"""A place in a text that looks like personal data: its kind and offsets, never the text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int


def kinds(findings: Iterable[Finding]) -> str:
    return ", ".join(sorted({f.kind for f in findings}))
