"""Personal data in text about to be printed: contact details, identifiers and names.

Findings name the kind and place of what was found, never the text itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from grondmotief.errors import Problem
from grondmotief.settings import PrivacySettings

if TYPE_CHECKING:
    from grondmotief.study import Study
    from grondmotief.transcripts import Transcript


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int


_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("e-mail address", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    ("URL", re.compile(r"\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:nl|com|org|eu|net|be)(?:/\S*)?\b", re.IGNORECASE)),
    ("IBAN", re.compile(r"\b[A-Z]{2}\d{2}\s?[A-Z]{4}(?:\s?\d{4}){2}\s?\d{2}\b")),
    ("phone number", re.compile(r"(?<![\w-])(?:\+31[\s-]?|0031[\s-]?|0)(?:6[\s-]?\d{8}|\d{2,3}[\s-]?\d{6,7}|\d{2}[\s-]\d{3}[\s-]\d{2}[\s-]\d{2})(?![\w-])")),
    ("postcode", re.compile(r"\b[1-9]\d{3}\s?(?!SA|SD|SS)[A-Z]{2}\b")),
    ("BSN-like number", re.compile(r"\b\d{9}\b")),
]


def scan_text(text: str, privacy: PrivacySettings | None = None) -> list[Finding]:
    privacy = privacy or PrivacySettings()
    findings: list[Finding] = []
    for kind, rx in _PATTERNS:
        findings.extend(Finding(kind, m.start(), m.end()) for m in rx.finditer(text))
    for name in privacy.forbidden_names:
        if name.strip():
            rx = re.compile(r"(?<!\w)" + re.escape(name.strip()) + r"(?!\w)", re.IGNORECASE)
            findings.extend(Finding("forbidden name", m.start(), m.end()) for m in rx.finditer(text))
    from grondmotief.names import find_person_names

    allowed = {a.lower() for a in privacy.allowed_names}
    findings.extend(f for f in find_person_names(text) if text[f.start : f.end].lower() not in allowed)
    return sorted(set(findings), key=lambda f: (f.start, f.end, f.kind))


def kinds(findings: Iterable[Finding]) -> str:
    return ", ".join(sorted({f.kind for f in findings}))


def scan_transcripts(study: Study, transcripts: Iterable[Transcript]) -> list[Problem]:
    problems = []
    for t in transcripts:
        label = study.rel(t.path)
        for seg in t.segments:
            found = scan_text(seg.text, study.settings.privacy)
            if found:
                problems.append(Problem(label, seg.line, f"{seg.id} may contain personal data ({kinds(found)}); "
                                        "anonymise it, or list a false positive under privacy.allowed_names"))
    return problems
