"""The interactive reconciliation: one disputed passage at a time, single keys, every answer on disk at once."""

from __future__ import annotations

import os
import shutil
import sys
import textwrap

from grondmotief.cli.keys import read_key, read_line
from grondmotief.reconcile import Plan, Unit, record, settle
from grondmotief.study import Study

HELP = "y applies · n does not apply · 1-{n} take that coder's answer · m memo · s skip · u undo · q quit"


def _clear() -> None:
    if sys.stderr.isatty() and os.environ.get("TERM", "") not in ("", "dumb"):
        sys.stderr.write("\x1b[2J\x1b[H")


def _wrap(text: str, width: int, indent: str = "  ") -> str:
    return "\n".join(textwrap.fill(para, width, initial_indent=indent, subsequent_indent=indent) or indent
                     for para in text.split("\n"))


def _screen(study: Study, p: Plan, units: list[Unit], i: int, memo: str | None, message: str) -> str:
    unit = units[i]
    width = max(40, min(shutil.get_terminal_size((80, 24)).columns, 100) - 2)
    seg = study.segment(unit.segment)
    same = [k for k, u in enumerate(units) if u.segment == unit.segment]
    lines = [f"[{i + 1}/{len(units)}] {unit.segment}  ({seg.role or 'no role'})", ""]
    before = study.transcript(seg.transcript).previous_turn(seg)
    if before is not None:
        context = before.text if len(before.text) <= 240 else before.text[:237] + "..."
        lines += [_wrap(f"{before.label or ''}: {context}".lstrip(": "), width, "  | "), ""]
    lines += [_wrap(f"{seg.label or ''}: {seg.text}".lstrip(": "), width), ""]
    cb = study.codebook
    for k in same:
        u = units[k]
        mark = ">" if k == i else " "
        lines.append(f"{mark} {u.code}: {cb.codes[u.code].label}" + ("" if k == i else "  (other code on this passage)"))
    lines.append("")
    for n, coder in enumerate(p.coders, start=1):
        value = unit.values[coder]
        words = "not coded" if value is None else ("applies" if value == 1 else "does not apply")
        d = unit.explicit.get(coder)
        if d is not None and d.decision == "rejected":
            words += " (rejected)"
        lines.append(f"  {n}. {coder}: {words}")
        if d is not None and d.memo:
            lines.append(_wrap(f"memo: {d.memo}", width, "       "))
    if memo:
        lines.append(_wrap(f"your memo: {memo}", width, "  "))
    lines += ["", HELP.format(n=len(p.coders))]
    if message:
        lines.append(message)
    return "\n".join(lines) + "\n"


def run(study: Study, p: Plan) -> tuple[int, int, int]:
    """Walk the disputed units. Returns (recorded, skipped, left)."""
    units = p.disputed
    store = study.store(p.into)
    history: list[tuple[int, tuple[str, str]]] = []
    skipped: set[int] = set()
    memos: dict[int, str] = {}
    i = 0
    message = ""
    while i < len(units):
        _clear()
        sys.stderr.write(_screen(study, p, units, i, memos.get(i), message))
        sys.stderr.flush()
        message = ""
        key = read_key()
        unit = units[i]
        applies: bool | None = None
        if key in ("", "q", "Q"):
            break
        if key in ("y", "Y"):
            applies = True
        elif key in ("n", "N"):
            applies = False
        elif key.isdigit() and 1 <= int(key) <= len(p.coders):
            value = unit.values[p.coders[int(key) - 1]]
            if value is None:
                message = f"{p.coders[int(key) - 1]} did not code this passage; choose another answer"
                continue
            applies = value == 1
        elif key in ("m", "M"):
            memos[i] = read_line("memo (Enter keeps it; empty clears): ").strip()
            continue
        elif key in ("s", "S"):
            skipped.add(i)
            i += 1
            continue
        elif key in ("u", "U"):
            if not history:
                message = "nothing to undo"
                continue
            i, key_done = history.pop()
            store.remove([key_done])
            message = f"undone: {key_done[0]} / {key_done[1]}"
            continue
        else:
            message = f"unknown key; {HELP.format(n=len(p.coders))}"
            continue
        decision = settle(study, unit, applies, p.into, memo=memos.get(i))
        record(study, p.into, [decision])
        skipped.discard(i)
        history.append((i, decision.key))
        i += 1
    left = len(units) - len(history) - len(skipped)
    return len(history), len(skipped), left
