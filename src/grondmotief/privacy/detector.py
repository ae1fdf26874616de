"""Personal data in text about to be printed: contact details, identifiers and names.

Findings name the kind and place of what was found, never the text itself.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Protocol

from grondmotief.privacy.finding import Finding, kinds  # noqa: F401 - kinds re-exported

_MONTHS = r"(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec)\.?"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_DATE_ANY = rf"(?:{_DAY} {_MONTHS} (?:19|20)\d\d|{_DAY}[-/.](?:0?[1-9]|1[0-2])[-/.](?:19|20)\d\d)\b"
_DATE_OLD = rf"(?:{_DAY} {_MONTHS} (?:19\d\d|200\d)|{_DAY}[-/.](?:0?[1-9]|1[0-2])[-/.](?:19\d\d|200\d))\b"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("e-mail address", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    (
        "URL",
        re.compile(r"\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:nl|com|org|eu|net|be|info|nu)(?:/\S*)?\b", re.IGNORECASE),
    ),
    # Any case: "nl91abna0417164300" is typed as often as the printed form.
    ("IBAN", re.compile(r"\b[A-Z]{2}\d{2}\s?[A-Z]{4}(?:\s?\d{4}){2}\s?\d{2}\b", re.IGNORECASE)),
    # Dutch numbers: 0 or +31/0031 then nine digits, with spaces, dots or hyphens anywhere ("020 123 4567",
    # "06-12345678", "+31 (0)6 1234 5678").
    # The area code may be bracketed: "(06) 1234 5678", "(020) 123 4567".
    (
        "phone number",
        re.compile(
            r"(?<![\w+])(?:(?:\+|00)31[\s.-]?(?:\(0\)[\s.-]?)?[1-9](?:[\s.-]?\d){8}"
            r"|0[1-9](?:[\s.-]?\d){8}|\(0[1-9]\d{0,2}\)\s?\d(?:[\s.-]?\d){5,7})(?![\w-])"
        ),
    ),
    # Lower case too ("1234 ab"), then only with a space and never a unit ("1200 km").
    (
        "postcode",
        re.compile(
            r"\b[1-9]\d{3}\s?(?!SA|SD|SS)[A-Z]{2}\b|\b[1-9]\d{3} (?!sa|sd|ss|"
            r"(?:km|cm|mm|kg|ml|uu|en|in|op|of|te|is|al|nu|er|zo|om|de|na|ja|ze|we|je|me|ik|uw|hè|ie|dé|ca|pp|st|nr)\b)[a-z]{2}\b",
        ),
    ),
    # Dutch licence plates (kentekens), sidecodes 1-14, only as written with hyphens ("12-ABC-3",
    # "AB-123-C", "XX-99-99"): without them six characters are too often something else.
    (
        "licence plate",
        re.compile(
            r"(?<![\w-])(?:[A-Z]{2}-\d{2}-\d{2}|\d{2}-\d{2}-[A-Z]{2}|\d{2}-[A-Z]{2}-\d{2}|[A-Z]{2}-\d{2}-[A-Z]{2}"
            r"|[A-Z]{2}-[A-Z]{2}-\d{2}|\d{2}-[A-Z]{2}-[A-Z]{2}|\d{2}-[A-Z]{3}-\d|\d-[A-Z]{3}-\d{2}|[A-Z]{2}-\d{3}-[A-Z]"
            r"|[A-Z]-\d{3}-[A-Z]{2}|[A-Z]{3}-\d{2}-[A-Z]|[A-Z]-\d{2}-[A-Z]{3}|\d-[A-Z]{2}-\d{3}|\d{3}-[A-Z]{2}-\d)(?![\w-])",
            re.IGNORECASE,
        ),
    ),
    # Dates of birth: a date after "geboren"/"geboortedatum", or any date in a year before 2010
    # (interviews date their events in recent years; "12 maart 2023" is an ordinary date).
    (
        "date of birth",
        re.compile(
            r"(?:(?<=geboren )|(?<=geboren op )|(?<=geboortedatum )|(?<=geboortedatum: )|(?<=geb\. ))"
            + _DATE_ANY
            + r"|(?<![\w-])"
            + _DATE_OLD,
            re.IGNORECASE,
        ),
    ),
    # Street addresses: a street name ending in a street word, then a house number ("Kerkstraat 12",
    # "Dorpsweg 3a", "Julianalaan 14-2"); a street without a number is a place, not an address.
    (
        "street address",
        re.compile(
            r"\b[A-Z][a-zà-ÿ'-]*(?:straat|laan|weg|plein|gracht|kade|singel|dijk|steeg|pad|dreef|markt|hof|"
            r"erf|wal|baan|plantsoen|boulevard|allee|oord)\s\d{1,4}(?:\s?[a-z]\b|-\d{1,3}\b)?(?![\d,.]\d)"
        ),
    ),
    ("social-media handle", re.compile(r"(?<![\w.@])@[A-Za-z][A-Za-z0-9_]{2,}\b")),
]
# Nine digits, also grouped "1234.56.789" or "123 456 782" / "123.456.782" (passes the elfproef below).
_NINE_DIGITS = re.compile(r"(?<![\d.,-])(?:\d{9}|\d{4}\.\d{2}\.\d{3}|\d{3}([ .])\d{3}\1\d{3})(?!\d|[.,-]\d)")


def _bsn(digits: str) -> bool:
    """The Dutch citizen service number passes the eleven test (elfproef)."""
    ds = [int(c) for c in digits if c.isdigit()]
    return (
        len(ds) == 9
        and ds[0] + ds[1] > 0
        and (sum(d * w for d, w in zip(ds, range(9, 1, -1), strict=False)) - ds[8]) % 11 == 0
    )


class NameLists(Protocol):
    """The study's `privacy` settings as the detector reads them."""

    @property
    def forbidden_names(self) -> list[str]: ...
    @property
    def allowed_names(self) -> list[str]: ...


