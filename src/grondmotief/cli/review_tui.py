"""The interactive loop: keys in, calls on `ReviewSession`, screens out.

Each decision is written (through the session, i.e. `CodingStore`) before the screen shows it,
inside `Terminal.critical()` so a hang-up or Ctrl-C arriving mid-write waits for the write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from grondmotief.cli.review_screen import Screen, Ui
from grondmotief.cli.terminal import Terminal
from grondmotief.core.errors import GrondmotiefError
from grondmotief.review.lineedit import LineEdit
from grondmotief.review.picker import search
from grondmotief.review.sentences import parse_ranges, sentences
from grondmotief.review.session import Item, ReviewSession, StaleUndo, Step
from grondmotief.study.codings import NONE_CODE

LEAVING = {"n", "right", " ", "p", "left", "b", "N", "q"}
WRITING = {"a", "enter", "A", "r", "x", "u", "U", "s", "m", "M"}  # refused in a read-only session
FIELDS = {"picker", "memo", "span", "goto", "find", "create"}  # prompts that Ctrl-C cancels


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
        mode = self.ui.mode
        if key == "ctrl-c":
            if mode in FIELDS:
                self.cancel()  # a prompt's Ctrl-C cancels the prompt, not the session
                return
            raise KeyboardInterrupt
        if key == "ctrl-z":
            self.term.suspend()
            return
        if key == "ctrl-l":
            return
        if mode == "help":
            self.help_key(key)
            return
        if mode == "picker":
            self.picker_key(key)
            return
        if mode == "create":
            self.create_key(key)
            return
        if mode in ("memo", "span", "goto", "find"):
            self.input_key(key)
            return
        self.main_key(key)

    def cancel(self) -> None:
        self.ui.mode = "main"
        self.ui.entry = LineEdit()
        self.ui.message = "Cancelled."

    def open_field(self, mode: str, text: str = "") -> None:
        self.ui.mode, self.ui.entry = mode, LineEdit(text)

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
        if key in WRITING and session.read_only:
            ui.message = "Read-only (--read-only): browsing only, nothing is recorded. q quits."
            return
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
            self.open_picker(None)
        elif key == "d":
            ui.card = not ui.card
            if ui.card and item is None:
                ui.card, ui.message = False, "No code highlighted: c then Ctrl-D shows any code's definition."
        elif key == "v":
            ui.more_context = not ui.more_context
            ui.message = (
                "More context: the respondent's previous turn and the turn after (v hides them)."
                if ui.more_context
                else "Context: the turn before only."
            )
        elif key == "s":
            ui.target = item.code if item is not None else None  # None: sentences for a code still to pick
            self.open_field("span")
        elif key == "m":
            ui.target = item.code if item is not None else None
            self.open_field("memo", session.memo_of(ui.target))
        elif key == "M":
            ui.target = item.code if item is not None else None
            self.edit_memo_in_editor(ui.target)
        elif key == "u":
            self.undo_or_redo(session.undo, "Undone", "Nothing to undo in this session.", -1)
        elif key == "U":
            self.undo_or_redo(session.redo, "Redone", "Nothing to redo: U makes again what u took back.", 1)
        elif key in ("n", "right", " "):
            self.move(session.next, at_end="That was the last passage. q quits, p goes back.")
        elif key in ("p", "left", "b"):
            self.move(session.previous, at_end="This is the first passage.")
        elif key == "N":
            self.move(session.next_undecided, at_end="No undecided passage after this one.")
        elif key == "g":
            self.open_field("goto")
        elif key == "f":
            self.open_field("find")
        elif key in ("pgdn", "J", "ctrl-d"):
            ui.scroll += ui.page
        elif key in ("pgup", "K"):
            ui.scroll = max(0, ui.scroll - ui.page)
        elif key in ("?", "h", "f1"):
            ui.mode, ui.help_scroll = "help", 0
        elif key == "q":
            self._done = True
        else:
            ui.message = f"'{key}' does nothing here; ? shows the keys."

    def help_key(self, key: str) -> None:
        ui = self.ui
        width, height = self.term.size()
        steps = {"down": 1, "j": 1, "pgdn": height - 4, " ": height - 4, "up": -1, "k": -1, "pgup": -(height - 4)}
        if key in steps:
            before = ui.help_scroll
            ui.help_scroll = max(0, ui.help_scroll + steps[key])
            self.screen.help_lines(ui, width, height)  # clamps the scroll to the help's length
            if ui.help_scroll != before or key in ("up", "k", "pgup"):
                return
            if key in ("down", "j"):
                return
        ui.mode = "main"

    def undo_or_redo(self, action: Callable[[], Step | None], done: str, nothing: str, sign: int) -> None:
        ui = self.ui
        try:
            with self.term.critical():
                step = action()
        except StaleUndo as exc:
            ui.message = exc.message[:1].upper() + exc.message[1:] + "."
            return
        if step is None:
            ui.message = nothing
            return
        self.outcome.changes += sign
        again = "U redoes" if sign < 0 else "u undoes"
        ui.message = f"{done}: {step.what}. {again}."
        self._cursor_to(step)

    def edit_memo_in_editor(self, code: str | None) -> None:
        from grondmotief.review.editor import EditorError, edit_text

        session, ui = self.session, self.ui
        try:
            self.term.restore()
            text = edit_text(session.memo_of(code), what=f"memo on {code or session.current.id}")
        except EditorError as exc:
            ui.message = f"Memo not changed: {exc.message}"
            return
        finally:
            self.term.resume()
        if text is None:
            ui.message = "Memo not changed (the editor left it as it was)."
            return
        self.save_memo(code, text)

    def save_memo(self, code: str | None, text: str) -> None:
        if self.session.read_only:
            self.ui.message = "Read-only (--read-only): the memo is not saved."
            return
        with self.term.critical():
            self.ui.message = self.session.set_memo(code, text)
        if self.ui.message.startswith("memo saved"):
            self.outcome.changes += 1

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
        what = f"{step.what[:1].upper()}{step.what[1:]}"
        self.ui.message = f"{what}. u undoes."
        if advance and code is not None:
            # On to the next open suggestion (wrapping to the top), and say so: the highlighted row
            # is what a or r acts on next.
            items = self.items()
            idx = next((i for i, it in enumerate(items) if it.code == code), 0)
            order = [*range(idx + 1, len(items)), *range(0, idx)]
            nxt = next((i for i in order if items[i].state == "open"), None)
            self.ui.cursor = nxt if nxt is not None else idx
            if nxt is not None:
                self.ui.message = f"{what}; cursor now on {items[nxt].code}. u undoes."
        return step

    def _cursor_to(self, step: Step) -> None:
        codes = [c.key[1] for c in step.changes]
        items = self.items()
        self.ui.cursor = next((i for i, it in enumerate(items) if codes and it.code == codes[0]), 0)
        self.ui.scroll = 0

    # Modes -------------------------------------------------------------------
    def open_picker(self, ranges: list[tuple[int, int]] | None) -> None:
        ui = self.ui
        ui.pick, ui.label_ranges, ui.in_vivo = 0, ranges, True
        self.open_field("picker")
        ui.mode = "picker"
        ui.matches = [m.code for m in search(self.session.study.codebook, "")]

    def picker_key(self, key: str) -> None:
        ui, session = self.ui, self.session
        if key == "esc":
            self.cancel()
            return
        if key in ("ctrl-d", "f2"):
            ui.card = not ui.card
            return
        if key == "enter":
            if session.read_only:
                ui.mode, ui.message = "main", "Read-only (--read-only): nothing is recorded."
                return
            if not ui.matches:
                if ui.query.strip():
                    ui.mode, ui.create_group = "create", self.default_group()
                return
            code = ui.matches[ui.pick]
            ui.mode = "main"
            ranges = ui.label_ranges
            if ranges:  # `s 2-3 c`: the chosen sentences, quoted for the code picked
                step = self.decide(
                    lambda: session.narrow(code, ranges, manual=True, what=f"added {code}"), code, advance=False
                )
            else:
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
        if not ui.entry.key(key):
            return
        ui.matches = [m.code for m in search(session.study.codebook, ui.query)]
        ui.pick = 0

    def default_group(self) -> int:
        """The highlighted code's group, else the first group."""
        groups = list(self.session.study.codebook.groups)
        item = self.selected()
        code = self.session.study.codebook.codes.get(item.code) if item is not None else None
        return groups.index(code.group) if code is not None and code.group in groups else 0

    def create_key(self, key: str) -> None:
        from grondmotief.review.newcode import create

        ui = self.ui
        if key == "esc":
            ui.mode = "picker"  # back to the name, to fix a typo
            return
        if key == "tab":
            ui.create_group = (ui.create_group + 1) % max(1, len(self.session.study.codebook.groups))
            return
        if key == "l":
            ui.in_vivo = not ui.in_vivo
            return
        if key != "enter":
            return
        ui.mode = "main"
        try:
            with self.term.critical():
                code, step = create(self.session, ui.query, ui.create_group, ui.label_ranges, in_vivo=ui.in_vivo)
        except GrondmotiefError as exc:
            ui.message = f"Code not created: {exc.message}"
            return
        self.outcome.changes += 1
        items = self.items()
        ui.cursor = next((i for i, it in enumerate(items) if it.code == code), ui.cursor)
        ui.message = f"Created {code} in {self.session.study.rel(self.session.study.codebook.path)} and added it. u undoes the decision."

    def input_key(self, key: str) -> None:
        ui = self.ui
        if key == "esc":
            self.cancel()
            return
        mode = ui.mode
        if mode == "span" and key in ("pgdn", "pgup"):
            # Scroll while typing: sentences 33-77 of a long passage must be visible to choose them.
            ui.scroll = ui.scroll + ui.page if key == "pgdn" else max(0, ui.scroll - ui.page)
            return
        if mode == "span" and key == "c":
            # The chosen sentences go to a code picked (or created, labelled with them) next.
            count = len(sentences(self.session.current.text))
            ranges = parse_ranges(ui.entry.text, count)
            if ranges is None:
                ui.message = f"Type sentences first (1-{count}, e.g. 2-3), then c."
                return
            self.open_picker(ranges)
            return
        if key == "enter":
            text, target = ui.entry.text, ui.target
            ui.mode, ui.entry = "main", LineEdit()
            if mode == "memo":
                self.save_memo(target, text)
            elif mode == "span":
                self.narrow(target, text)
            elif mode == "goto":
                self.goto(text)
            elif mode == "find":
                self.find(text)
            return
        allowed = "0123456789-–, " if mode == "span" else None
        ui.entry.key(key, allowed)
        if mode == "span" and ui.entry.text == "0":
            ui.mode, ui.entry = "main", LineEdit()
            self.narrow(ui.target, "all")

    def goto(self, answer: str) -> None:
        from grondmotief.review.jump import parse_passage

        session, ui = self.session, self.ui
        if not answer.strip():
            ui.message = "Cancelled."
            return
        try:
            ref = parse_passage(session.study, answer, session.current.transcript)
        except GrondmotiefError as exc:
            ui.message = exc.message
            return
        index = next((i for i, seg in enumerate(session.queue) if seg.id == ref), None)
        if index is None:
            ui.message = f"{ref} is not in this session's passages (filters, or not a respondent turn)."
            return
        self.move(lambda: session.go(index), at_end=f"Already at {ref}.")

    def find(self, answer: str) -> None:
        from grondmotief.review.jump import find_next

        session, ui = self.session, self.ui
        query = answer.strip() or ui.last_find
        if not query:
            ui.message = "Cancelled."
            return
        ui.last_find = query
        index, wrapped = find_next(session.queue, session.index, query)
        if index is None:
            ui.message = f"No passage here contains '{query}'."
            return
        if index == session.index:
            ui.message = f"Only this passage contains '{query}'."
            return
        self.move(lambda: session.go(index), at_end="")
        ui.message = f"Found '{query}'{' (from the top)' if wrapped else ''}: f Enter finds the next."

    def narrow(self, code: str | None, answer: str) -> None:
        session, ui = self.session, self.ui
        if code is None:
            ui.message = "No code highlighted: type the sentences, then c to pick or create the code."
            return
        if session.read_only:
            ui.message = "Read-only (--read-only): nothing is recorded."
            return
        count = len(sentences(session.current.text))
        ranges = [(1, count)] if answer == "all" else parse_ranges(answer, count)
        if ranges is None:
            ui.message = f"'{answer}' is not a sentence range between 1 and {count} (e.g. 2-3 or 2-3,7)."
            return
        self.decide(lambda: session.narrow(code, ranges), code)
