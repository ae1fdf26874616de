"""`status`: per coder and transcript, passages decided of total, accepted vs rejected, codes used.

"Nothing applies" (`_none`) makes a passage decided; it is counted apart (`nothing`), never as an
accepted code or a code used.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from grondmotief.study.codings import NONE_CODE
from grondmotief.study.folder import Study


def status_rows(
    study: Study, coders: list[str] | None = None, transcripts: list[str] | None = None
) -> list[dict[str, Any]]:
    chosen = coders if coders is not None else study.coders()
    for tid in transcripts or []:
        study.transcript(tid, "--transcript")  # a clear error for an unknown id
    tids = sorted(transcripts) if transcripts else sorted(study.transcripts)
    coded: dict[str, set[str]] = defaultdict(set)
    for seg in study.coded_segments():
        coded[seg.transcript].add(seg.id)
    order = {cid: i for i, cid in enumerate(study.codebook.order)}
    rows: list[dict[str, Any]] = []
    for coder in chosen:
        if coders is not None:
            study.require_coder(coder, "--coder")
        per: dict[str, dict[str, Any]] = {
            t: {"segments": set(), "accepted": 0, "rejected": 0, "nothing": 0, "orphans": 0, "codes": set()}
            for t in tids
        }
        for a in study.decisions([coder]):
            tid = a.segment.split("¶")[0]
            if tid not in per:
                continue
            bucket = per[tid]
            if a.status == "orphan":
                bucket["orphans"] += 1
                continue
            if a.segment in coded[tid]:
                bucket["segments"].add(a.segment)
            if a.decision.code == NONE_CODE:
                bucket["nothing"] += 1
                continue
            bucket[a.decision.decision] += 1
            if a.decision.decision == "accepted":
                bucket["codes"].add(a.decision.code)
        total: dict[str, Any] = {
            "decided": 0,
            "total": 0,
            "accepted": 0,
            "rejected": 0,
            "nothing": 0,
            "orphans": 0,
            "codes": set(),
        }
        for tid in tids:
            b = per[tid]
            row = _row(coder, tid, len(b["segments"]), len(coded[tid]), b, order)
            rows.append(row)
            total["decided"] += row["decided"]
            total["total"] += row["total"]
            for k in ("accepted", "rejected", "nothing", "orphans"):
                total[k] += b[k]
            total["codes"] |= b["codes"]
        if len(tids) > 1:
            rows.append(_row(coder, "all", total["decided"], total["total"], total, order))
    return rows


def _row(coder: str, tid: str, decided: int, total: int, b: dict[str, Any], order: dict[str, int]) -> dict[str, Any]:
    return {
        "coder": coder,
        "transcript": tid,
        "decided": decided,
        "total": total,
        "percent": round(100 * decided / total) if total else 0,
        "accepted": b["accepted"],
        "rejected": b["rejected"],
        "nothing": b["nothing"],
        "orphans": b["orphans"],
        "codes": sorted(b["codes"], key=lambda c: (order.get(c, len(order)), c)),
    }
