"""The interactive loop: keys in, calls on `ReviewSession`, screens out.

Each decision is written (through the session, i.e. `CodingStore`) before the screen shows it,
inside `Terminal.critical()` so a hang-up or Ctrl-C arriving mid-write waits for the write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from grondmotief.cli.review_screen import Screen, Ui
from grondmotief.cli.terminal import Terminal
from grondmotief.codings import NONE_CODE
from grondmotief.errors import GrondmotiefError
from grondmotief.review.picker import search
from grondmotief.review.sentences import parse_range, sentences
from grondmotief.review.session import Item, ReviewSession, Step

LEAVING = {"n", "right", " ", "p", "left", "b", "N", "q"}


@dataclass
class Outcome:
    changes: int = 0  # decisions and memos written in this session, net of undo
    quit_at: str | None = None


class ReviewLoop:
    def __init__(self, session: ReviewSession, term: Terminal) -> None:
        self.session = session
        self.term = term
        self.screen = Screen(term.mode)
        self.ui = Ui()
        self.outcome = Outcome()
        self._done = False

    # Main loop ---------------------------------------------------------------
    def run(self) -> Outcome:
        self.draw()
        while not self._done:
            key = self.term.read_key(timeout=None if self._settled() else 1.0)
            if key is None:  # woken: suggestions arrived, a resize, or a tick while waiting
                self.term.resized = False
                self.draw()
                continue
            try:
                self.handle(key)
            except GrondmotiefError as exc:
                # A write that failed (a broken or locked codings file) must not end the session:
                # nothing was recorded, the screen still shows what is on disk, the coder is told.
                self.ui.mode = "main"
                self.ui.message = f"Not saved: {exc.message}"
            if not self._done:
                self.draw()
        self.outcome.quit_at = self.session.current.id if self.session.queue else None
        return self.outcome

    def _settled(self) -> bool:
        feed = self.session.feed
        return feed is None or feed.ready(self.session.current.transcript)

    def draw(self) -> None:
        width, height = self.term.size()
        self.term.draw(self.screen.render(self.session, self.ui, width, height))

    # Keys --------------------------------------------------------------------
    def handle(self, key: str) -> None:
        if key == "ctrl-c":
            raise KeyboardInterrupt
        if key == "ctrl-z":
            self.term.suspend()
            return
        if key == "ctrl-l":
            return
        mode = self.ui.mode
        if mode == "help":
            self.ui.mode = "main"
            return
        if mode == "picker":
            self.picker_key(key)
            return
        if mode in ("memo", "span"):
            self.input_key(key)
            return
        self.main_key(key)

    def items(self) -> list[Item]:
        return self.session.items()

    def selected(self) -> Item | None:
        items = self.items()
        if not items:
            return None
        self.ui.cursor = max(0, min(self.ui.cursor, len(items) - 1))
        return items[self.ui.cursor]

    def main_key(self, key: str) -> None:
        ui, session = self.ui, self.session
        confirm, ui.confirm = ui.confirm, None
        ui.message = ""
        if key in LEAVING and confirm != key and session.pending_memo.get(session.current.id):
            ui.confirm = key
            ui.message = "A memo is pending (no decision on this passage yet). Press again to drop it, or decide first."
            return
        if confirm == key:
            session.pending_memo.pop(session.current.id, None)
        item = self.selected()
        if key in ("a", "enter"):
            if item is None:
                ui.message = "No code here yet: c adds one."
                return
            self.decide(lambda: session.accept(item.code), item.code)
        elif key == "A":
            self.decide(session.accept_all, None)
        elif key == "r":
            if item is None:
                ui.message = "Nothing to reject: x moves on when nothing applies."
                return
            self.decide(lambda: session.reject(item.code), item.code)
        elif key == "x":
            here = session.current.id
            with self.term.critical():
                step = session.reject_rest()
            if step is not None:
                self.outcome.changes += 1
            self.move(session.next, at_end="That was the last passage. q quits, p goes back.")
            if step is not None and ui.message == "":
                ui.message = f"{here}: {step.what}. u undoes."
        elif key in ("up", "k"):
            ui.cursor = max(0, ui.cursor - 1)
        elif key in ("down", "j", "tab"):
            ui.cursor = min(len(self.items()) - 1, ui.cursor + 1) if self.items() else 0
        elif key in ("c", "/", "+"):
            ui.mode, ui.query, ui.pick = "picker", "", 0
            ui.matches = [m.code for m in search(session.study.codebook, "")]
        elif key == "s":
            if item is None:
                ui.message = "Highlight or add a code first; s then narrows its quote."
                return
            ui.mode, ui.target, ui.text = "span", item.code, ""
        elif key == "m":
            ui.mode = "memo"
            ui.target = item.code if item is not None else None
            ui.text = session.memo_of(ui.target)
        elif key == "u":
            with self.term.critical():
                step = session.undo()
            if step is None:
                ui.message = "Nothing to undo in this session."
            else:
                self.outcome.changes -= 1
                ui.message = f"Undone: {step.what}."
                self._cursor_to(step)
        elif key in ("n", "right", " "):
            self.move(session.next, at_end="That was the last passage. q quits, p goes back.")
        elif key in ("p", "left", "b"):
            self.move(session.previous, at_end="This is the first passage.")
        elif key == "N":
            self.move(session.next_undecided, at_end="No undecided passage after this one.")
        elif key in ("pgdn", "J", "ctrl-d"):
            ui.scroll += 5
        elif key in ("pgup", "K"):
            ui.scroll = max(0, ui.scroll - 5)
        elif key in ("?", "h"):
            ui.mode = "help"
        elif key == "q":
            self._done = True
        else:
            ui.message = f"'{key}' does nothing here; ? shows the keys."

    def move(self, step: Callable[[], bool], *, at_end: str) -> None:
        moved = step()
        if moved:
            self.ui.cursor, self.ui.scroll = 0, 0
        else:
            self.ui.message = at_end

    def decide(self, action: Callable[[], Step | None], code: str | None, *, advance: bool = True) -> Step | None:
        with self.term.critical():
            step = action()
        if step is None:
            self.ui.message = "Already decided that way."
            return None
        self.outcome.changes += 1
        self.ui.message = f"{step.what[:1].upper()}{step.what[1:]}. u undoes."
        if advance and code is not None:
            # On to the next open suggestion, and say so: the highlighted row is what a or r acts on next.
            items = self.items()
            idx = next((i for i, it in enumerate(items) if it.code == code), 0)
            nxt = next((i for i in range(idx + 1, len(items)) if items[i].state == "open"), None)
            self.ui.cursor = nxt if nxt is not None else idx
            if nxt is not None:
                self.ui.message = f"{step.what[:1].upper()}{step.what[1:]}; cursor now on {items[nxt].code}. u undoes."
        return step

    def _cursor_to(self, step: Step) -> None:
        codes = [c.key[1] for c in step.changes]
        items = self.items()
        self.ui.cursor = next((i for i, it in enumerate(items) if codes and it.code == codes[0]), 0)
        self.ui.scroll = 0

    # Modes -------------------------------------------------------------------
    def picker_key(self, key: str) -> None:
        ui, session = self.ui, self.session
        if key == "esc":
            ui.mode = "main"
            return
        if key == "enter":
            if not ui.matches:
                return
            code = ui.matches[ui.pick]
            ui.mode = "main"
            step = self.decide(lambda: session.add(code), code, advance=False)
            items = self.items()
            ui.cursor = next((i for i, it in enumerate(items) if it.code == code), ui.cursor)
            if step is not None:
                replaced = "; 'nothing applies' removed" if any(c.key[1] == NONE_CODE for c in step.changes) else ""
                ui.message = f"Added {code} (manual){replaced}. u undoes."
            return
        if key in ("up",):
            ui.pick = max(0, ui.pick - 1)
            return
        if key in ("down", "tab"):
            ui.pick = min(len(ui.matches) - 1, ui.pick + 1)
            return
        if key == "backspace":
            ui.query = ui.query[:-1]
        elif key in ("ctrl-u", "ctrl-w"):
            ui.query = ""
        elif len(key) == 1 and key.isprintable():
            ui.query += key
        else:
            return
        ui.matches = [m.code for m in search(session.study.codebook, ui.query)]
        ui.pick = 0

    def input_key(self, key: str) -> None:
        ui, session = self.ui, self.session
        if key == "esc":
            ui.mode, ui.text = "main", ""
            ui.message = "Cancelled."
            return
        if key == "enter":
            mode, text, target = ui.mode, ui.text, ui.target
            ui.mode, ui.text = "main", ""
            if mode == "memo":
                with self.term.critical():
                    ui.message = session.set_memo(target, text)
                if ui.message.startswith("memo saved"):
                    self.outcome.changes += 1
                return
            self.narrow(target, text)
            return
        if key == "backspace":
            ui.text = ui.text[:-1]
        elif key == "ctrl-u":
            ui.text = ""
        elif key == "ctrl-w":
            ui.text = ui.text.rstrip().rsplit(" ", 1)[0] + " " if " " in ui.text.strip() else ""
        elif len(key) == 1 and key.isprintable():
            if ui.mode == "span" and key not in "0123456789- –":
                return
            ui.text += key
            if ui.mode == "span" and ui.text == "0":
                ui.mode, ui.text = "main", ""
                self.narrow(ui.target, "all")

    def narrow(self, code: str | None, answer: str) -> None:
        session, ui = self.session, self.ui
        if code is None:
            return
        count = len(sentences(session.current.text))
        rng = (1, count) if answer == "all" else parse_range(answer, count)
        if rng is None:
            ui.message = f"'{answer}' is not a sentence range between 1 and {count} (e.g. 2-3)."
            return
        self.decide(lambda: session.narrow(code, rng[0], rng[1]), code, advance=False)
