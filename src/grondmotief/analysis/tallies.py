"""Tallies, cross-tabulations and motive clashes over accepted decisions, rolled up the code hierarchy.

Counting rules (documented in docs/sections/report.md):
- a passage (segment) counts for a code when any chosen coder accepted that code or one of its
  descendants there; several coders accepting the same passage still count it once;
- a case is a transcript; it counts for a code when at least one of its passages does;
- spheres come from each code's `sphere` attribute (civil / state); a code without one inherits its
  parent's, and `both` counts for neither pole (its children carry the poles).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from grondmotief.core.errors import UsageProblem
from grondmotief.study.codebook import Codebook
from grondmotief.study.folder import Study
from grondmotief.study.transcripts import parse_segment_ref

if TYPE_CHECKING:
    from grondmotief.study.codings import Decision

NONE_VALUE = "(none)"
CIVIL_WORDS = {"civil", "civil-society", "civil society", "civiel", "samenleving"}
STATE_WORDS = {"state", "government", "market", "state/market", "overheid", "markt"}


@dataclass
class CodedPassages:
    """Which passages carry which codes (after roll-up), from one set of accepted decisions."""

    by_code: dict[str, set[str]]  # code id → segment ids
    by_segment: dict[str, set[str]]  # segment id → code ids
    decisions: list[Decision] = field(default_factory=list)
    by_coder: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # segment → coder → codes
    segment_decisions: dict[str, list[Decision]] = field(default_factory=dict)
    # Accepted decisions whose passage text changed or vanished: left out of every count above, so
    # callers must say so (`check` lists them). Never silently dropped.
    orphaned: int = 0


def coded_passages(study: Study, coders: list[str] | None = None) -> CodedPassages:
    """Accepted decisions on codes of the codebook, re-anchored and rolled up.

    Codes outside the codebook never count: a code removed from the codebook, and the reserved
    `_none` ("reviewed, no code applies"), which is a coder's mark, not a code.
    """
    cb = study.codebook
    by_code: dict[str, set[str]] = defaultdict(set)
    by_segment: dict[str, set[str]] = defaultdict(set)
    by_coder: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    seg_decisions: dict[str, list[Decision]] = defaultdict(list)
    rollups = {cid: cb.rollup(cid) for cid in cb.codes}
    decisions: list[Decision] = []
    orphaned = 0
    for a in study.decisions(coders):
        d = a.decision
        if d.decision != "accepted" or d.code not in cb.codes:
            continue
        if a.status == "orphan":
            orphaned += 1
            continue
        decisions.append(d if a.new_segment is None else d.model_copy(update={"segment": a.new_segment}))
    for d in decisions:
        seg_decisions[d.segment].append(d)
        mine = by_coder[d.segment][d.coder]
        for cid in rollups[d.code]:
            by_code[cid].add(d.segment)
            by_segment[d.segment].add(cid)
            mine.add(cid)
    return CodedPassages(
        dict(by_code),
        dict(by_segment),
        decisions,
        {s: dict(c) for s, c in by_coder.items()},
        dict(seg_decisions),
        orphaned,
    )


def case_of(segment_id: str) -> str:
    return segment_id.rsplit("¶", 1)[0] if "¶" in segment_id else parse_segment_ref(segment_id)[0]


@lru_cache(maxsize=65536)
def natural_key(text: str) -> tuple[object, ...]:
    """org2 before org10."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


@lru_cache(maxsize=1 << 20)
def citation_key(segment_id: str) -> tuple[object, ...]:
    tid, n = parse_segment_ref(segment_id)
    return (natural_key(tid), n)


def attribute_value(value: object) -> str:
    if value is None:
        return NONE_VALUE
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def attribute_values(study: Study, key: str) -> dict[str, list[str]]:
    """Attribute value → ids of the transcripts that have it (sorted)."""
    out: dict[str, list[str]] = defaultdict(list)
    for t in study.transcripts.values():
        out[attribute_value(t.attributes.get(key))].append(t.id)
    return {v: sorted(ids, key=natural_key) for v, ids in sorted(out.items(), key=lambda kv: natural_key(kv[0]))}


def attribute_keys(study: Study) -> list[str]:
    keys: set[str] = set()
    for t in study.transcripts.values():
        keys.update(t.attributes)
    return sorted(keys)


def require_attribute(study: Study, key: str) -> None:
    known = attribute_keys(study)
    if key not in known:
        raise UsageProblem(f"no transcript has attribute '{key}' (attributes: {', '.join(known) or 'none'})")


# Tallies -------------------------------------------------------------------------------------------
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


