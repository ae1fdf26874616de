"""The interactive reconciliation: one disputed passage at a time, single keys, every answer on disk at once.

Uses the review loop's `Terminal` (raw keys, full-screen redraws, signals held off while a
decision is written), so it behaves like `grondmotief code`.
"""

from __future__ import annotations

import sys
import textwrap
from dataclasses import dataclass, field

from grondmotief.analysis.reconcile import Plan, Unit, record, settle
from grondmotief.cli.terminal import Terminal
from grondmotief.study.codings import Decision
from grondmotief.study.folder import Study

KEYS = "y applies  n does not  1-{n} take coder's  m memo  s skip  u undo  q quit"


def is_interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


@dataclass
class State:
    i: int = 0
    # (unit index, key recorded, "nothing applies" decisions the answer replaced: undo restores them)
    history: list[tuple[int, tuple[str, str], list[Decision]]] = field(default_factory=list)
    skipped: set[int] = field(default_factory=set)
    memos: dict[int, str] = field(default_factory=dict)
    typing: str | None = None  # the memo being typed, None when not typing
    message: str = ""
    done: bool = False


def _wrap(text: str, width: int, prefix: str) -> list[str]:
    lines: list[str] = []
    for para in text.split("\n"):
        lines += textwrap.wrap(para, max(10, width - len(prefix)), break_long_words=True) or [""]
    return [prefix + line for line in lines]


class ReconcileLoop:
    def __init__(self, study: Study, plan: Plan, term: Terminal) -> None:
        self.study = study
        self.plan = plan
        self.units: list[Unit] = plan.disputed
        self.term = term
        self.state = State()

    def run(self) -> State:
        while not self.state.done and self.state.i < len(self.units):
            self.draw()
            key = self.term.read_key()
            if key is not None:
                self.handle(key)
        return self.state

    # Screen ------------------------------------------------------------------
    def lines(self, width: int, height: int) -> list[str]:
        st, unit = self.state, self.units[self.state.i]
        seg = self.study.segment(unit.segment)
        done = len(st.history)
        head = f"Reconcile into '{self.plan.into}'  {st.i + 1}/{len(self.units)}  ({done} settled, {len(st.skipped)} skipped)"
        out = [head[:width], "-" * min(width, 80)]
        before = self.study.transcript(seg.transcript).previous_turn(seg)
        if before is not None:
            context = before.text if len(before.text) <= 200 else before.text[:197] + "..."
            out += _wrap(f"{before.label or ''}: {context}".lstrip(": "), width, "  | ")[:3]
        out += [f"{unit.segment}:"] + _wrap(f"{seg.label or ''}: {seg.text}".lstrip(": "), width, "  ")
        out.append("")
        cb = self.study.codebook
        others = [u for u in self.units if u.segment == unit.segment and u is not unit]
        out.append(f"> {unit.code}: {cb.codes[unit.code].label}"[:width])
        for n, coder in enumerate(self.plan.coders, start=1):
            value = unit.values[coder]
            words = "not coded" if value is None else ("applies" if value == 1 else "does not apply")
            d = unit.explicit.get(coder)
            if d is not None and d.decision == "rejected":
                words += " (rejected)"
            elif value == 0 and coder in unit.nothing:
                words += " (nothing applies)"
                d = unit.nothing[coder]
            out.append(f"  {n}. {coder}: {words}"[:width])
            if d is not None and d.memo:
                out += _wrap(f"memo: {d.memo}", width, "       ")[:2]
        if others:
            out.append(("  also disputed here: " + ", ".join(u.code for u in others))[:width])
        if st.i in st.memos:
            out += _wrap(f"your memo: {st.memos[st.i]}", width, "  ")
        # Keep the key line and the message at the bottom, cut the passage if the screen is short.
        footer = [""]
        if st.typing is not None:
            footer.append(f"memo (Enter saves, Esc cancels): {st.typing}_"[-width:])
        else:
            footer.append(KEYS.format(n=len(self.plan.coders))[:width])
        footer.append(st.message[:width])
        room = max(4, height - len(footer))
        return out[:room] + footer

    def draw(self) -> None:
        width, height = self.term.size()
        self.term.draw(self.lines(width, height))

    # Keys --------------------------------------------------------------------
    def handle(self, key: str) -> None:
        st = self.state
        st.message = ""
        if st.typing is not None:
            self.memo_key(key)
            return
        unit = self.units[st.i]
        applies: bool | None = None
        if key in ("q", "Q", "ctrl-c", "ctrl-d"):
            st.done = True
            return
        if key in ("y", "Y"):
            applies = True
        elif key in ("n", "N"):
            applies = False
        elif key.isdigit() and 1 <= int(key) <= len(self.plan.coders):
            coder = self.plan.coders[int(key) - 1]
            if unit.values[coder] is None:
                st.message = f"{coder} did not code this passage; choose another answer."
                return
            applies = unit.values[coder] == 1
        elif key in ("m", "M"):
            st.typing = st.memos.get(st.i, "")
            return
        elif key in ("s", "S", "right"):
            st.skipped.add(st.i)
            st.i += 1
            return
        elif key in ("u", "U"):
            self.undo()
            return
        else:
            st.message = "Keys: " + KEYS.format(n=len(self.plan.coders))
            return
        decision = settle(self.study, unit, applies, self.plan.into, memo=st.memos.get(st.i))
        with self.term.critical():
            replaced = record(self.study, self.plan.into, [decision])
        st.skipped.discard(st.i)
        st.history.append((st.i, decision.key, replaced))
        st.message = f"Recorded: {unit.code} {'applies' if applies else 'does not apply'} in {unit.segment}."
        st.i += 1

    def undo(self) -> None:
        st = self.state
        if not st.history:
            st.message = "Nothing to undo."
            return
        st.i, key, replaced = st.history.pop()
        with self.term.critical():
            self.study.store(self.plan.into).remove([key])
            if replaced:
                self.study.store(self.plan.into).record(replaced)
        st.message = f"Undone: {key[1]} in {key[0]}."

    def memo_key(self, key: str) -> None:
        st = self.state
        assert st.typing is not None
        if key == "esc":
            st.typing, st.message = None, "Memo cancelled."
        elif key == "enter":
            st.memos[st.i] = st.typing.strip()
            st.typing, st.message = None, "Memo kept; it is saved with the answer for this passage."
        elif key == "backspace":
            st.typing = st.typing[:-1]
        elif key == "ctrl-u":
            st.typing = ""
        elif len(key) == 1 and key.isprintable():
            st.typing += key


def run(study: Study, plan: Plan) -> tuple[int, int, int]:
    """Walk the disputed units in a full-screen loop. Returns (recorded, skipped, not reached)."""
    from grondmotief.cli.terminal import screen_mode

    with Terminal(screen_mode()) as term:
        state = ReconcileLoop(study, plan, term).run()
    recorded, skipped = len(state.history), len(state.skipped)
    return recorded, skipped, len(plan.disputed) - recorded - skipped
