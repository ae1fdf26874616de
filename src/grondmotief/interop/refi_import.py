"""REFI-QDA import: a project (.qdpx, or a bare .qde) or codebook (.qdc) into the study.

Everything is read and checked first; only then are files written (codebook, transcripts,
codings), each atomically and only inside the study. What could not be imported, and what was
repaired, comes back as notes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath

from grondmotief.core.errors import GrondmotiefError, ImportFailed, Problem
from grondmotief.core.fileio import atomic_write_text
from grondmotief.interop.refi_codes import CodePlan, plan_codes
from grondmotief.interop.refi_common import slugify, unique
from grondmotief.interop.refi_read import RProject, RSelection, RSource, read_refi
from grondmotief.interop.refi_text import (
    MAX_PARAGRAPH,
    OffsetModel,
    Paragraph,
    choose_model,
    collapse,
    layout,
    normalise,
    offset_models,
)
from grondmotief.study.codebook import CodebookFile
from grondmotief.study.codings import CODER_NAME, NONE_CODE, Decision, now_iso
from grondmotief.study.folder import Study
from grondmotief.study.transcripts import (
    CONTROL,
    TRANSCRIPT_ID,
    FrontMatter,
    Segment,
    Transcript,
    parse_transcript,
    render_transcript,
)

SOURCE = "import:qdpx"
KNOWN_EXTENSIONS = (".txt", ".docx", ".doc", ".rtf", ".pdf", ".odt", ".md")


@dataclass
class NewTranscript:
    id: str
    text: str  # the Markdown file
    transcript: Transcript
    write: bool  # False: the study already has exactly this transcript
    paragraphs: list[tuple[Paragraph, int, Sequence[int]]]  # per segment: paragraph, text start, collapse map
    model: OffsetModel


@dataclass
class ImportPlan:
    codes: CodePlan
    transcripts: list[NewTranscript] = field(default_factory=list)
    decisions: dict[str, dict[tuple[str, str], Decision]] = field(default_factory=dict)  # coder → key → decision
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    users_without_codings: int = 0
    cross_coded: int = 0  # selections made by one user, coded by another


def import_refi(study: Study, path: Path, *, force: bool = False) -> list[str]:
    """Import a .qdpx/.qde/.qdc into the study; returns notes on what was imported, dropped or repaired."""
    from grondmotief.interop.refi_summary import privacy_lines, summary

    label = path.name
    project = read_refi(path, label)
    plan = make_plan(study, project, label, force=force)
    write_plan(study, plan)
    return [*plan.notes, *summary(study, project, plan, label), *privacy_lines(study, plan)]


# --------------------------------------------------------------------------- planning
def make_plan(study: Study, project: RProject, label: str, *, force: bool = False) -> ImportPlan:
    existing_cb = _existing_codebook(study)
    name = project.name or slugify(Path(label).stem, fallback="imported")
    codes = plan_codes(project, existing_cb, name)
    plan = ImportPlan(codes)
    notes = plan.notes
    notes += [f"{label}: {r}" for r in project.repairs]
    if codes.model is not None:
        where = study.rel(study.codebook_path)
        if existing_cb is None:
            notes.append(f"{label}: {codes.new_codes} code(s) → new codebook {where}")
        else:
            notes.append(
                f"{label}: {codes.new_codes} new code(s) merged into the active codebook {where} "
                f"({codes.matched} matched existing codes; the file is rewritten, YAML comments are not kept, "
                "a copy of the old file is in .grondmotief/backups/)"
            )
    elif project.codes:
        notes.append(f"{label}: all {codes.matched} code(s) already in the codebook; codebook unchanged")
    notes += [f"{label}: {n}" for n in codes.notes]
    if project.kind == "project":
        _plan_sources(study, project, plan, label, force)
    for what, n in sorted(project.dropped.items()):
        notes.append(f"{label}: not imported: {n} {what}")
    for what, n in sorted(plan.counts.items()):
        if n:
            notes.append(f"{label}: {what}: {n}")
    return plan


def _existing_codebook(study: Study) -> CodebookFile | None:
    if not study.codebook_path.exists():
        return None
    cb, problems = study.lint_codebook()
    errors = [p for p in problems if p.severity == "error"]
    if cb is None or errors:
        raise ImportFailed(
            f"the active codebook {study.rel(study.codebook_path)} has problems; fix them "
            "(`grondmotief codebook lint`) before importing into it",
            errors,
        )
    return cb.data


def _coder_names(project: RProject) -> dict[str, str]:
    """User GUID → a valid coder name (kept when already valid, else slugified; unique)."""
    taken: set[str] = set()
    out = {}
    for gid, name in sorted(project.users.items(), key=lambda kv: kv[1]):
        base = name if CODER_NAME.fullmatch(name) else slugify(name, fallback="imported", max_len=64)
        out[gid] = unique(base, taken)
    return out


def _when(*candidates: str) -> str:
    for value in candidates:
        if not value:
            continue
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return now_iso()


def _transcript_id(src: RSource, ours: bool, taken: set[str]) -> str:
    name = src.name
    if not ours:
        for ext in KNOWN_EXTENSIONS:
            if name.lower().endswith(ext):
                name = name[: -len(ext)]
                break
    base = name if TRANSCRIPT_ID.fullmatch(name) else slugify(name, fallback="source", max_len=60)
    return unique(base, taken)


def _plan_sources(study: Study, project: RProject, plan: ImportPlan, label: str, force: bool) -> None:
    ours = project.origin.startswith("grondmotief")
    coders = _coder_names(project)
    coding_users = set()
    for src in project.sources:
        for sel in src.selections:
            for c in sel.codings:
                coding_users.add(c.user or sel.user)
                if c.user and sel.user and c.user != sel.user:
                    plan.cross_coded += 1
    plan.users_without_codings = sum(1 for u in project.users if u not in coding_users)
    present, _ = study.load_transcripts()
    existing = {t.id: t for t in present}
    taken: set[str] = set()
    cases_for: dict[str, list] = defaultdict(list)
    for case in project.cases:
        for sid in case.sources:
            cases_for[sid].append(case)
        plan.counts["case-level codings not imported (no passage to put them on)"] += case.code_refs
    conflicts = []
    for src in project.sources:
        if src.text is None or not src.text.strip():
            why = src.missing or "it has no text"
            plan.notes.append(f"{label}: source '{src.name}' not imported: {why}")
            plan.counts["selections on sources that were not imported"] += len(src.selections)
            continue
        tid = _transcript_id(src, ours, taken)
        new = _plan_transcript(src, tid, project, cases_for.get(src.guid, []), ours, label, plan)
        if new is None:
            continue
        old = existing.get(tid)
        if old is not None or (study.interviews_dir / f"{tid}.md").exists():
            same = old is not None and [s.sha for s in old.segments] == [s.sha for s in new.transcript.segments]
            if same:
                new.write = False
                plan.notes.append(f"{label}: {tid} is already in the study with the same text; its decisions are added")
            elif not force:
                conflicts.append(tid)
                continue
            else:
                plan.notes.append(f"{label}: interviews/{tid}.md replaced (--force)")
        plan.transcripts.append(new)
        _plan_decisions(src, new, project, coders, plan)
    used = {n for src in project.sources for n in src.notes}
    used |= {
        n
        for src in project.sources
        for sel in src.selections
        for n in [*sel.notes, *(x for c in sel.codings for x in c.notes)]
    }
    linked = {sel.guid for src in project.sources for sel in src.selections}
    note_links = [(o, t) for o, t in project.links if o in project.notes and t in linked]
    used |= {o for o, _ in note_links}
    plan.counts["notes not attached to an imported coding or source (not imported)"] += len(set(project.notes) - used)
    plan.counts["links between items (not imported)"] += len(project.links) - len(note_links)
    if conflicts:
        raise ImportFailed(
            f"{label}: the study already has different transcripts with these ids: {', '.join(conflicts)}; "
            "pass --force to replace them (their decisions may become orphans)"
        )
    _drop_existing(study, plan, force)


def _plan_transcript(
    src: RSource, tid: str, project: RProject, cases: list, ours: bool, label: str, plan: ImportPlan
) -> NewTranscript | None:
    raw = src.text or ""
    sels = [(s.start, s.end) for s in src.selections]
    if ours:  # our own export: code points, as the standard says; nothing to guess
        model, fit, checked = offset_models(raw, src.had_bom)[0], 0, 0
    else:
        model, fit, checked = choose_model(raw, src.had_bom, sels, project.origin)
    if not model.name.startswith("code points (REFI") and checked:
        plan.notes.append(
            f"{label}: {src.name}: offsets read as {model.name} ({fit} of {checked} selection ends fall between words)"
        )
    norm = normalise(raw)
    lay = layout(norm, src.description)
    mapping, roles = lay.labels, lay.roles
    plan.notes += [f"{label}: " + n.replace("{source}", tid) for n in lay.notes]
    if not mapping:
        roles = {"R": "respondent"}
    turns: list[tuple[str, str]] = []
    kept = []
    removed_labels = controls = 0
    for p in lay.paragraphs:
        lbl = mapping.get(p.speaker or "") if mapping else "R"
        start = p.text_start if lbl else p.start
        text, cmap = collapse(norm[start : p.end])
        if not text:
            plan.counts["empty paragraphs skipped"] += 1
            continue
        removed_labels += _visible(norm[p.start : start])
        controls += len(CONTROL.findall(text))
        turns.append((lbl or "", text))
        kept.append((p, start, cmap))
    if not turns:
        plan.notes.append(f"{label}: source '{src.name}' not imported: no paragraphs")
        return None
    what = lay.choice.note({n: mapping.get(n, "?") for n in lay.choice.taken})
    if not mapping:
        what = "no speaker turns found; every paragraph is labelled R (respondent)" + (f"; {what}" if what else "")
    plan.notes.append(f"{label}: {tid}: {len(turns)} paragraph(s); {what}")
    if lay.split_long:
        plan.notes.append(
            f"{label}: {tid}: {lay.split_long} paragraph(s) longer than {MAX_PARAGRAPH} characters were split "
            "at their line breaks (or sentence ends)"
        )
    if controls:
        plan.notes.append(f"{label}: {tid}: {controls} control character(s) replaced by spaces")
    lost = _visible(norm) - removed_labels - sum(_visible(t) for _, t in turns)
    if lost:  # every visible character is either in a paragraph or a speaker label we said we took
        plan.notes.append(f"{label}: {tid}: {lost} character(s) of the source text are not in the transcript")
    attrs: dict[str, object] = {}
    title = "" if ours else src.name
    for case in cases:
        attrs.update(case.variables)
        if case.description and ours:
            title = case.description
    attrs.update(src.variables)
    interviewed = None
    if isinstance(attrs.get("interviewed"), str):
        try:
            interviewed = date.fromisoformat(str(attrs["interviewed"])[:10])
            del attrs["interviewed"]
        except ValueError:
            pass
    memo = "\n\n".join(project.notes[n].strip() for n in src.notes if project.notes.get(n, "").strip())
    try:
        meta = FrontMatter(id=tid, title=title, attributes=attrs, interviewed=interviewed, speakers=roles, notes=memo)  # type: ignore[arg-type]
    except ValueError:
        meta = FrontMatter(id=tid, title=title, speakers=roles, notes=memo)
        plan.notes.append(f"{label}: {tid}: some case variables were not simple values and were left out")
    md = render_transcript(meta, turns)
    transcript, problems = parse_transcript(md, Path(f"{tid}.md"), f"interviews/{tid}.md")
    errors = [p for p in problems if p.severity == "error"]
    if transcript is None or errors or len(transcript.segments) != len(turns):
        raise ImportFailed(
            f"{label}: source '{src.name}' would not make a valid transcript",
            errors or [Problem(f"interviews/{tid}.md", None, "paragraphs did not come out as imported")],
        )
    if lay.mode == "blocks" and any("\n" in norm[p.start : p.end] for p in lay.paragraphs):
        plan.notes.append(f"{label}: {tid}: hard-wrapped text; lines between blank lines were joined into paragraphs")
    return NewTranscript(tid, md, transcript, True, kept, model)


def _plan_decisions(
    src: RSource, nt: NewTranscript, project: RProject, coders: dict[str, str], plan: ImportPlan
) -> None:
    link_notes = defaultdict(list)
    for origin, target in project.links:
        if origin in project.notes:
            link_notes[target].append(origin)
    for sel in src.selections:
        if not sel.codings:
            plan.counts[
                "selections with a comment but no code (not imported)"
                if sel.description
                else "selections without codes (not imported)"
            ] += 1
            continue
        spans = _place(sel, nt, plan)
        if not spans:
            plan.counts["selections that cover no paragraph text (not imported)"] += 1
            continue
        for coding in sel.codings:
            cid = plan.codes.ids.get(coding.code)
            if cid is None:
                plan.counts["codings of unknown codes (not imported)"] += 1
                continue
            coder = coders.get(coding.user) or coders.get(sel.user) or "imported"
            memo_ids = [*coding.notes, *sel.notes, *link_notes.get(sel.guid, [])]
            memos = [project.notes[n].strip() for n in dict.fromkeys(memo_ids) if project.notes.get(n, "").strip()]
            if sel.description:
                memos.append(sel.description)
            at = _when(coding.at, sel.at, project.created)
            for seg, span in spans:
                d = Decision(
                    segment=seg.id,
                    code=cid,
                    decision="accepted",
                    span=span,
                    source=SOURCE,
                    score=None,
                    coder=coder,
                    at=at,
                    memo="\n\n".join(memos),
                    text_sha=seg.sha,
                )
                _merge(plan, d)
    plan.counts["whole-source codings (not imported)"] += src.whole_codings


def _place(sel: RSelection, nt: NewTranscript, plan: ImportPlan) -> list[tuple[Segment, tuple[int, int] | None]]:
    """The (segment, span) pieces of a selection: one per paragraph it touches, clipped to the text."""
    kept, t = nt.paragraphs, nt.transcript
    s, e = nt.model.convert(sel.start), nt.model.convert(sel.end)
    limit = kept[-1][0].end if kept else 0
    if s is None or e is None:
        plan.counts["selection positions outside the text (clamped)"] += 1
        s = min(max(s if s is not None else (0 if sel.start < 0 else limit), 0), limit)
        e = min(max(e if e is not None else (0 if sel.end < 0 else limit), 0), limit)
    if e < s:
        s, e = e, s
        plan.counts["selections with start after end (swapped)"] += 1
    out: list[tuple[Segment, tuple[int, int] | None]] = []
    if s == e:
        plan.counts["zero-length selections (coded as the whole paragraph)"] += 1
        for (p, _, _), seg in zip(kept, t.segments, strict=True):
            if p.start <= s <= p.end:
                return [(seg, None)]
        return []
    for (p, start, cmap), seg in zip(kept, t.segments, strict=True):
        lo, hi = max(s, start), min(e, p.end)
        if lo >= hi:
            continue
        a, b = cmap[lo - start], cmap[hi - start]
        if a >= b:
            continue
        out.append((seg, None if (a == 0 and b >= len(seg.text)) else (a, min(b, len(seg.text)))))
    if len(out) > 1:
        plan.counts["selections split over several paragraphs"] += 1
    return out


def _visible(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace())


def _merge(plan: ImportPlan, d: Decision) -> None:
    """Several selections of one code in one paragraph: one decision carrying each as a piece.

    Only the selected text is coded: the stretch between two selections is not (it once was, as
    one span from the first start to the last end, which made quotes and counts include it).
    """
    slot = plan.decisions.setdefault(d.coder, {})
    old = slot.get(d.key)
    if old is None:
        slot[d.key] = d
        return
    a, b = old.ranges, d.ranges
    memo = old.memo if d.memo in old.memo else (f"{old.memo}\n\n{d.memo}" if old.memo else d.memo)
    merged = old.with_ranges(None if a is None or b is None else [*a, *b])
    slot[d.key] = merged.model_copy(update={"memo": memo, "at": min(old.at, d.at)})
    plan.counts["selections of one code in one paragraph (kept as separate pieces of one decision)"] += 1


def _drop_existing(study: Study, plan: ImportPlan, force: bool) -> None:
    """A coder's existing decision on the same passage and code is kept, unless --force."""
    total = 0
    for coder, items in plan.decisions.items():
        if force or not (study.codings_dir / f"{coder}.jsonl").exists():
            continue
        have = {d.key for d in study.read_codings(coder).decisions}
        for key in [k for k in items if k in have]:
            del items[key]
            total += 1
    if total:
        plan.notes.append(
            f"{total} decision(s) already recorded for the same passage and code were kept (--force replaces them)"
        )


