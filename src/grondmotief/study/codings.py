"""Decisions on disk: `codings/<coder>.jsonl`, one JSON object per line, stably sorted.

Every change goes through `CodingStore`: it takes a lock, re-reads the file, merges,
sorts and replaces the file atomically, so a crash never leaves half a file and two
processes writing for one coder are serialised rather than interleaved.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from grondmotief.core.errors import CodingsError, GrondmotiefError, Problem
from grondmotief.core.fileio import atomic_write_bytes, atomic_write_text, decode_text
from grondmotief.study.decision import (  # noqa: F401 - re-exported for the callers of codings
    FIELD_ORDER,
    SOURCE,
    SURROGATE,
    DecisionMethods,
    span_fields,
    union_ranges,
)
from grondmotief.study.transcripts import Transcript, parse_segment_ref

CODER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# Reserved code id: "the coder reviewed this passage and no code applies" (`x` in the review
# loop), recorded as an accepted decision. Never a codebook id (those start with a letter or digit).
NONE_CODE = "_none"

if TYPE_CHECKING:
    from grondmotief.study.codings_model import Decision


def __getattr__(name: str) -> Any:
    # The pydantic model is built on first use: quick commands read cached decisions (issue 14).
    if name == "Decision":
        from grondmotief.study.codings_model import Decision

        return Decision
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class ReadResult:
    decisions: list[Decision]
    lines: dict[tuple[str, str], int]
    problems: list[Problem]
    truncated_tail: str | None = None  # a last line cut off by a crash
    bad_lines: list[tuple[int, str]] | None = None
    duplicates: list[tuple[int, Decision]] | None = None
    raw: dict[int, str] | None = None  # id(decision) → its line as read or written


def parse_codings(text: str, label: str, coder: str | None = None) -> ReadResult:
    from pydantic import ValidationError

    from grondmotief.study.codings_model import Decision
    from grondmotief.study.models import validation_problems

    decisions: dict[tuple[str, str], Decision] = {}
    lines: dict[tuple[str, str], int] = {}
    raw_of: dict[int, str] = {}
    problems: list[Problem] = []
    bad: list[tuple[int, str]] = []
    dups: list[tuple[int, Decision]] = []
    truncated = None
    raw_lines = text.split("\n")
    ends_with_newline = text.endswith("\n")
    if ends_with_newline:
        raw_lines.pop()
    for i, raw in enumerate(raw_lines, start=1):
        if not raw.strip():
            continue
        is_last = i == len(raw_lines)
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            if is_last and not ends_with_newline:
                truncated = raw
                problems.append(
                    Problem(
                        label,
                        i,
                        "the last line is cut off (as after a crash); `grondmotief check --fix` moves it to "
                        f"{Path(label).name}.rejected so nothing is lost",
                    )
                )
            else:
                problems.append(
                    Problem(label, i, f"not valid JSON: {exc.msg} (column {exc.colno}); {_set_aside(label)}")
                )
                bad.append((i, raw))
            continue
        except (ValueError, RecursionError) as exc:  # a 4,300-digit number, or thousands of nested brackets
            why = "a number too long to read" if isinstance(exc, ValueError) else "brackets nested too deeply"
            problems.append(Problem(label, i, f"not a decision: {why}; {_set_aside(label)}"))
            bad.append((i, raw))
            continue
        if not isinstance(obj, dict):
            problems.append(Problem(label, i, "each line must be a JSON object"))
            bad.append((i, raw))
            continue
        try:
            d = Decision.model_validate(obj)
        except ValidationError as exc:
            for p in validation_problems(exc, None, label):
                problems.append(Problem(label, i, p.message))
            bad.append((i, raw))
            continue
        if coder is not None and d.coder != coder:
            problems.append(Problem(label, i, f"coder '{d.coder}' in a file for coder '{coder}'"))
        if d.key in decisions:
            other = decisions[d.key]
            if other.decision != d.decision or other.ranges != d.ranges:
                problems.append(
                    Problem(
                        label,
                        i,
                        f"conflicts with line {lines[d.key]}: two decisions for {d.segment} / {d.code}; "
                        "`grondmotief check --fix` keeps the latest and sets the other aside",
                    )
                )
            else:
                problems.append(Problem(label, i, f"repeats line {lines[d.key]} ({d.segment} / {d.code})", "warning"))
            if d.at >= other.at:
                dups.append((lines[d.key], other))
                decisions[d.key] = d
                lines[d.key] = i
                raw_of[id(d)] = raw
            else:
                dups.append((i, d))
            continue
        decisions[d.key] = d
        lines[d.key] = i
        raw_of[id(d)] = raw
    return ReadResult(list(decisions.values()), lines, problems, truncated, bad, dups, raw_of)


def _set_aside(label: str) -> str:
    return f"`grondmotief check --fix` sets the line aside in {Path(label).name}.rejected"


def render_codings(decisions: Iterable[Decision]) -> str:
    ordered = sorted(decisions, key=lambda d: d.sort_key())
    return "".join(d.to_line() + "\n" for d in ordered)


class CodingStore:
    """The one way decisions reach disk, for one coder's file."""

    def __init__(self, path: Path, coder: str, lock_dir: Path, max_bytes: int = 200 * 1024 * 1024) -> None:
        if not CODER_NAME.fullmatch(coder):
            raise GrondmotiefError(f"coder name '{coder}' must be letters, digits, '.', '-' or '_'")
        self.path = path
        self.coder = coder
        self.lock_path = lock_dir / f"{coder}.lock"
        self.max_bytes = max_bytes
        # The last parse, keyed by a hash of the file's bytes: re-validating a large file on every
        # keystroke of the review loop made recording slow. Not inode/size/mtime: inodes are
        # reused and clocks can be coarse, so another process's rewrite could look unchanged.
        self._cache: tuple[bytes, ReadResult] | None = None

    @property
    def label(self) -> str:
        return f"codings/{self.path.name}"

    def read(self) -> ReadResult:
        try:
            if self.path.stat().st_size > self.max_bytes:
                raise CodingsError(f"{self.label}: file is larger than {self.max_bytes // 2**20} MB")
            data = self.path.read_bytes()
        except FileNotFoundError:
            return ReadResult([], {}, [])
        key = hashlib.blake2b(data, digest_size=16).digest()
        if self._cache is not None and self._cache[0] == key:
            return _copy(self._cache[1])
        result = self.parse(data)
        self._cache = (key, result)
        return _copy(result)

    def parse(self, data: bytes) -> ReadResult:
        """Decode and validate the file's bytes (as read by `read`, or by the quick-start cache)."""
        return parse_codings(decode_text(data, self.label), self.label, self.coder)

    def _write(self, decisions: Iterable[Decision]) -> None:
        items = sorted(((d.sort_key(), d) for d in decisions), key=lambda item: item[0])
        # Unchanged decisions (the very objects last read) keep their line as it was: cheaper,
        # and a git diff then shows exactly the decisions that changed.
        known = (self._cache[1].raw or {}) if self._cache is not None else {}
        out = [known.get(id(d)) or d.to_line() for _, d in items]
        data = "".join(line + "\n" for line in out).encode("utf-8")
        atomic_write_bytes(self.path, data)
        ordered = [d for _, d in items]
        lines = {(d.segment, k[2]): i for i, (k, d) in enumerate(items, start=1)}
        raw = {id(d): line for d, line in zip(ordered, out, strict=True)}
        self._cache = (hashlib.blake2b(data, digest_size=16).digest(), ReadResult(ordered, lines, [], raw=raw))

    @contextmanager
    def locked(self) -> Iterator[None]:
        from filelock import FileLock, Timeout

        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        if self.lock_path.is_symlink():  # the lock is opened with O_TRUNC: a link would empty its target
            raise CodingsError(f"{self.lock_path.name}: the lock file is a symbolic link; remove it and try again")
        try:
            with FileLock(str(self.lock_path), timeout=30):
                yield
        except Timeout:
            raise CodingsError(
                f"{self.label} is locked by another grondmotief process (lock {self.lock_path}); try again"
            ) from None

    def _read_for_write(self) -> list[Decision]:
        result = self.read()
        serious = [p for p in result.problems if p.severity == "error" and p.message.find("cut off") < 0]
        if serious:
            raise CodingsError(
                f"{self.label} has problems; fix them (or run `grondmotief check --fix`) before recording more", serious
            )
        if result.truncated_tail is not None:
            self._set_aside([result.truncated_tail])
        return result.decisions

    def _set_aside(self, raw_lines: list[str]) -> None:
        rejected = self.path.with_name(self.path.name + ".rejected")
        existing = rejected.read_text(encoding="utf-8") if rejected.exists() else ""
        atomic_write_text(rejected, existing + "".join(line.rstrip("\n") + "\n" for line in raw_lines))

    def record(self, new: Iterable[Decision]) -> None:
        """Add or replace decisions (one per segment and code)."""
        with self.locked():
            current = {d.key: d for d in self._read_for_write()}
            for d in new:
                if d.coder != self.coder:
                    raise CodingsError(f"decision for coder '{d.coder}' sent to the file of '{self.coder}'")
                current[d.key] = d
            self._write(current.values())

    def remove(self, keys: Iterable[tuple[str, str]]) -> None:
        with self.locked():
            drop = set(keys)
            self._write(d for d in self._read_for_write() if d.key not in drop)

    def replace_all(self, decisions: Iterable[Decision]) -> None:
        with self.locked():
            self._write(decisions)

    def repair(self) -> list[str]:
        """`check --fix`: set aside a truncated tail, unparsable lines and superseded duplicates."""
        notes: list[str] = []
        with self.locked():
            result = self.read()
            aside: list[str] = []
            if result.truncated_tail is not None:
                aside.append(result.truncated_tail)
                notes.append(f"{self.label}: moved the cut-off last line to {self.path.name}.rejected")
            for line, raw in result.bad_lines or []:
                aside.append(raw)
                notes.append(f"{self.label}:{line}: moved an unreadable line to {self.path.name}.rejected")
            for line, d in result.duplicates or []:
                aside.append(d.to_line())
                notes.append(
                    f"{self.label}:{line}: moved a superseded duplicate for {d.segment} / {d.code} to {self.path.name}.rejected"
                )
            if aside:
                self._set_aside(aside)
            self._write(result.decisions)
        return notes


