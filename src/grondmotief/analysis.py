"""Tallies and cross-tabulations over accepted decisions, rolled up the code hierarchy."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from grondmotief.codings import Decision
from grondmotief.study import Study
from grondmotief.transcripts import parse_segment_ref


@dataclass
class CodedPassages:
    """Which passages carry which codes (after roll-up), from one set of accepted decisions."""

    by_code: dict[str, set[str]]  # code id → segment ids
    by_segment: dict[str, set[str]]  # segment id → code ids
    decisions: list[Decision] = field(default_factory=list)


def coded_passages(study: Study, coders: list[str] | None = None) -> CodedPassages:
    cb = study.codebook
    by_code: dict[str, set[str]] = defaultdict(set)
    by_segment: dict[str, set[str]] = defaultdict(set)
    decisions = [d for d in study.accepted(coders) if d.code in cb.codes]
    for d in decisions:
        for cid in cb.rollup(d.code):
            by_code[cid].add(d.segment)
            by_segment[d.segment].add(cid)
    return CodedPassages(dict(by_code), dict(by_segment), decisions)


def case_of(segment_id: str) -> str:
    return parse_segment_ref(segment_id)[0]


@dataclass
class TallyRow:
    code: str
    label: str
    group: str
    depth: int
    passages: int
    cases: int
    cases_total: int
    by: dict[str, tuple[int, int]] = field(default_factory=dict)  # attribute value → (cases with code, cases)


def tally(study: Study, coders: list[str] | None = None, *, group: str | None = None, by: str | None = None,
          passages: CodedPassages | None = None) -> list[TallyRow]:
    cb = study.codebook
    coded = passages or coded_passages(study, coders)
    transcripts = study.transcripts
    values: dict[str, list[str]] = defaultdict(list)
    if by is not None:
        for t in transcripts.values():
            v = t.attributes.get(by)
            values["(none)" if v is None else str(v)].append(t.id)
    codes = cb.in_group(group) if group else cb.order
    rows = []
    for cid in codes:
        c = cb.codes[cid]
        segs = coded.by_code.get(cid, set())
        cases = {case_of(s) for s in segs}
        row = TallyRow(cid, c.label, c.group, c.depth, len(segs), len(cases), len(transcripts))
        for value in sorted(values):
            members = values[value]
            row.by[value] = (sum(1 for m in members if m in cases), len(members))
        rows.append(row)
    return rows