# --------------------------------------------------------------------------- writing
def write_plan(study: Study, plan: ImportPlan) -> None:
    if plan.codes.model is not None:
        _write_codebook(study, plan.codes)
    elif not study.codebook_path.exists():
        plan.notes.append(
            f"the project has no codes, so no codebook was written: `check` needs "
            f"{study.rel(study.codebook_path)} (write it, or import a .qdc) before it can pass"
        )
    for nt in plan.transcripts:
        if nt.write:
            target = study.interviews_dir / f"{nt.id}.md"
            _inside(study, target)
            atomic_write_text(target, nt.text)
    imported = 0
    for coder, items in sorted(plan.decisions.items()):
        if items:
            _inside(study, study.codings_dir / f"{coder}.jsonl")
            store = study.store(coder)
            store.record(items.values())
            imported += len(items)
            # A code accepted on a passage the coder had marked "nothing applies" replaces that mark.
            coded = {d.segment for d in items.values() if d.decision == "accepted" and d.code != NONE_CODE}
            stale = [d.key for d in store.read().decisions if d.code == NONE_CODE and d.segment in coded]
            if stale:
                store.remove(stale)
                plan.notes.append(f"{coder}: {len(stale)} 'nothing applies' decision(s) replaced by imported codes")
    if plan.transcripts or imported:
        written = sum(1 for nt in plan.transcripts if nt.write)
        plan.notes.append(
            f"imported {written} transcript(s) and {imported} decision(s) by "
            f"{len([c for c, i in plan.decisions.items() if i])} coder(s) (source: {SOURCE})"
        )


def _write_codebook(study: Study, codes: CodePlan) -> None:
    from grondmotief.study.codebook import lint_codebook

    target = study.codebook_path
    _inside(study, target)
    text = codes.yaml()
    check = study.cache_dir / "import-check.yaml"
    atomic_write_text(check, text)
    try:
        _, problems = lint_codebook(check, study.rel(target))
    finally:
        check.unlink(missing_ok=True)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ImportFailed("the imported codes would not make a valid codebook; nothing was written", errors)
    if target.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        atomic_write_text(
            study.cache_dir / "backups" / f"{target.stem}-{stamp}{target.suffix}", target.read_text(encoding="utf-8")
        )
    atomic_write_text(target, text)


def _inside(study: Study, path: Path) -> None:
    root = study.root.resolve()
    try:
        path.resolve().relative_to(root)
    except ValueError:
        raise GrondmotiefError(f"refused to write {path}: outside the study") from None
    if ".." in PurePosixPath(path.as_posix()).parts:
        raise GrondmotiefError(f"refused to write {path}: outside the study")
