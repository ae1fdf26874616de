"""What a REFI-QDA import brought in and what it left out, as lines for stderr.

Printed after every import, also when nothing came in (a blank project), so a user can see at
once whether the project arrived whole: sources, codes, codings per coder, memos, variables,
every item not imported with its count, and what the personal-data screen makes of the text.
No interview text and no speaker names appear here; coder names do (they name codings/ files).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grondmotief.interop.refi_import import ImportPlan
    from grondmotief.interop.refi_read import RProject
    from grondmotief.study.folder import Study


def summary(study: Study, project: RProject, plan: ImportPlan, label: str) -> list[str]:
    out = [f"{label}: summary ({project.origin or 'unknown tool'})"]
    if project.kind == "project":
        new = sum(1 for nt in plan.transcripts if nt.write)
        same = len(plan.transcripts) - new
        skipped = len(project.sources) - len(plan.transcripts)
        line = f"  sources: {len(project.sources)} in the project, {new} imported as transcripts"
        if same:
            line += f", {same} already in the study"
        if skipped:
            line += f", {skipped} not imported (see above)"
        out.append(line)
    total_codes = _count_codes(project.codes)
    out.append(
        f"  codes: {total_codes} in the project ({plan.codes.new_codes} new, {plan.codes.matched} already in the codebook)"
    )
    if project.kind == "project":
        codings = sum(len(sel.codings) for src in project.sources for sel in src.selections)
        per_coder = {c: len(items) for c, items in sorted(plan.decisions.items()) if items}
        shown = ", ".join(f"{c} {n}" for c, n in per_coder.items()) or "none"
        out.append(f"  codings: {codings} in the project → {sum(per_coder.values())} decision(s); per coder: {shown}")
        idle = plan.users_without_codings
        if idle:
            out.append(f"  users without codings: {idle} (no coder file is made for them)")
        if plan.cross_coded:
            out.append(
                f"  selections made by one user and coded by another: {plan.cross_coded} "
                "(the decision goes to the user who coded)"
            )
        memos = sum(1 for items in plan.decisions.values() for d in items.values() if d.memo)
        notes = sum(1 for nt in plan.transcripts if nt.transcript.meta.notes)
        out.append(f"  memos: {memos} on decisions, {notes} on transcripts ({len(project.notes)} notes in the project)")
        keys = sorted({k for nt in plan.transcripts for k in nt.transcript.attributes})
        out.append(f"  variables: {len(keys)}" + (f" ({', '.join(keys)})" if keys else ""))
    dropped = Counter(project.dropped)
    for what, n in plan.counts.items():
        if n and "not imported" in what:
            dropped[what] += n
    if dropped:
        kinds = [(w.replace(" (not imported)", "").replace(" not imported", ""), n) for w, n in dropped.items()]
        out.append("  not imported: " + "; ".join(f"{w}: {n}" for w, n in sorted(kinds)))
    else:
        out.append("  not imported: nothing")
    return out


def _count_codes(codes: list) -> int:
    return sum(1 + _count_codes(c.children) for c in codes)


def privacy_lines(study: Study, plan: ImportPlan) -> list[str]:
    """How many imported passages the personal-data screen flags, and what that means next."""
    from grondmotief.privacy.detector import kinds, scan_text

    privacy = study.settings.privacy
    flagged = 0
    passages = 0
    found_kinds: Counter[str] = Counter()
    for nt in plan.transcripts:
        for seg in nt.transcript.segments:
            passages += 1
            found = scan_text(seg.text, privacy)
            if found:
                flagged += 1
                for k in kinds(found).split(", "):
                    found_kinds[k] += 1
    if not passages:
        return []
    if not flagged:
        return [f"  personal-data screen: none of the {passages} imported passages is flagged"]
    shown = ", ".join(f"{k} {n}" for k, n in sorted(found_kinds.items()))
    return [
        f"  personal-data screen: {flagged} of {passages} imported passages flagged ({shown}). So: "
        "`grondmotief check` lists each one and exits 1 until they are anonymised or the false positives "
        "are listed under privacy.allowed_names (`check --no-pii` skips the scan); `quote`, `report` and "
        "CSV/JSON `export` withhold flagged passages (--allow-flagged keeps them); `export --format qdpx` "
        "carries whole transcripts, flagged passages included"
    ]
