"""Random keys for a real `grondmotief code` session, and a model of what must then be on disk.

`Driver` picks an action (add a code through the picker, accept, reject, write a memo, undo, move),
sends its keys to the session in a pseudo-terminal, waits until the screen confirms it, and then
checks the coder's codings file holds exactly the confirmed decisions. `send_in_flight` sends an
action's last key without waiting, so a test can kill the session while that decision is written.
Used by tests/test_crash_review.py and tests/test_concurrency.py.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from review_pty import Tui, read_codings

# Picker queries and the code each one selects first (see test_review_tui.py).
PICKS = {"subs": "subsidies", "verg": "permits", "lie": "love", "partn": "partnership", "schaar": "scarcity"}
CTRL_U = "\x15"
Key = tuple[str, str]  # (segment, code)
State = dict[Key, tuple[str, str]]  # → (decision, memo)


def disk_state(study: Path, coder: str) -> State:
    """The coder's decisions on disk; fails on a half-written line or a decision listed twice."""
    rows = read_codings(study, coder)
    state = {(r["segment"], r["code"]): (r["decision"], r["memo"]) for r in rows}
    assert len(state) == len(rows), "a decision is in the file twice"
    assert {r["coder"] for r in rows} <= {coder}
    return state


@dataclass
class Action:
    name: str
    keys: list[str]  # all but the last key, each answered by a redraw
    last: str  # the key that writes (or moves)
    expect: str  # text on the screen once it is done
    change: tuple[Key, tuple[str, str] | None] | None  # what it does to the file: key → new state (None: gone)

    def applied(self, state: State) -> State:
        out = dict(state)
        if self.change is not None:
            key, after = self.change
            if after is None:
                out.pop(key, None)
            else:
                out[key] = after
        return out


class Driver:
    def __init__(self, tui: Tui, study: Path, coder: str) -> None:
        self.tui, self.study, self.coder = tui, study, coder
        tui.wait_for("q quit")
        self.confirmed = disk_state(study, coder)
        self.undo: list[tuple[Key, tuple[str, str] | None]] = []  # this session's changes, for `u`
        self.writes = 0  # confirmed writes in this session (an undo is one too)
        self.net = 0  # as the session counts its changes on exit: an undo takes one back

    # What the screen says ------------------------------------------------------
    def segment(self) -> str:
        return self.tui.lines()[0].split()[0]

    def cursor_code(self) -> str | None:
        for line in self.tui.lines():
            if line.startswith(">"):
                words = line[2:].split()
                while len(words) > 2 and words[1] == "▸":  # a child code: "parent ▸ child"
                    words = words[2:]
                return words[0]
        return None

    # Actions -------------------------------------------------------------------
    def plan(self, rng: random.Random, *, writes_only: bool = False) -> Action:
        kinds = ["add", "add", "accept", "reject", "memo", "undo"] + ([] if writes_only else ["next", "next", "prev"])
        kind = rng.choice(kinds)
        seg, code = self.segment(), self.cursor_code()
        if kind in ("accept", "reject", "memo") and code is None:
            kind = "add"
        if kind == "undo" and (writes_only and not self.undo):
            kind = "add"
        if kind == "add":
            query = rng.choice(sorted(PICKS))
            code = PICKS[query]
            prev = self.confirmed.get((seg, code))
            if prev is not None and prev[0] == "accepted":
                return Action("add", ["c", *query], "\r", "Already decided that way.", None)
            after = ("accepted", prev[1] if prev else "")
            return Action("add", ["c", *query], "\r", f"Added {code}", ((seg, code), after))
        if kind in ("accept", "reject"):
            assert code is not None
            verdict = "accepted" if kind == "accept" else "rejected"
            prev = self.confirmed[(seg, code)]  # without suggestions every listed code is a decision
            if prev[0] == verdict:
                return Action(kind, [], kind[0], "Already decided that way.", None)
            return Action(kind, [], kind[0], f"{verdict.capitalize()} {code}", ((seg, code), (verdict, prev[1])))
        if kind == "memo":
            assert code is not None
            prev = self.confirmed[(seg, code)]
            text = f"notitie{rng.randint(0, 9)}"
            if prev[1] == text:
                return Action("memo", ["m", CTRL_U, *text], "\r", "unchanged", None)
            return Action("memo", ["m", CTRL_U, *text], "\r", f"memo saved on {code}", ((seg, code), (prev[0], text)))
        if kind == "undo":
            if not self.undo:
                return Action("undo", [], "u", "Nothing to undo", None)
            key, before = self.undo[-1]
            return Action("undo", [], "u", "Undone:", (key, before))
        return Action(kind, [], "n" if kind == "next" else "p", "q quit", None)

    def prepare(self, action: Action) -> None:
        for key in action.keys:
            self.tui.press(key)

    def do(self, rng: random.Random, **kw: bool) -> Action:
        """One action, confirmed on the screen, then checked against the file."""
        action = self.plan(rng, **kw)
        self.prepare(action)
        self.tui.press(action.last)
        self.tui.wait_for(action.expect)
        self.tui.wait_for("q quit")  # the whole frame is in
        expected = action.applied(self.confirmed)
        assert disk_state(self.study, self.coder) == expected, f"{self.coder}: {action.name} not on disk as shown"
        if action.change is not None:
            if action.name == "undo":
                self.undo.pop()
                self.net -= 1
            else:
                key = action.change[0]
                self.undo.append((key, self.confirmed.get(key)))
                self.net += 1
            self.writes += 1
        self.confirmed = expected
        return action

    def send_in_flight(self, rng: random.Random) -> Action:
        """An action that writes, its last key sent without waiting for the screen."""
        action = self.plan(rng, writes_only=True)
        self.prepare(action)
        self.tui.child.send(action.last)
        return action