def tally(
    study: Study,
    coders: list[str] | None = None,
    *,
    group: str | None = None,
    by: str | None = None,
    passages: CodedPassages | None = None,
) -> list[TallyRow]:
    cb = study.codebook
    coded = passages or coded_passages(study, coders)
    transcripts = study.transcripts
    values: dict[str, list[str]] = {}
    if by is not None:
        require_attribute(study, by)
        values = attribute_values(study, by)
    codes = cb.in_group(group) if group else cb.order
    rows = []
    for cid in codes:
        c = cb.codes[cid]
        segs = coded.by_code.get(cid, set())
        cases = {case_of(s) for s in segs}
        row = TallyRow(cid, c.label, c.group, c.depth, len(segs), len(cases), len(transcripts))
        for value, members in values.items():
            row.by[value] = (sum(1 for m in members if m in cases), len(members))
        rows.append(row)
    return rows


# Cross-tabulations ---------------------------------------------------------------------------------
Unit = Literal["passage", "case"]


@dataclass
class Axis:
    name: str
    kind: Literal["group", "attribute"]
    keys: list[str]
    labels: dict[str, str]


@dataclass
class Crosstab:
    rows: Axis
    cols: Axis
    unit: Unit
    counts: dict[tuple[str, str], int]
    row_totals: dict[str, int]  # units carrying the row key (the denominator of a row share)
    col_totals: dict[str, int]

    def count(self, r: str, c: str) -> int:
        return self.counts.get((r, c), 0)

    def share(self, r: str, c: str) -> float:
        total = self.row_totals.get(r, 0)
        return self.count(r, c) / total if total else 0.0


def axis(study: Study, name: str, *, top_only: bool = False) -> Axis:
    cb = study.codebook
    if name in cb.groups:
        keys = cb.in_group(name, top_only=top_only)
        return Axis(name, "group", keys, {k: cb.codes[k].label for k in keys})
    if name in attribute_keys(study):
        values = list(attribute_values(study, name))
        return Axis(name, "attribute", values, {v: v for v in values})
    raise UsageProblem(
        f"'{name}' is neither a code group ({', '.join(cb.groups) or 'none'}) nor a transcript "
        f"attribute ({', '.join(attribute_keys(study)) or 'none'})"
    )


def crosstab(
    study: Study,
    rows: str,
    cols: str,
    coders: list[str] | None = None,
    *,
    unit: Unit = "passage",
    top_only: bool = False,
    passages: CodedPassages | None = None,
) -> Crosstab:
    """Co-occurrence of two code groups on passages, or a code group broken down by an attribute."""
    r_axis, c_axis = axis(study, rows, top_only=top_only), axis(study, cols, top_only=top_only)
    if r_axis.kind == "attribute" and c_axis.kind == "attribute":
        raise UsageProblem("a crosstab needs at least one code group (e.g. `crosstab theme organisation_type`)")
    coded = passages or coded_passages(study, coders)
    case_attr: dict[str, dict[str, str]] = {}
    for ax in (r_axis, c_axis):
        if ax.kind == "attribute":
            case_attr[ax.name] = {t.id: attribute_value(t.attributes.get(ax.name)) for t in study.transcripts.values()}
    r_set, c_set = set(r_axis.keys), set(c_axis.keys)
    units: dict[tuple[str, str], set[str]] = defaultdict(set)
    r_units: dict[str, set[str]] = defaultdict(set)
    c_units: dict[str, set[str]] = defaultdict(set)

    def keys_for(ax: Axis, keyset: set[str], seg: str, codes: set[str]) -> list[str]:
        if ax.kind == "attribute":
            return [case_attr[ax.name][case_of(seg)]]
        return [k for k in codes if k in keyset]

    for seg, codes in coded.by_segment.items():
        unit_id = seg if unit == "passage" else case_of(seg)
        rk = keys_for(r_axis, r_set, seg, codes)
        ck = keys_for(c_axis, c_set, seg, codes)
        if not (rk and ck) and "attribute" in (r_axis.kind, c_axis.kind):
            continue  # an attribute side only counts passages that carry a code of the group side
        for r in rk:
            r_units[r].add(unit_id)
        for c in ck:
            c_units[c].add(unit_id)
        for r in rk:
            for c in ck:
                units[(r, c)].add(unit_id)
    return Crosstab(
        r_axis,
        c_axis,
        unit,
        {k: len(v) for k, v in units.items()},
        {k: len(r_units.get(k, ())) for k in r_axis.keys},
        {k: len(c_units.get(k, ())) for k in c_axis.keys},
    )


# Clashes between civil-society and state motives ---------------------------------------------------
def pole(value: object) -> str | None:
    v = str(value).strip().lower() if value is not None else ""
    if v in CIVIL_WORDS:
        return "civil"
    if v in STATE_WORDS:
        return "state"
    return None


def spheres(cb: Codebook, group: str) -> dict[str, str]:
    """Code id → 'civil' or 'state' for the codes of `group` that carry a pole (own or inherited)."""
    out: dict[str, str] = {}
    for cid in cb.in_group(group):
        code = cb.codes[cid]
        value: object = code.spec.attributes.get("sphere")
        node = code
        while value is None and node.parent is not None:
            node = cb.codes[node.parent]
            value = node.spec.attributes.get("sphere")
        p = pole(value)
        if p is not None:
            out[cid] = p
    return out


