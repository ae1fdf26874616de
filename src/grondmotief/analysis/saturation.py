"""Saturation: how many codes each new transcript added, in interview order.

Order: transcripts with an `interviewed` date by date (ties by id), then those without, by id
(org2 before org10). A code counts for a transcript when a chosen coder accepted it on one of
its passages (as decided, not rolled up: a parent adds nothing its child did not). The standard
check whether more interviews would still find new codes: the `new` column should fall to 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grondmotief.study.folder import Study


@dataclass
class SaturationRow:
    position: int
    transcript: str
    interviewed: str  # ISO date or ""
    codes: int  # codes in this transcript
    new: list[str]  # codes first seen here, codebook order
    total: int  # distinct codes so far

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "transcript": self.transcript,
            "interviewed": self.interviewed,
            "codes": self.codes,
            "new": len(self.new),
            "new_codes": list(self.new),
            "total": self.total,
        }


def saturation(
    study: Study, coders: list[str] | None = None, group: str | None = None
) -> tuple[list[SaturationRow], int]:
    """Rows in interview order, and the orphaned decisions left out."""
    from grondmotief.analysis.tallies import case_of, coded_passages, natural_key

    cb = study.codebook
    wanted = set(cb.in_group(group)) if group else set(cb.codes)
    coded = coded_passages(study, coders)
    per_case: dict[str, set[str]] = {}
    for d in coded.decisions:
        if d.code in wanted:
            per_case.setdefault(case_of(d.segment), set()).add(d.code)
    order = sorted(
        study.transcripts.values(),
        key=lambda t: (t.meta.interviewed is None, str(t.meta.interviewed or ""), natural_key(t.id)),
    )
    rank = {c: i for i, c in enumerate(cb.order)}
    seen: set[str] = set()
    rows = []
    for i, t in enumerate(order, 1):
        here = per_case.get(t.id, set())
        new = sorted(here - seen, key=rank.__getitem__)
        seen |= here
        rows.append(SaturationRow(i, t.id, str(t.meta.interviewed or ""), len(here), new, len(seen)))
    return rows, coded.orphaned
