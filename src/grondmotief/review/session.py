"""The review loop's state machine: a queue of passages, the coder's decisions, undo.

No terminal here: the CLI layer (cli/review_tui.py) turns keys into calls on `ReviewSession`
and renders what it exposes. Every decision reaches disk through `CodingStore.record/remove`
the moment it is made, and undo writes the previous state back the same way.

Memos live in a decision's `memo` field. A memo written while the highlighted code has no
decision is held as *pending* and attached to the next decision on that passage.

"Nothing applies" (`x`) is a decision too: the reserved code `_none` (codings.NONE_CODE),
accepted, on the passage. Accepting a real code there removes it in the same undoable step.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from grondmotief.core.errors import CodingsError, GrondmotiefError
from grondmotief.review.sentences import sentence_span
from grondmotief.review.suggestions import SuggestionFeed
from grondmotief.study.codings import NONE_CODE, Decision, now_iso, span_fields, union_ranges
from grondmotief.study.folder import Study
from grondmotief.study.transcripts import Segment

Key = tuple[str, str]
State = Literal["open", "accepted", "rejected"]


@dataclass
class Item:
    """One row of the passage's code list: a suggestion, a decision, or both."""

    code: str
    suggestion: Any | None = None
    decision: Decision | None = None

    @property
    def state(self) -> State:
        return "open" if self.decision is None else self.decision.decision

    @property
    def score(self) -> float | None:
        if self.suggestion is not None:
            return float(self.suggestion.score)
        return self.decision.score if self.decision is not None else None

    @property
    def source(self) -> str:
        """What is recorded, once decided; otherwise the engine that suggests it."""
        if self.decision is not None:
            return self.decision.source
        return str(self.suggestion.source) if self.suggestion is not None else "manual"


@dataclass
class Change:
    key: Key
    before: Decision | None
    after: Decision | None


@dataclass
class Step:
    """One undoable action: the changes it wrote and where it happened."""

    index: int
    what: str
    changes: list[Change] = field(default_factory=list)
    memo: tuple[str, str] | None = None  # (segment, pending memo consumed by this step)


@dataclass
class Progress:
    done: int
    total: int
    eta_seconds: float | None

    @property
    def todo(self) -> int:
        return self.total - self.done


def legacy_marks_path(study: Study, coder: str) -> Path:
    """Where earlier versions kept `x` marks (a cache file): read once, to move them into codings/."""
    return study.cache_dir / "review" / f"{coder}.reviewed.json"


def migrate_marks(study: Study, coder: str) -> int:
    """Move "nothing applies" marks from the old cache file into the coder's codings as `_none` decisions.

    Only passages that still exist and on which the coder has no decision yet get one; the cache
    file is removed afterwards. Returns how many decisions were recorded.
    """
    path = legacy_marks_path(study, coder)
    if not path.is_file():
        return 0
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        ids = [str(x) for x in data.get("reviewed", [])]
    except (OSError, ValueError, AttributeError):
        ids = []
    store = study.store(coder)
    decided = {d.segment for d in store.read().decisions}
    at = now_iso()
    new = []
    for ref in sorted(set(ids)):
        try:
            seg = study.segment(ref)
        except (GrondmotiefError, ValueError):
            continue  # the passage is gone: nothing to anchor the mark to
        if seg.id not in decided:
            new.append(none_decision(seg, coder, at=at))
    if new:
        store.record(new)
    path.unlink(missing_ok=True)
    return len(new)


def none_decision(seg: Segment, coder: str, *, memo: str = "", at: str | None = None) -> Decision:
    return Decision(
        segment=seg.id,
        code=NONE_CODE,
        decision="accepted",
        span=None,
        source="manual",
        score=None,
        coder=coder,
        at=at or now_iso(),
        memo=memo,
        text_sha=seg.sha,
    )


class StaleUndo(GrondmotiefError):
    """Undo or redo refused: the decision it would change is no longer the one this session wrote."""