@dataclass
class PassageClash:
    segment: str
    pairs: list[tuple[str, str]]  # (civil code, state code), most specific codes only
    coders: int  # coders whose own decisions here hold a clash


@dataclass
class ClashRow:
    code: str | None  # None: all passages, whatever their theme
    label: str
    passages: int
    civil: int
    state: int
    clashes: int
    cases: int
    pairs: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def share(self) -> float:
        return self.clashes / self.passages if self.passages else 0.0


@dataclass
class ClashTable:
    rows_group: str
    motive_group: str
    poles: dict[str, str]
    rows: list[ClashRow]
    total: ClashRow
    passages: dict[str, PassageClash]  # segment → its clash, only passages with one
    # Why the per-row clash counts need not add up to total.clashes: clash passages that carry no
    # code of the rows group (they count only in the total), and those counted under several rows.
    outside_rows: int = 0
    in_several_rows: int = 0


def _pole_codes(cb: Codebook, codes: set[str], poles: dict[str, str]) -> dict[str, list[str]]:
    """Codes present on a passage per pole, dropping an ancestor when a descendant of the same pole is there."""
    out: dict[str, list[str]] = {"civil": [], "state": []}
    for cid in cb.order:
        if cid in codes and cid in poles:
            p = poles[cid]
            if not any(d in codes and poles.get(d) == p for d in cb.descendants(cid)):
                out[p].append(cid)
    return out


def passage_clash(cb: Codebook, codes: set[str], poles: dict[str, str]) -> list[tuple[str, str]]:
    found = _pole_codes(cb, codes, poles)
    return [(c, s) for c in found["civil"] for s in found["state"]]


def clash(
    study: Study,
    coders: list[str] | None = None,
    *,
    rows: str = "theme",
    motives: str = "motive",
    passages: CodedPassages | None = None,
) -> ClashTable:
    """Per code of `rows`: passages where a civil and a state motive of group `motives` co-occur."""
    cb = study.codebook
    row_axis = axis(study, rows)
    if motives not in cb.groups:
        raise UsageProblem(
            f"--clash needs a code group with spheres as COLS; '{motives}' is not a group ({', '.join(cb.groups)})"
        )
    poles = spheres(cb, motives)
    if not {"civil", "state"} <= set(poles.values()):
        raise UsageProblem(f"group '{motives}' has no codes with `sphere: civil` and `sphere: state` in {cb.label}")
    coded = passages or coded_passages(study, coders)
    per_passage: dict[str, PassageClash] = {}
    civil_segs: set[str] = set()
    state_segs: set[str] = set()
    for seg, codes in coded.by_segment.items():
        present = {poles[c] for c in codes if c in poles}
        if "civil" in present:
            civil_segs.add(seg)
        if "state" in present:
            state_segs.add(seg)
        if len(present) == 2:
            agreeing = sum(
                1
                for own in coded.by_coder.get(seg, {}).values()
                if {poles[c] for c in own if c in poles} == {"civil", "state"}
            )
            per_passage[seg] = PassageClash(seg, passage_clash(cb, codes, poles), agreeing)

    def row(code: str | None, label: str, segs: set[str]) -> ClashRow:
        hits = [s for s in segs if s in per_passage]
        pairs: dict[tuple[str, str], int] = defaultdict(int)
        for s in hits:
            for pair in per_passage[s].pairs:
                pairs[pair] += 1
        ordered = dict(
            sorted(pairs.items(), key=lambda kv: (-kv[1], cb.order.index(kv[0][0]), cb.order.index(kv[0][1])))
        )
        return ClashRow(
            code,
            label,
            len(segs),
            len(segs & civil_segs),
            len(segs & state_segs),
            len(hits),
            len({case_of(s) for s in hits}),
            ordered,
        )

    out_rows = []
    rows_per_clash: dict[str, int] = defaultdict(int)
    for key in row_axis.keys:
        if row_axis.kind == "group":
            segs = coded.by_code.get(key, set())
        else:
            segs = {
                s
                for s in coded.by_segment
                if attribute_value(study.transcripts[case_of(s)].attributes.get(rows)) == key
            }
        for s in segs:
            if s in per_passage:
                rows_per_clash[s] += 1
        out_rows.append(row(key, row_axis.labels[key], set(segs)))
    total = row(None, "(all)", set(coded.by_segment))
    outside = sum(1 for s in per_passage if s not in rows_per_clash)
    several = sum(1 for n in rows_per_clash.values() if n > 1)
    return ClashTable(rows, motives, poles, out_rows, total, per_passage, outside, several)


def clash_strength(pc: PassageClash) -> tuple[int, int]:
    """How strong a clash is: distinct civil×state pairs on the passage, then coders who each saw one."""
    return (len(pc.pairs), pc.coders)
