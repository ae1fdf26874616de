"""`grondmotief check`: validate everything in a study and list every problem with file:line."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from grondmotief.core.errors import GrondmotiefError, Problem
from grondmotief.core.fileio import atomic_write_text
from grondmotief.study.codings import anchor, render_codings
from grondmotief.study.folder import Study

if TYPE_CHECKING:
    from grondmotief.study.transcripts import Transcript


@dataclass
class CheckReport:
    problems: list[Problem] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]


def run_check(study: Study, *, fix: bool = False, accept_edits: bool = False, pii: bool = True) -> CheckReport:
    report = CheckReport()
    report.problems.extend(study.settings_problems)

    try:
        codebook, cb_problems = study.lint_codebook()
    except GrondmotiefError as exc:
        codebook, cb_problems = None, exc.problems or [Problem("codebooks/", None, exc.message)]
    report.problems.extend(cb_problems)
    # A broken codebook or transcript would make every decision on it look wrong too: report
    # the root cause once and hold back the dependent errors rather than bury it under them.
    codebook_ok = codebook is not None and not any(p.severity == "error" for p in cb_problems)
    known_codes = set(codebook.codes) | {"_none"} if codebook is not None and codebook_ok else None

    transcripts_list, t_problems = study.load_transcripts()
    report.problems.extend(t_problems)
    transcripts = {t.id: t for t in transcripts_list}
    unreadable = {Path(p.file).stem for p in t_problems if p.severity == "error"} - set(transcripts)
    for t in transcripts_list:
        if t.meta.example and len(transcripts_list) > 1:
            report.problems.append(
                Problem(
                    study.rel(t.path),
                    2,
                    "the example transcript from `grondmotief init` still counts in every tally; delete it now that you have your own",
                    "warning",
                )
            )
    report.counts["transcripts"] = len(transcripts)
    report.counts["segments"] = sum(len(t.segments) for t in transcripts_list)
    if not study.interviews_dir.is_dir():
        report.problems.append(
            Problem("interviews/", None, "no interviews/ folder: add transcripts with `grondmotief import`", "warning")
        )

    decisions = 0
    for coder in study.coders():
        store = study.store(coder)
        if fix:
            report.fixed.extend(store.repair())
        result = store.read()
        report.problems.extend(result.problems)
        if not result.decisions and not result.problems and store.path.exists():
            from grondmotief.core.fileio import emptiness

            if why := emptiness(store.path.read_bytes()):
                report.problems.append(Problem(store.label, None, f"{why}: no decisions by {coder} yet", "warning"))
        aside = store.path.with_name(store.path.name + ".rejected")
        if aside.exists():
            n = sum(1 for line in aside.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip())
            report.problems.append(
                Problem(
                    study.rel(aside),
                    None,
                    f"{n} line(s) set aside by an earlier `check --fix`; re-enter what is still needed, then delete the file",
                    "warning",
                )
            )
        decisions += len(result.decisions)
        label = store.label
        if known_codes is not None:
            for d in result.decisions:
                if d.code not in known_codes:
                    report.problems.append(
                        Problem(
                            label,
                            result.lines.get(d.key),
                            f"unknown code '{d.code}' (not in the codebook); rename it in the codebook or the codings",
                        )
                    )
        held_back: dict[str, int] = {}
        checkable = []
        for d in result.decisions:
            tid = d.segment.split("¶")[0]
            if tid in unreadable:
                held_back[tid] = held_back.get(tid, 0) + 1
            else:
                checkable.append(d)
        for tid, n in sorted(held_back.items()):
            report.problems.append(
                Problem(
                    label,
                    None,
                    f"{n} decision(s) on {tid} not checked: interviews/{tid}.md has errors (above)",
                    "warning",
                )
            )
        if known_codes is None and result.decisions and codebook is not None:
            report.problems.append(
                Problem(
                    label, None, "codes not checked against the codebook until its errors (above) are fixed", "warning"
                )
            )
        anchored = anchor(checkable, transcripts)
        rewritten = [d for d in result.decisions if d.segment.split("¶")[0] in unreadable]
        changed = False
        for a in anchored:
            d = a.decision
            line = result.lines.get(d.key)
            if a.status == "moved":
                if fix:
                    d = d.model_copy(update={"segment": a.new_segment})
                    changed = True
                    report.fixed.append(
                        f"{label}:{line}: re-anchored {a.decision.segment} → {a.new_segment} ({d.code})"
                    )
                else:
                    report.problems.append(
                        Problem(
                            label,
                            line,
                            f"{d.segment} ({d.code}): the passage moved to {a.new_segment}; "
                            "`grondmotief check --fix` rewrites the id",
                            "warning",
                        )
                    )
            elif a.status == "orphan":
                seg = _current_segment(transcripts, d.segment)
                if accept_edits and seg is not None:
                    update: dict[str, object] = {"text_sha": seg.sha}
                    if d.span is not None and d.span[1] > len(seg.text):
                        update["span"], update["spans"] = None, None
                    d = d.model_copy(update=update)
                    changed = True
                    report.fixed.append(f"{label}:{line}: accepted the edited text of {d.segment} for {d.code}")
                else:
                    hint = (
                        (
                            "if the paragraph was only edited, `grondmotief check --fix --accept-edits` keeps the decision on it; "
                            "otherwise correct the segment id by hand"
                        )
                        if seg is not None
                        else "restore the transcript text, or correct the segment id by hand"
                    )
                    report.problems.append(
                        Problem(label, line, f"orphaned decision {d.segment} / {d.code}: {a.reason}; {hint}")
                    )
            elif d.span is not None:
                seg = _current_segment(transcripts, d.segment)
                if seg is not None and d.span[1] > len(seg.text):
                    report.problems.append(
                        Problem(
                            label,
                            line,
                            f"{d.segment} ({d.code}): span {list(d.span)} runs past the passage ({len(seg.text)} characters)",
                        )
                    )
            rewritten.append(d)
        if changed:
            with store.locked():
                atomic_write_text(store.path, render_codings(rewritten))
    report.counts["decisions"] = decisions
    _stale_temp_files(study, report, fix)
    report.counts["coders"] = len(study.coders())

    if pii and transcripts_list:
        from grondmotief.study.front_matter import front_matter_problems

        report.problems.extend(scan_transcripts(study, transcripts_list))
        for t in transcripts_list:
            report.problems.extend(front_matter_problems(study.rel(t.path), t, study.settings.privacy))

    report.problems.sort(key=lambda p: (p.severity != "error", p.file, p.line or 0, p.message))
    return report


def _stale_temp_files(study: Study, report: CheckReport, fix: bool) -> None:
    """Temp files left by a process killed mid-write: the real file is intact, these are litter."""
    for folder in (study.interviews_dir, study.codings_dir, study.chapters_dir, study.codebooks_dir):
        if not folder.is_dir():
            continue
        for tmp in sorted(folder.rglob(".*.tmp")):
            label = study.rel(tmp)
            if fix:
                tmp.unlink(missing_ok=True)
                report.fixed.append(f"{label}: removed a temp file left by an interrupted write")
            else:
                report.problems.append(
                    Problem(
                        label,
                        None,
                        "temp file left by an interrupted write (the real file is intact); `grondmotief check --fix` removes it",
                        "warning",
                    )
                )


def _current_segment(transcripts, ref):  # type: ignore[no-untyped-def]
    from grondmotief.study.transcripts import parse_segment_ref

    tid, n = parse_segment_ref(ref)
    t = transcripts.get(tid)
    return t.segment(n) if t else None


def scan_transcripts(study: Study, transcripts: Iterable[Transcript]) -> list[Problem]:
    from grondmotief.privacy.cache import ScanCache
    from grondmotief.privacy.detector import kinds

    cache = ScanCache(study.settings.privacy, study.cache_dir)
    problems = []
    for t in transcripts:
        label = study.rel(t.path)
        for seg in t.segments:
            found = cache.scan(seg.text)
            if found:
                problems.append(
                    Problem(
                        label,
                        seg.line,
                        f"{seg.id} may contain personal data ({kinds(found)}); "
                        "anonymise it, or list a false positive under privacy.allowed_names",
                    )
                )
    cache.save()
    return problems
