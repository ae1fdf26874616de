"""Rows describing the code tree, with counts when there are codings."""

from __future__ import annotations

from typing import Any

from grondmotief.study.folder import Study


def codebook_rows(study: Study, *, with_counts: bool = True) -> list[dict[str, Any]]:
    cb = study.codebook
    counts: dict[str, tuple[int, int]] = {}
    if with_counts and study.coders():
        from grondmotief.analysis.tallies import tally

        counts = {r.code: (r.passages, r.cases) for r in tally(study, study.report_coders())}
    rows = []
    for cid in cb.order:
        c = cb.codes[cid]
        row: dict[str, Any] = {
            "group": c.group,
            "id": cid,
            "parent": c.parent,
            "depth": c.depth,
            "label": c.label,
            "keywords": len(c.spec.keywords),
            "sphere": c.sphere,
            "definition": c.spec.definition,
        }
        if with_counts:
            row["passages"], row["cases"] = counts.get(cid, (0, 0))
        rows.append(row)
    return rows
