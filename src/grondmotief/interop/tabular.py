"""Decisions as a table for spreadsheets and R: one row per coding, with the quote and case attributes.

"Nothing applies" (code `_none`) is a decision too and gets a row of its own, marked so it cannot
pass for a code: label `(nothing applies)`, empty group and quote. `accepted_only` (codings
proper) leaves those rows out.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from grondmotief.study.codings import NONE_CODE
from grondmotief.study.folder import Study

ELISION = " (…) "  # as quotes.ELISION; not imported from there, which pulls in more than an export needs

FIXED = (
    "citation",
    "transcript",
    "paragraph",
    "code",
    "label",
    "group",
    "coder",
    "decision",
    "source",
    "score",
    "span_start",
    "span_end",
    "spans",
    "at",
    "memo",
    "quote",
)
# A cell starting with one of these is a formula to Excel and LibreOffice; --excel defuses it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NOTHING_LABEL = "(nothing applies)"


def decision_rows(
    study: Study, coders: list[str] | None = None, *, accepted_only: bool = False
) -> tuple[list[dict[str, Any]], list[str]]:
    """(rows, attribute column names). Orphaned decisions are left out (`check` reports them)."""
    cb = study.codebook
    transcripts = study.transcripts
    attr_keys = sorted({k for t in transcripts.values() for k in t.attributes})
    attr_cols = [k if k not in FIXED else f"attr_{k}" for k in attr_keys]
    rows = []
    anchored = [a for a in study.decisions(coders) if a.status != "orphan"]
    order = {cid: i for i, cid in enumerate(cb.order)}
    anchored.sort(
        key=lambda a: (*_seg_key(a.segment), order.get(a.decision.code, len(order)), a.decision.code, a.decision.coder)
    )
    for a in anchored:
        d = a.decision
        nothing = d.code == NONE_CODE
        if accepted_only and (d.decision != "accepted" or nothing):
            continue
        seg = study.segment(a.segment)
        code = cb.codes.get(d.code)
        pieces = [(0, 0)] if nothing else d.ranges or [(0, len(seg.text))]
        row: dict[str, Any] = {
            "citation": seg.id,
            "transcript": seg.transcript,
            "paragraph": seg.n,
            "code": d.code,
            "label": code.label if code else NOTHING_LABEL if nothing else "",
            "group": code.group if code else "",
            "coder": d.coder,
            "decision": d.decision,
            "source": d.source,
            "score": d.score,
            "span_start": d.span[0] if d.span else None,
            "span_end": d.span[1] if d.span else None,
            # Several separate pieces of one passage: "start-end;start-end" (span_* is then their extent).
            "spans": ";".join(f"{a}-{b}" for a, b in d.spans) if d.spans else None,
            "at": d.at,
            "memo": d.memo,
            "quote": ELISION.join(seg.text[a:b] for a, b in pieces),
        }
        attrs = transcripts[seg.transcript].attributes
        for key, col in zip(attr_keys, attr_cols, strict=True):
            row[col] = attrs.get(key)
        rows.append(row)
    return rows, attr_cols


def withhold_flagged(study: Study, rows: list[dict[str, Any]]) -> list[Any]:
    """Empty the `quote` of rows whose text the personal-data scan flags, as `quote` and `report` do.

    Returns one quotes.Withheld (citation id and kinds of data, never the text) per passage, in row
    order; the caller warns. `export --allow-flagged` skips this.
    """
    from grondmotief.privacy.cache import ScanCache
    from grondmotief.privacy.detector import kinds
    from grondmotief.report.quotes import Withheld

    cache = ScanCache(study.settings.privacy, study.cache_dir)
    found: dict[str, list[Any]] = {}  # quote text → findings (a passage's text repeats over its rows)
    flagged: dict[str, list[Any]] = {}
    for r in rows:
        text = r.get("quote") or ""
        if not text:
            continue
        if text not in found:
            found[text] = cache.scan(text)
        if found[text]:
            r["quote"] = ""
            flagged.setdefault(r["citation"], []).extend(found[text])
    cache.save()
    return [Withheld(cid, kinds(f)) for cid, f in flagged.items()]


def _seg_key(ref: str) -> tuple[str, int]:
    from grondmotief.study.transcripts import parse_segment_ref

    return parse_segment_ref(ref)


def _defuse(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(rows: list[dict[str, Any]], attr_cols: list[str], *, excel: bool = False) -> str:
    """RFC 4180 CSV. Text is always quoted, so commas, semicolons (the Dutch Excel separator) and
    newlines inside quotes stay in their cell; numbers are bare. --excel adds a BOM so Excel
    reads UTF-8, uses CRLF, and defuses cells that would start a formula."""
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n" if excel else "\n")
    cols = [*FIXED, *attr_cols]
    writer.writerow(cols)
    for r in rows:
        cells = []
        for c in cols:
            v = r.get(c)
            if v is None:
                v = ""
            elif isinstance(v, bool):
                v = "true" if v else "false"
            elif excel:
                v = _defuse(v)
            cells.append(v)
        writer.writerow(cells)
    return ("\ufeff" if excel else "") + buf.getvalue()


def to_json(rows: list[dict[str, Any]], attr_cols: list[str]) -> str:
    """A list of objects; case attributes nested under `attributes` with their original names."""
    out = []
    for r in rows:
        item = {k: r[k] for k in FIXED}
        item["attributes"] = {(c[5:] if c.startswith("attr_") and c[5:] in FIXED else c): r[c] for c in attr_cols}
        out.append(item)
    return json.dumps(out, ensure_ascii=False, indent=2) + "\n"
