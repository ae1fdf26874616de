"""Personal data in a transcript's front matter: title, attribute values and notes.

Front matter reaches every output (a quote's attribution, the organisations appendix, `tally --by`,
`crosstab`, exports), so a flagged value is replaced by a placeholder when the study's transcripts
are loaded for use, and `check` names its file and line. A false positive is listed under
`privacy.allowed_names`, like one in the text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from grondmotief.core.errors import Problem
from grondmotief.privacy.finding import Finding, kinds

if TYPE_CHECKING:
    from grondmotief.study.settings import PrivacySettings
    from grondmotief.study.transcripts import Transcript

WITHHELD = "(withheld)"


@dataclass(frozen=True)
class MetaFinding:
    transcript: str
    field: str  # "title", "notes" or "attributes.KEY"
    line: int | None
    kinds: str


def _values(t: Transcript) -> Iterable[tuple[str, str]]:
    if t.meta.title:
        yield "title", t.meta.title
    for key, value in t.meta.attributes.items():
        if isinstance(value, str) and value:
            yield f"attributes.{key}", value
    if t.meta.notes:
        yield "notes", t.meta.notes


Scan = Callable[[str], list[Finding]]


def scan_front_matter(t: Transcript, privacy: PrivacySettings, scan: Scan | None = None) -> list[MetaFinding]:
    """`scan`: the detector with these privacy settings, e.g. through the scan cache (default: run it)."""
    if scan is None:
        from grondmotief.privacy.detector import scan_text

        def scan(text: str) -> list[Finding]:
            return scan_text(text, privacy)

    out = []
    for name, value in _values(t):
        found = scan(value)
        if found:
            out.append(MetaFinding(t.id, name, t.meta_lines.get(name), kinds(found)))
    return out


def front_matter_problems(label: str, t: Transcript, privacy: PrivacySettings) -> list[Problem]:
    return [
        Problem(
            label,
            f.line,
            f"{f.field} may contain personal data ({f.kinds}); it is withheld from every output until you "
            "anonymise it, or list a false positive under privacy.allowed_names",
        )
        for f in scan_front_matter(t, privacy)
    ]


def withhold_front_matter(
    transcripts: Iterable[Transcript], privacy: PrivacySettings, scan: Scan | None = None
) -> list[MetaFinding]:
    """Replace flagged values in place (kept in `withheld_meta`, never the value itself).

    Flagged values of one attribute become "(withheld 1)", "(withheld 2)", … in the order of the
    values, so `tally --by` still tells distinct cases apart without showing them.
    """
    ts = list(transcripts)
    findings = [f for t in ts for f in scan_front_matter(t, privacy, scan)]
    if not findings:
        return []
    by_id = {t.id: t for t in ts}
    flagged: dict[str, set[str]] = {}
    for f in findings:
        if f.field.startswith("attributes."):
            key = f.field.split(".", 1)[1]
            flagged.setdefault(key, set()).add(str(by_id[f.transcript].meta.attributes[key]))
    numbers = {
        key: {v: (WITHHELD if len(vals) == 1 else f"(withheld {i})") for i, v in enumerate(sorted(vals), start=1)}
        for key, vals in flagged.items()
    }
    for f in findings:
        t = by_id[f.transcript]
        if f.field == "title":
            t.meta = t.meta.model_copy(update={"title": WITHHELD})
        elif f.field == "notes":
            t.meta = t.meta.model_copy(update={"notes": WITHHELD})
        else:
            key = f.field.split(".", 1)[1]
            attrs = dict(t.meta.attributes)
            attrs[key] = numbers[key][str(attrs[key])]
            t.meta = t.meta.model_copy(update={"attributes": attrs})
        t.withheld_meta[f.field] = f.kinds
    return findings