def scan_text(text: str, privacy: NameLists | None = None) -> list[Finding]:
    """Every place in `text` that looks like personal data, sorted; kinds only, never the text."""
    findings: list[Finding] = []
    for kind, rx in _PATTERNS:
        findings.extend(Finding(kind, m.start(), m.end()) for m in rx.finditer(text))
    findings.extend(
        Finding("BSN-like number", m.start(), m.end()) for m in _NINE_DIGITS.finditer(text) if _bsn(m.group())
    )
    # No settings: no forbidden names, none allowed (the settings' defaults).
    forbidden = tuple(privacy.forbidden_names) if privacy is not None else ()
    for rx in _forbidden(forbidden):
        findings.extend(Finding("forbidden name", m.start(), m.end()) for m in rx.finditer(text))
    from grondmotief.privacy.names import find_person_names

    allowed = {a.strip().lower() for a in privacy.allowed_names} if privacy is not None else set()
    findings.extend(f for f in find_person_names(text) if text[f.start : f.end].lower() not in allowed)
    ordered = sorted(set(findings), key=lambda f: (f.start, -f.end, f.kind))
    # A finding inside a larger one (the domain of an e-mail address) adds nothing.
    kept: list[Finding] = []
    for f in ordered:
        if not any(k.start <= f.start and f.end <= k.end and k != f for k in kept[-8:]):
            kept.append(f)
    return sorted(kept, key=lambda f: (f.start, f.end, f.kind))


@lru_cache(maxsize=32)
def _forbidden(names: tuple[str, ...]) -> list[re.Pattern[str]]:
    # Whole words, any case, any run of spaces between the parts of a name.
    out = []
    for name in names:
        parts = name.split()
        if parts:
            out.append(re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, parts)) + r"(?!\w)", re.IGNORECASE))
    return out