def _copy(result: ReadResult) -> ReadResult:
    return ReadResult(
        list(result.decisions),
        dict(result.lines),
        list(result.problems),
        result.truncated_tail,
        list(result.bad_lines or []),
        list(result.duplicates or []),
        result.raw,
    )


@dataclass
class Anchoring:
    decision: Decision
    status: Literal["ok", "moved", "orphan"]
    new_segment: str | None = None
    reason: str = ""

    @property
    def segment(self) -> str:
        return self.new_segment or self.decision.segment


def anchor(decisions: Iterable[Decision], transcripts: dict[str, Transcript]) -> list[Anchoring]:
    """Check each decision still sits on the passage it was made on.

    `moved`: the same text now has another paragraph number (re-anchored by its text hash,
    nearest to the old place when the text occurs twice). `orphan`: the text is gone;
    `check` reports it and nothing is deleted.
    """
    out = []
    sha_index: dict[str, dict[str, list[int]]] = {}
    for d in decisions:
        tid, n = parse_segment_ref(d.segment)
        t = transcripts.get(tid)
        if t is None:
            out.append(Anchoring(d, "orphan", reason=f"no transcript '{tid}'"))
            continue
        seg = t.segment(n)
        if seg is not None and (not d.text_sha or seg.sha == d.text_sha):
            out.append(Anchoring(d, "ok"))
            continue
        idx = sha_index.get(tid)
        if idx is None:
            idx = {}
            for s in t.segments:
                idx.setdefault(s.sha, []).append(s.n)
            sha_index[tid] = idx
        hits = idx.get(d.text_sha, []) if d.text_sha else []
        if hits:
            best = min(hits, key=lambda k: (abs(k - n), k))
            out.append(Anchoring(d, "moved", f"{tid}¶{best}", "the passage moved"))
        elif seg is None:
            out.append(Anchoring(d, "orphan", reason=f"{tid} has only {len(t.segments)} paragraphs"))
        else:
            out.append(Anchoring(d, "orphan", reason="the passage text changed or is gone"))
    return out


def coder_of(path: Path) -> str:
    return path.stem