class ReviewSession:
    def __init__(
        self,
        study: Study,
        coder: str,
        segments: list[Segment],
        *,
        feed: SuggestionFeed | None = None,
        codes: list[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        read_only: bool = False,
    ) -> None:
        self.study = study
        self.read_only = read_only  # browsing (`--read-only`): nothing is written
        self.coder = coder
        self.store = study.store(coder)
        self.queue = list(segments)
        self.feed = feed
        self.codes = set(codes) if codes else None  # suggestions limited to these codes
        self.clock = clock
        self.undo_stack: list[Step] = []
        self.redo_stack: list[Step] = []  # steps taken back by undo, newest last; a new decision clears it
        self.pending_memo: dict[str, str] = {}
        self.decisions: dict[Key, Decision] = {}
        self._by_segment: dict[str, list[Decision]] = {}
        self._started = clock()
        self._decided_here: set[str] = set()
        self._seen: tuple[int, int] | None = None
        self.refresh(force=True)
        self.index = self.resume_index()

    # Reading -----------------------------------------------------------------
    def _stat(self) -> tuple[int, int] | None:
        try:
            st = self.store.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def refresh(self, *, force: bool = False) -> None:
        """Re-read the coder's file when it changed: another session of the same coder may have written to it."""
        stat = self._stat()
        if not force and stat is not None and stat == self._seen:
            return
        self._seen = stat
        result = self.store.read()
        errors = [p for p in result.problems if p.severity == "error" and "cut off" not in p.message]
        if errors:
            raise CodingsError(f"{self.store.label} has problems; run `grondmotief check --fix` first", errors)
        self.decisions = {d.key: d for d in result.decisions}
        self._by_segment = {}
        for d in result.decisions:
            self._by_segment.setdefault(d.segment, []).append(d)

    def decided(self, segment: Segment) -> bool:
        """Any decision on the passage, "nothing applies" included."""
        return segment.id in self._by_segment

    def nothing_applies(self, segment: Segment | None = None) -> Decision | None:
        """The passage's "nothing applies" decision (`x`), if the coder recorded one."""
        seg = segment or self.current
        return self.decisions.get((seg.id, NONE_CODE))

    def resume_index(self) -> int:
        """The first passage without a decision (or the last passage when all are done)."""
        for i, seg in enumerate(self.queue):
            if not self.decided(seg):
                return i
        return max(0, len(self.queue) - 1)

    def resume_note(self) -> str:
        """Where the session starts and why, e.g. "first undecided: r1¶6; you stopped at r1¶8"."""
        if not self.queue:
            return ""
        here = self.current.id
        queued = {seg.id for seg in self.queue}
        mine = [d for d in self.decisions.values() if d.segment in queued]
        if not mine:
            return ""
        last = max(mine, key=lambda d: (d.at, d.sort_key())).segment
        if all(self.decided(seg) for seg in self.queue):
            return f"Every passage here has a decision; showing the last one. You stopped at {last}."
        return f"Resuming at {here}, the first passage without a decision; you stopped at {last}."

    @property
    def current(self) -> Segment:
        return self.queue[self.index]

    def suggestions(self, segment: Segment) -> list[Any] | None:
        if self.feed is None:
            return []
        found = self.feed.get(segment)
        if found is None:
            return None
        return [s for s in found if self.codes is None or s.code in self.codes]

    def items(self, segment: Segment | None = None) -> list[Item]:
        seg = segment or self.current
        items: dict[str, Item] = {}
        for s in self.suggestions(seg) or []:
            items.setdefault(s.code, Item(s.code, suggestion=s))
        for d in self._by_segment.get(seg.id, []):
            if d.code != NONE_CODE:  # not a code: shown as a line of its own
                items.setdefault(d.code, Item(d.code)).decision = d
        order = {cid: i for i, cid in enumerate(self.study.codebook.order)}
        return sorted(items.values(), key=lambda it: (-(it.score or 0.0), order.get(it.code, len(order)), it.code))

    def item(self, code: str) -> Item:
        for it in self.items():
            if it.code == code:
                return it
        return Item(code)

    # Deciding ----------------------------------------------------------------
    def _decision(
        self,
        item: Item,
        verdict: Literal["accepted", "rejected"],
        span: tuple[int, int] | None,
        memo: str | None,
        manual: bool = False,
        spans: list[tuple[int, int]] | None = None,
    ) -> Decision:
        seg = self.current
        prev = item.decision
        # Provenance: the picker is `manual`; re-recording a decision (new span or memo) keeps its
        # source; accepting or rejecting a suggestion records the engine and its score.
        source, score = "manual", None
        if manual:
            pass
        elif prev is not None and (prev.decision == verdict or item.suggestion is None):
            source, score = prev.source, prev.score
        elif item.suggestion is not None:
            source, score = str(item.suggestion.source), round(float(item.suggestion.score), 4)
        return Decision(
            segment=seg.id,
            code=item.code,
            decision=verdict,
            span=span,
            spans=spans if span is not None else None,
            source=source,
            score=score,
            coder=self.coder,
            at=now_iso(),
            memo=memo if memo is not None else (prev.memo if prev else ""),
            text_sha=seg.sha,
        )

    def _write(self, step: Step, *, redo: bool = False) -> Step:
        records = [c.after for c in step.changes if c.after is not None]
        removals = [c.key for c in step.changes if c.after is None]
        self._store_write(records, removals)
        self.undo_stack.append(step)
        if not redo:
            self.redo_stack.clear()
        seg = self.current.id
        if step.memo is not None:
            self.pending_memo.pop(step.memo[0], None)
        for c in step.changes:
            self._apply_local(c.key, c.after)
        if self.decided(self.current):
            self._decided_here.add(seg)
        return step

    def _store_write(self, records: list[Decision], removals: list[Key]) -> None:
        if self.read_only:
            raise GrondmotiefError("this session is read-only (--read-only): nothing is recorded")
        before = self._stat()
        if records:
            self.store.record(records)
        if removals:
            self.store.remove(removals)
        # Our own write needs no re-read, unless someone else wrote since we last looked.
        if before == self._seen:
            self._seen = self._stat()

    def _apply_local(self, key: Key, d: Decision | None) -> None:
        if d is None:
            self.decisions.pop(key, None)
        else:
            self.decisions[key] = d
        self._by_segment[key[0]] = [x for x in self._by_segment.get(key[0], []) if x.code != key[1]]
        if d is not None:
            self._by_segment[key[0]].append(d)
        if not self._by_segment[key[0]]:
            del self._by_segment[key[0]]

    def _decide(
        self,
        codes: list[str],
        verdict: Literal["accepted", "rejected"],
        what: str,
        span: tuple[int, int] | None = None,
        keep_span: bool = True,
        manual: bool = False,
        spans: list[tuple[int, int]] | None = None,
    ) -> Step | None:
        seg = self.current
        pending = self.pending_memo.get(seg.id)
        step = Step(self.index, what)
        for code in codes:
            item = self.item(code)
            prev = item.decision
            if (
                prev is not None
                and prev.decision == verdict
                and (keep_span or prev.pieces == (spans or ([span] if span else None)))
            ):
                continue
            kept = prev if keep_span and prev is not None and verdict == "accepted" else None
            new_span = kept.span if kept is not None else span
            new_spans = kept.spans if kept is not None else spans
            memo = None
            if pending is not None and step.memo is None:
                memo = (prev.memo + "\n" + pending).strip() if prev is not None and prev.memo else pending
                step.memo = (seg.id, pending)
            accepted = verdict == "accepted"
            new = self._decision(
                item, verdict, new_span if accepted else None, memo, manual, new_spans if accepted else None
            )
            step.changes.append(Change((seg.id, code), prev, new))
        if not step.changes:
            return None
        none = self.nothing_applies(seg)
        if verdict == "accepted" and none is not None:
            # A code applies after all: "nothing applies" goes, in the same step (undo brings it back).
            step.changes.append(Change(none.key, none, None))
            step.what += " (replaces 'nothing applies')"
        return self._write(step)

    def accept(self, code: str) -> Step | None:
        return self._decide([code], "accepted", f"accepted {code}")

    def add(self, code: str) -> Step | None:
        """The coder's own code (the picker): source `manual`, even when the engine suggested it too."""
        code = self.study.codebook.resolve(code)
        return self._decide([code], "accepted", f"added {code}", manual=True)

    def reject(self, code: str) -> Step | None:
        return self._decide([code], "rejected", f"rejected {code}")

    def accept_all(self) -> Step | None:
        codes = [it.code for it in self.items() if it.state == "open"]
        return self._decide(codes, "accepted", f"accepted {len(codes)} suggestion(s)")

    def reject_rest(self) -> Step | None:
        """Nothing (else) applies: reject the open suggestions, in one step.

        When no code is accepted on the passage, the step also records "nothing applies" (`_none`),
        carrying a pending memo: the passage counts as decided, for resuming, `status` and `agree`.
        """
        seg = self.current
        items = self.items()
        codes = [it.code for it in items if it.state == "open"]
        pending = self.pending_memo.get(seg.id)
        named = ", ".join(codes)
        step = Step(self.index, f"rejected: {named}")
        nothing = not any(it.state == "accepted" for it in items) and self.nothing_applies(seg) is None
        if nothing:
            step.what = "nothing applies" + (f"; rejected: {named}" if codes else "")
            step.changes.append(Change((seg.id, NONE_CODE), None, none_decision(seg, self.coder, memo=pending or "")))
            if pending is not None:
                step.memo = (seg.id, pending)
        for code in codes:
            item = self.item(code)
            memo = None
            if pending is not None and step.memo is None:
                memo, step.memo = pending, (seg.id, pending)
            step.changes.append(Change((seg.id, code), item.decision, self._decision(item, "rejected", None, memo)))
        if not step.changes:
            return None
        return self._write(step)

    def narrow(
        self, code: str, ranges: list[tuple[int, int]], *, manual: bool = False, what: str | None = None
    ) -> Step | None:
        """Accept `code` quoting only the sentence ranges given (1-based), e.g. [(2, 3), (7, 7)].

        Several ranges are one decision with several parts (`spans`); all sentences is the whole passage.
        """
        text = self.current.text
        # Overlapping or touching ranges ("2-3,3-4") become one piece, as the decision model requires.
        parts = union_ranges(sentence_span(text, first, last) for first, last in ranges)
        whole = len(parts) == 1 and parts[0] in ((0, len(text.rstrip())), (0, len(text)))
        span, spans = (None, None) if whole else span_fields(parts)
        quoted = "sentences " + ",".join(f"{a}" if a == b else f"{a}-{b}" for a, b in ranges)
        what = f"{what}, quoting {quoted}" if what else f"quote of {code}: {quoted}"
        return self._decide([code], "accepted", what, span=span, keep_span=False, spans=spans, manual=manual)

    def set_memo(self, code: str | None, text: str) -> str:
        """Memo on `code`'s decision; held pending when that code has no decision yet. Returns where it went."""
        seg = self.current
        text = text.strip()
        item = self.item(code) if code else Item(NONE_CODE, decision=self.nothing_applies(seg))
        if item.decision is not None:
            prev = item.decision
            if prev.memo == text:
                return "unchanged"
            new = prev.model_copy(update={"memo": text, "at": now_iso()})
            where = code or "'nothing applies'"
            self._write(Step(self.index, f"memo on {where}", [Change(prev.key, prev, new)]))
            return f"memo saved on {where}"
        if text:
            self.pending_memo[seg.id] = text
            return "memo pending: it is saved with your next decision on this passage"
        self.pending_memo.pop(seg.id, None)
        return "memo dropped"

    def memo_of(self, code: str | None) -> str:
        d = self.decisions.get((self.current.id, code or NONE_CODE))
        if d is not None:
            return d.memo
        return self.pending_memo.get(self.current.id, "")

    def undo(self) -> Step | None:
        """Take back the last step: restore (or remove) each decision on disk, go to its passage.

        Raises `StaleUndo` when the file no longer holds what the step wrote (the decision was
        changed since, e.g. in another terminal): undoing then would destroy that later decision.
        """
        if not self.undo_stack:
            return None
        step = self.undo_stack[-1]  # popped only once the file is restored
        self._check_latest(step, [c.after for c in step.changes], "undone")
        records = [c.before for c in step.changes if c.before is not None]
        removals = [c.key for c in step.changes if c.before is None]
        self._store_write(records, removals)
        self.undo_stack.pop()
        self.redo_stack.append(step)
        for c in step.changes:
            self._apply_local(c.key, c.before)
        if step.memo is not None:
            self.pending_memo[step.memo[0]] = step.memo[1]
        self.index = min(step.index, len(self.queue) - 1)
        return step

    def redo(self) -> Step | None:
        """Make again the step the last undo took back (memo included), if nothing changed it since."""
        if not self.redo_stack:
            return None
        step = self.redo_stack[-1]
        self._check_latest(step, [c.before for c in step.changes], "redone")
        self.redo_stack.pop()
        self.index = min(step.index, len(self.queue) - 1)
        self._write(step, redo=True)
        return step

    def _check_latest(self, step: Step, expected: list[Decision | None], verb: str) -> None:
        self.refresh()
        for c, want in zip(step.changes, expected, strict=True):
            now = self.decisions.get(c.key)
            if now != want:
                self.undo_stack = [s for s in self.undo_stack if s is not step]
                self.redo_stack = [s for s in self.redo_stack if s is not step]
                raise StaleUndo(
                    f"not {verb}: {c.key[0]} / {c.key[1] if c.key[1] != NONE_CODE else 'nothing applies'} "
                    "was changed since (another session of yours?); what is on disk stays"
                )

    # Moving ------------------------------------------------------------------
    def go(self, index: int) -> bool:
        if not self.queue:
            return False
        index = max(0, min(index, len(self.queue) - 1))
        moved = index != self.index
        self.index = index
        self.refresh()
        return moved

    def next(self) -> bool:
        return self.go(self.index + 1)

    def previous(self) -> bool:
        return self.go(self.index - 1)

    def next_undecided(self) -> bool:
        for i in range(self.index + 1, len(self.queue)):
            if not self.decided(self.queue[i]):
                return self.go(i)
        return False

    # Progress ----------------------------------------------------------------
    def progress(self) -> Progress:
        done = sum(1 for s in self.queue if self.decided(s))
        rate = None
        n = len(self._decided_here)
        if n >= 2:
            rate = (self.clock() - self._started) / n
        todo = len(self.queue) - done
        return Progress(done, len(self.queue), rate * todo if rate is not None else None)

    def context(self, segment: Segment | None = None) -> Segment | None:
        seg = segment or self.current
        return self.study.transcripts[seg.transcript].previous_turn(seg)
