"""What the review loop looks like: one passage per screen, laid out for any size from 80×24 up.

Pure functions of (session, ui state, size, mode) → lines of text with ANSI styles; the terminal
module only writes them. Three looks: 'color'; 'mono' for NO_COLOR (bold, dim, reverse and
underline only); 'plain' for a dumb terminal (no escape sequences; matched words in [brackets]).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.text import Text

from grondmotief.review.codecard import card, path_label
from grondmotief.review.context import around
from grondmotief.review.lineedit import LineEdit
from grondmotief.review.sentences import sentence_ranges, sentences
from grondmotief.review.session import Item, ReviewSession

STYLES = {
    "color": {
        "header": "bold white on blue",
        "coder": "bold white on blue",
        "context": "dim",
        "label": "bold",
        "hit": "bold black on yellow",
        "hit2": "underline yellow",
        "cursor": "bold reverse",
        "accepted": "green",
        "rejected": "red",
        "score": "cyan",
        "engine": "dim",
        "msg": "yellow",
        "key": "bold cyan",
        "footer": "",
        "outside": "dim",
        "marker": "bold magenta",
        "done": "green",
        "todo": "dim",
        "rule": "dim",
        "prompt": "bold",
    },
    "mono": {
        "header": "reverse bold",
        "coder": "reverse bold",
        "context": "dim",
        "label": "bold",
        "hit": "reverse",
        "hit2": "underline",
        "cursor": "bold reverse",
        "accepted": "bold",
        "rejected": "dim",
        "score": "",
        "engine": "dim",
        "msg": "bold",
        "key": "bold",
        "footer": "",
        "outside": "dim",
        "marker": "bold",
        "done": "",
        "todo": "dim",
        "rule": "dim",
        "prompt": "bold",
    },
}

KEYS_MAIN = [
    ("a", "accept"),
    ("A", "all"),
    ("r", "reject"),
    ("x", "none/next"),
    ("↑↓", "move"),
    ("c", "add code"),
    ("d", "define"),
    ("s", "span"),
    ("m", "memo"),
    ("u", "undo"),
    ("n/→", "next"),
    ("p/←", "back"),
    ("g", "go to"),
    ("f", "find"),
    ("v", "context"),
    ("?", "help"),
    ("q", "quit"),
]
KEYS_PICKER = [("type", "search"), ("↑↓", "choose"), ("Enter", "add code"), ("Ctrl-D", "define"), ("Esc", "cancel")]
KEYS_INPUT = [("Enter", "save"), ("←→", "edit"), ("Esc/Ctrl-C", "cancel"), ("Ctrl-U", "clear")]
KEYS_SPAN = [
    ("2-3,7", "sentences"),
    ("Enter", "quote"),
    ("c", "new code"),
    ("0", "whole passage"),
    ("PgDn/PgUp", "scroll"),
    ("Esc", "cancel"),
]
KEYS_JUMP = [("Enter", "go"), ("Esc/Ctrl-C", "cancel")]
KEYS_CREATE = [("Enter", "create and add"), ("Tab", "next group"), ("l", "label"), ("Esc", "back")]

HELP = [
    (
        "a / Enter",
        "accept the highlighted code; the cursor then moves to the next open suggestion (the message says which)",
    ),
    ("A", "accept every open suggestion of this passage"),
    ("r", "reject the highlighted code (a rejected suggestion is not offered again); the cursor moves on as after a"),
    (
        "x",
        "nothing (else) applies: reject the open suggestions, go to the next passage; with no code accepted it records 'nothing applies' in your codings",
    ),
    ("↑ ↓  k j", "move between codes"),
    (
        "c  /",
        "add any code: fuzzy search on id, Dutch label and keywords; a name that matches no code offers to create it",
    ),
    ("d", "show the highlighted code's definition, include and exclude rules and an example (Ctrl-D in the picker)"),
    ("s", "quote only sentences of the passage: 2-3, or several ranges 2-3,7"),
    ("m", "memo on the highlighted code (pending until you decide, if it has no decision); ← → Home End edit"),
    ("M", "write the memo in $EDITOR (for long memos)"),
    ("u", "undo your last decision in this session, if it is still the latest; press again for the one before"),
    ("U", "redo what u undid, memo included"),
    ("n  →  Space", "next passage (skip; it stays undecided)"),
    ("p  ←  b", "previous passage"),
    ("N", "next passage without a decision"),
    ("g", "go to a passage: org09¶10, org09:10 or org09 10"),
    ("f", "find the next passage containing words (any form: vergunning finds vergunningen); f Enter repeats"),
    ("v", "more context: the respondent's previous turn and the question after, dimmed"),
    ("PgDn PgUp  J K", "scroll a long passage by a page"),
    ("Ctrl-C", "in a prompt: cancel it; elsewhere: quit"),
    ("? F1", "this help"),
    ("q", "quit; every decision is already on disk, `code` resumes"),
]


@dataclass
class Ui:
    mode: str = "main"  # main | picker | memo | span | help | goto | find | create
    cursor: int = 0
    scroll: int = 0
    message: str = ""
    entry: LineEdit = field(default_factory=LineEdit)  # the open prompt's text (picker query, memo, range…)
    pick: int = 0
    matches: list[str] = field(default_factory=list)
    target: str | None = None  # code the memo or span is for
    confirm: str | None = None  # key to press again to confirm leaving
    card: bool = False  # `d`: the highlighted code's codebook entry is shown
    more_context: bool = False  # `v`: the turns around the passage
    help_scroll: int = 0
    page: int = 5  # lines of passage on screen, for PgDn
    last_find: str = ""
    create_group: int = 0  # the group offered for a new code (index into the codebook's groups)
    label_ranges: list[tuple[int, int]] | None = None  # sentences chosen for a new code (in-vivo label)
    in_vivo: bool = True  # a new code's label is the quoted words (when sentences were chosen)

    @property
    def text(self) -> str:
        return self.entry.text

    @property
    def query(self) -> str:
        return self.entry.text


class Screen:
    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.plain = mode == "plain"
        self.styles = STYLES.get(mode, {})

    def s(self, name: str) -> str:
        return self.styles.get(name, "")

    # Rendering to strings ----------------------------------------------------
    def to_strings(self, lines: list[Text], width: int) -> list[str]:
        console = Console(
            file=io.StringIO(),
            width=width,
            force_terminal=not self.plain,
            color_system=None if self.plain else "standard",
            no_color=self.mode == "mono",
            legacy_windows=False,
            emoji=False,
            highlight=False,
            markup=False,
        )
        out = []
        for line in lines:
            line.no_wrap = True
            line.overflow = "crop"
            line.truncate(width, overflow="crop")
            with console.capture() as cap:
                console.print(line, end="", soft_wrap=True)
            out.append(cap.get())
        return out

    # Pieces ------------------------------------------------------------------
    def wrap(self, text: Text, width: int) -> list[Text]:
        console = Console(width=width, file=io.StringIO(), legacy_windows=False)
        return list(text.wrap(console, width))

    def header(self, session: ReviewSession, width: int) -> Text:
        seg = session.current
        t = session.study.transcripts[seg.transcript]
        shown = [_attribute(k, v) for k, v in t.attributes.items() if v not in (None, "")]
        # Words first, then the values that need their attribute's name: a cut takes the latter.
        attrs = " · ".join(text for _, text in sorted(shown, key=lambda a: a[0]))
        p = session.progress()
        title = f" “{t.meta.title}”" if getattr(t.meta, "title", None) else ""
        # Where in the interview, then where in the work: "r1¶2 of 8 “Wandelclub” · 0/7 done".
        left = f" {seg.id} of {len(t.segments)}{title} · {p.done}/{p.total} done"
        left += f" · {attrs}" if attrs else ""
        right = f" {session.coder}{' (read-only)' if session.read_only else ''} "
        room = width - len(right)
        if len(left) > room:
            left = left[: max(0, room - 1)] + "…"
        line = Text(left.ljust(room), style=self.s("header"))
        line.append(right, style=self.s("coder"))
        return line

    def passage(self, session: ReviewSession, items: list[Item], ui: Ui) -> Text:
        """The passage with matched words marked; sentence numbers while narrowing a span."""
        seg = session.current
        text = seg.text
        selected = items[ui.cursor] if items and ui.cursor < len(items) else None
        marks: list[tuple[int, int, str]] = []
        for it in items:
            if it.state == "rejected" or it.suggestion is None:
                continue
            for ev in getattr(it.suggestion, "evidence", []) or []:
                start, end = int(ev.start), int(ev.end)
                if 0 <= start < end <= len(text):
                    marks.append((start, end, "hit" if it is selected else "hit2"))
        pieces = selected.decision.pieces if selected is not None and selected.decision is not None else None
        numbers = {s: f"({i}) " for i, (s, _) in enumerate(sentences(text), start=1)} if ui.mode == "span" else {}
        out = Text()
        out.append(f"{seg.label}: " if seg.label else "", style=self.s("label"))
        if self.plain:
            out.append(_bracketed(text, marks, numbers, pieces))
            return out
        body = Text()
        cuts = sorted({0, len(text), *numbers, *(m[0] for m in marks), *(m[1] for m in marks)})
        for a, b in zip(cuts, cuts[1:], strict=False):
            if a in numbers:
                body.append(numbers[a], style=self.s("marker"))
            body.append(text[a:b])

        # Offsets in `body` (sentence numbers shift the text): a style starts after a number
        # inserted at its start, and ends before one inserted at its end.
        def first(i: int) -> int:
            return i + sum(len(v) for k, v in numbers.items() if k <= i)

        def last(i: int) -> int:
            return i + sum(len(v) for k, v in numbers.items() if k < i)

        if pieces:  # what the quote leaves out is dimmed
            edges = [0, *(x for piece in pieces for x in piece), len(text)]
            for a, b in zip(edges[::2], edges[1::2], strict=True):
                body.stylize(self.s("outside"), first(a) if a else 0, last(b) if b < len(text) else len(body))
        for start, end, kind in sorted(marks, key=lambda m: m[2] == "hit"):
            body.stylize(self.s(kind), first(start), last(end))
        out.append_text(body)
        return out

    def item_rows(self, session: ReviewSession, it: Item, selected: bool, width: int, idw: int) -> list[Text]:
        """The code's row, and under it the first line of its memo when it has one."""
        cb = session.study.codebook
        code = cb.codes.get(it.code)
        label = code.label if code else "(not in codebook)"
        mark = {"accepted": "+" if self.plain else "✓", "rejected": "-" if self.plain else "✗", "open": " "}[it.state]
        line = Text(">" if selected else " ", style=self.s("cursor") if selected else "")
        line.append(f"{mark} ", style=self.s(it.state) if it.state != "open" else "")
        name = self._path(cb, it.code)
        line.append(f"{_fit_left(name, idw)} ", style=self.s("cursor") if selected else self.s("label"))
        labw = 20 if width >= 80 else 14
        line.append(f"{_fit(label, labw)} ", style=self.s("rejected") if it.state == "rejected" else "")
        score = it.score
        line.append(f"{score:4.2f} " if score is not None else "   – ", style=self.s("score"))
        engine = it.source.split(":", 1)[1] if it.source.startswith("suggest:") else it.source
        line.append(f"{engine[:7]:<7} ", style=self.s("engine"))
        extra = []
        if it.decision is not None and it.decision.span is not None:
            rngs = sentence_ranges(session.current.text, it.decision.pieces)
            extra.append("§" + ",".join(f"{a}-{b}" if a != b else f"{a}" for a, b in rngs))
        words = _evidence_words(it.suggestion)
        tail = " ".join(extra + ([", ".join(words)] if words else []))
        line.append(tail, style=self.s("engine") if not selected else "")
        if line.cell_len > width:  # evidence cut at the edge: say so (the message line has it whole)
            line.truncate(width - 1)
            line.append("…", style=self.s("engine"))
        rows = [line]
        memo = it.decision.memo.strip() if it.decision is not None else ""
        if memo:
            first = memo.splitlines()[0]
            more = " …" if len(memo.splitlines()) > 1 else ""
            row = Text(f"     memo: {first}{more}", style=self.s("engine"))
            row.truncate(width, overflow="ellipsis")
            rows.append(row)
        return rows

    def _path(self, cb: Any, code_id: str) -> str:
        name = path_label(cb, code_id)
        return name.replace(" ▸ ", " > ") if self.plain else name

    def footer(self, keys: list[tuple[str, str]], width: int) -> list[Text]:
        lines: list[Text] = [Text()]
        for key, what in keys:
            if self.plain:
                key = key.replace("↑↓", "up/dn").replace("←→", "left/right").replace("→", "right").replace("←", "left")
            piece_len = len(key) + 1 + len(what) + 2
            if lines[-1].cell_len + piece_len > width and lines[-1].cell_len:
                lines.append(Text())
            lines[-1].append(key, style=self.s("key"))
            lines[-1].append(f" {what}  ", style=self.s("footer"))
        return lines

    def progress(self, session: ReviewSession, width: int) -> Text:
        p = session.progress()
        eta = _duration(p.eta_seconds) if p.eta_seconds is not None else "–"
        info = f" {p.done}/{p.total} done · {p.todo} to do · {eta} left"
        bar_w = max(10, min(30, width - len(info) - 2))
        filled = round(bar_w * p.done / p.total) if p.total else 0
        line = Text("[" if self.plain else "")
        line.append(("#" if self.plain else "━") * filled, style=self.s("done"))
        line.append(("." if self.plain else "─") * (bar_w - filled), style=self.s("todo"))
        line.append("]" if self.plain else "")
        line.append(info)
        return line

    # The screen ---------------------------------------------------------------
    def render(self, session: ReviewSession, ui: Ui, width: int, height: int) -> list[str]:
        if ui.mode == "help":
            return self.to_strings(self.help_lines(ui, width, height), width)
        lines = self.layout(session, ui, width, height)
        return self.to_strings(lines, width)

    def card_code(self, session: ReviewSession, ui: Ui, items: list[Item]) -> str | None:
        """The code whose codebook entry `d` shows: the picker's highlighted match, else the highlighted row."""
        if ui.mode in ("picker", "create"):
            return ui.matches[ui.pick] if ui.matches and ui.mode == "picker" else None
        return items[ui.cursor].code if items and ui.cursor < len(items) else None

    def card_lines(self, session: ReviewSession, code: str, width: int, room: int) -> list[Text]:
        out: list[Text] = []
        for heading, text in card(session.study.codebook, code):
            row = Text(f"{heading}: " if heading else "", style=self.s("key"))
            row.append(text)
            out += self.wrap(row, width)
        if len(out) > room:
            out = out[: max(1, room)]
            out[-1].truncate(width - 16)
            out[-1].append(" … (more: wider)", style=self.s("engine"))
        out.append(Text(("-" if self.plain else "┄") * width, style=self.s("rule")))
        return out

    def layout(self, session: ReviewSession, ui: Ui, width: int, height: int) -> list[Text]:
        items = session.items()
        seg = session.current
        keys = {
            "picker": KEYS_PICKER,
            "memo": KEYS_INPUT,
            "span": KEYS_SPAN,
            "goto": KEYS_JUMP,
            "find": KEYS_JUMP,
            "create": KEYS_CREATE,
        }.get(ui.mode, KEYS_MAIN)
        foot = self.footer(keys, width)
        if height < 16 and len(foot) > 1:
            foot = foot[:1]
        rule = Text(("-" if self.plain else "─") * width, style=self.s("rule"))

        # Lower block: codes (or the picker), message, progress, footer.
        lower: list[Text] = []
        if ui.mode in ("picker", "create"):
            lower += self.picker_lines(session, ui, width, max(3, min(8, height // 3)))
        else:
            lower += self.code_lines(session, items, ui, width, max(1, min(6, height // 4)))
        message = self.message_line(session, ui, items, width)
        if ui.mode == "main" and message.plain:
            wrapped = self.wrap(message, width)
            if len(wrapped) > 2:
                wrapped = wrapped[:2]
                wrapped[-1].truncate(width - 1)
                wrapped[-1].append("…", style=self.s("engine"))
            lower += wrapped
        else:
            lower.append(message)
        lower.append(self.progress(session, width))
        lower += foot

        # Upper block: header, context, the code card, passage (scrolled to fit).
        upper: list[Text] = [self.header(session, width)]
        before, after = around(session.study, seg, more=ui.more_context)
        ctx_lines = 2 if height >= 20 else 1
        if before and not ui.more_context:
            ctx_seg = before[-1]
            wrapped = self.wrap(self.turn(ctx_seg), width)
            if len(wrapped) > ctx_lines:
                wrapped = wrapped[:ctx_lines]
                wrapped[-1].truncate(width - 1)
                wrapped[-1].append("…", style=self.s("context"))
            upper += wrapped
        upper.append(rule)
        room = height - len(upper) - len(lower) - 1
        code = self.card_code(session, ui, items) if ui.card else None
        if code is not None:
            upper += self.card_lines(session, code, width, max(2, room - 3))  # the passage keeps a few lines
            room = height - len(upper) - len(lower) - 1
        body: list[Text] = []
        if ui.more_context:
            for turn in before:
                body += self.wrap(self.turn(turn), width)
        body += self.wrap(self.passage(session, items, ui), width)
        for turn in after:
            body += self.wrap(self.turn(turn), width)
        ui.page = max(1, room - 2)
        if len(body) > room:
            ui.scroll = max(0, min(ui.scroll, len(body) - room + 1))
            shown = body[ui.scroll : ui.scroll + room - 1]
            above, below = ui.scroll, len(body) - ui.scroll - len(shown)
            more = Text(f"  ↕ {above} line(s) above, {below} below: PgDn/PgUp (J/K) scroll", style=self.s("engine"))
            body = [*shown, more]
        else:
            ui.scroll = 0
        upper += body
        pad = height - len(upper) - len(lower) - 1
        upper += [Text() for _ in range(max(0, pad))]
        return [*upper, rule, *lower][:height]

    def turn(self, seg: Any) -> Text:
        """A turn around the passage, dimmed: context, not what is being coded."""
        ctx = Text(f"{seg.label}: " if seg.label else "", style=self.s("context"))
        ctx.append(seg.text, style=self.s("context"))
        return ctx

    def code_lines(self, session: ReviewSession, items: list[Item], ui: Ui, width: int, room: int) -> list[Text]:
        none = session.nothing_applies()
        if none is not None:
            room = max(1, room - 1)
            mark = "-" if self.plain else "✗"
            memo = f" memo: {none.memo.splitlines()[0]}" if none.memo.strip() else ""
            nothing = Text(f" {mark} nothing applies", style=self.s("rejected"))
            nothing.append(f" (recorded with x; accepting a code replaces it){memo}", style=self.s("engine"))
            nothing.truncate(width, overflow="ellipsis")
        if not items:
            if none is not None:
                return [nothing]
            found = session.suggestions(session.current)
            feed = session.feed
            if found is None:
                msg = "Suggestions are being computed… (c adds a code meanwhile)"
            elif feed is not None and feed.error:
                # One explanation, not "no suggestions" next to "unavailable" (the message line stays quiet).
                why = self.wrap(Text(f"Suggestions unavailable: {feed.error.rstrip('.')}.", style=self.s("msg")), width)
                if len(why) > room - 1:
                    why = why[: max(1, room - 1)]
                    why[-1].truncate(width - 1)
                    why[-1].append("…", style=self.s("msg"))
                return [*why, Text("c adds a code, x marks 'nothing applies'.", style=self.s("engine"))][:room]
            elif feed is not None and not feed.available:
                msg = "No suggestion engine here: c adds a code, x marks 'nothing applies'."
            else:
                msg = "No suggestions for this passage: c adds a code, x marks 'nothing applies'."
            return self.wrap(Text(msg, style=self.s("engine")), width)[:room]
        ui.cursor = max(0, min(ui.cursor, len(items) - 1))
        cb = session.study.codebook
        # Ids are short: show them whole, with a child's parent ("scarcity-abundance ▸ scarcity").
        idw = min(32, max((len(self._path(cb, it.code)) for it in items), default=8))
        idw = max(idw, min(22, max((len(c) for c in cb.codes), default=8)))
        idw = max(12, min(idw, width - (36 if width >= 80 else 30) - 8))  # leave room for label, score, engine
        rows: list[tuple[int, Text]] = []
        for i, it in enumerate(items):
            for row in self.item_rows(session, it, i == ui.cursor, width, idw):
                rows.append((i, row))
        at = next(k for k, (i, _) in enumerate(rows) if i == ui.cursor)
        first = max(0, min(at - room // 2, len(rows) - room))
        shown = rows[first : first + room]
        out = [row for _, row in shown]
        hidden = len({i for i, _ in rows} - {i for i, _ in shown})
        if hidden:
            out[-1] = out[-1][: width - 12]
            out[-1].append(f"  (+{hidden} more)", style=self.s("engine"))
        if none is not None:
            out.append(nothing)
        return out

    def picker_lines(self, session: ReviewSession, ui: Ui, width: int, room: int) -> list[Text]:
        cb = session.study.codebook
        if ui.mode == "create":
            return self.create_lines(session, ui, width, room)
        line = Text("Add code: ", style=self.s("prompt"))
        line.append_text(self.field_text(ui.entry, width - len(line)))
        out = [line]
        if not ui.matches:
            hint = "Enter creates it as a new code" if ui.query.strip() else "Backspace to widen"
            out.append(Text(f"  no code matches; {hint}", style=self.s("engine")))
        ui.pick = max(0, min(ui.pick, len(ui.matches) - 1))
        first = max(0, min(ui.pick - (room - 1) // 2, len(ui.matches) - (room - 1)))
        shown = ui.matches[first : first + room - 1]
        # The label column takes the width there is: ids whole, then labels, then group and parent.
        idw = min(24, max((len(cid) for cid in shown), default=8))
        labw = max((len(cb.codes[cid].label) for cid in shown), default=10)
        rest = width - 4 - idw
        labw = max(10, min(labw, rest - 1))
        for i, cid in enumerate(shown, start=first):
            c = cb.codes[cid]
            sel = i == ui.pick
            row = Text(">" if sel else " ", style=self.s("cursor") if sel else "")
            done = session.decisions.get((session.current.id, cid))
            mark = (
                " "
                if done is None
                else ("+" if self.plain else "✓")
                if done.decision == "accepted"
                else ("-" if self.plain else "✗")
            )
            row.append(f"{mark} {_fit(cid, idw)} ", style=self.s("cursor") if sel else self.s("label"))
            row.append(f"{_fit(c.label, labw)} ")
            where = c.group + (f" {'>' if self.plain else '▸'} {c.parent}" if c.parent else "")
            if row.cell_len + len(where) <= width:
                row.append(where, style=self.s("engine"))
            out.append(row)
        return out

    def create_lines(self, session: ReviewSession, ui: Ui, width: int, room: int) -> list[Text]:
        """Confirming a new code: what will be written into the codebook, Enter to do it."""
        from grondmotief.review.newcode import proposal

        prop = proposal(session, ui.query, ui.create_group, ui.label_ranges, in_vivo=ui.in_vivo)
        out = [Text(f"New code '{prop.id}' (no code matches '{ui.query.strip()}'):", style=self.s("prompt"))]
        switch = "  (l: the name typed)" if prop.in_vivo else "  (l: the quoted words)" if ui.label_ranges else ""
        out.append(Text(f"  label: {prop.label}{switch}"))
        out.append(Text(f"  group: {prop.group}  (Tab: another group)"))
        out.append(Text(f"  into:  {session.study.rel(session.study.codebook.path)}", style=self.s("engine")))
        for row in out:
            row.truncate(width, overflow="ellipsis")
        return out[: max(room, 4)]

    def field_text(self, edit: LineEdit, width: int) -> Text:
        """A prompt's text with its cursor (a bar, or `_` on a dumb terminal) where the next key goes."""
        shown, at = edit.window(max(4, width - 1))
        out = Text(shown[:at])
        if self.plain:
            out.append("_")
            out.append(shown[at:])
        elif at < len(shown):
            out.append(shown[at], style="reverse")
            out.append(shown[at + 1 :])
        else:
            out.append("▏")
        return out

    def message_line(self, session: ReviewSession, ui: Ui, items: list[Item], width: int) -> Text:
        prompts = {
            "memo": f"Memo on {ui.target or 'this passage'}: ",
            "goto": "Go to passage (org09¶10, org09:10 or org09 10): ",
            "find": "Find words" + (f" (Enter: '{ui.last_find}' again)" if ui.last_find else "") + ": ",
        }
        if ui.mode == "span":
            n = len(sentences(session.current.text))
            prompts["span"] = (
                f"Quote sentences of {ui.target} (1-{n}), e.g. 2-3,7: "
                if ui.target
                else f"Sentences (1-{n}) for a code, then c to pick or create it: "
            )
        if ui.mode in prompts:
            line = Text(prompts[ui.mode], style=self.s("prompt"))
            line.append_text(self.field_text(ui.entry, width - len(line)))
            return line
        msg = ui.message
        if not msg and session.pending_memo.get(session.current.id):
            msg = "memo pending: saved with your next decision on this passage"
        if not msg and session.feed is not None and session.feed.error and items:
            msg = f"suggestions unavailable: {session.feed.error}"  # without items, the code list says it
        if msg:
            return Text(msg, style=self.s("msg"))
        # Nothing to say: spell out the highlighted suggestion's evidence, with the rule each word matched.
        selected = items[ui.cursor] if items and ui.cursor < len(items) else None
        if selected is None or selected.suggestion is None:
            return Text()
        parts = []
        for ev in getattr(selected.suggestion, "evidence", []) or []:
            rule = str(getattr(ev, "rule", "") or "").split(":", 1)[-1]
            word = str(getattr(ev, "text", ""))
            parts.append(word if not rule or rule == word else f"{word} ({rule})")
        line = Text("evidence: " if parts else "no matched words (model)", style=self.s("engine"))
        line.append(", ".join(dict.fromkeys(parts)))
        return line  # wrapped to two lines by the layout

    def help_lines(self, ui: Ui, width: int, height: int) -> list[Text]:
        body: list[Text] = []
        for key, what in HELP:
            rows = self.wrap(Text(what), max(20, width - 18))
            for i, row in enumerate(rows):
                line = Text(f" {key if i == 0 else '':<16} ", style=self.s("key"))
                line.append_text(row)
                body.append(line)
        body += [Text(), Text(" Every decision is written to codings/<coder>.jsonl at once.", style=self.s("engine"))]
        room = height - 3
        ui.help_scroll = max(0, min(ui.help_scroll, len(body) - room))
        shown = body[ui.help_scroll : ui.help_scroll + room]
        below = len(body) - ui.help_scroll - len(shown)
        out = [Text(" grondmotief code: keys".ljust(width), style=self.s("header")), *shown]
        if below > 0:
            out.append(Text(f" ↓ {below} more below · ↓/PgDn scroll · any other key: back", style=self.s("prompt")))
        elif ui.help_scroll:
            out.append(Text(" ↑/PgUp scroll up · any other key: back", style=self.s("prompt")))
        else:
            out.append(Text(" Press any key to go back.", style=self.s("prompt")))
        return out[:height]


def _fit_left(text: str, n: int) -> str:
    """Like _fit, but a long "parent ▸ child" loses its start: the child is the code meant."""
    return f"{text:<{n}}" if len(text) <= n else "…" + text[len(text) - n + 1 :]


def _fit(text: str, n: int) -> str:
    """Exactly n cells wide: padded, or cut with an ellipsis so a shortened label reads as one."""
    return f"{text:<{n}}" if len(text) <= n else text[: n - 1] + "…"


def _attribute(key: str, value: Any) -> tuple[bool, str]:
    """A case attribute for the header, and whether it needed its name.

    Words speak for themselves ("sport"); a bare number would not ("· 1 ·"), so it gets its
    attribute's name ("municipalities 1"), as does a yes/no attribute.
    """
    if isinstance(value, bool):
        return True, key if value else f"no {key}"
    text = str(value)
    return (False, text) if any(ch.isalpha() for ch in text) else (True, f"{key} {text}")


def _evidence_words(suggestion: Any) -> list[str]:
    if suggestion is None:
        return []
    seen: list[str] = []
    for ev in getattr(suggestion, "evidence", []) or []:
        word = str(getattr(ev, "text", "")).strip()
        if word and word not in seen:
            seen.append(word)
    return seen


def _bracketed(
    text: str, marks: list[tuple[int, int, str]], numbers: dict[int, str], pieces: list[tuple[int, int]] | None
) -> str:
    """Plain look: [matched words], «narrowed quote», (n) sentence numbers."""
    opens: dict[int, str] = {}
    closes: dict[int, str] = {}
    merged: list[list[int]] = []
    for start, end, _ in sorted(marks):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in merged:
        opens[start] = opens.get(start, "") + "["
        closes[end] = "]" + closes.get(end, "")
    for start, end in pieces or []:
        opens[start] = "«" + opens.get(start, "")
        closes[end] = closes.get(end, "") + "»"
    out = []
    for i, ch in enumerate(text):
        out.append(closes.get(i, ""))
        out.append(numbers.get(i, ""))
        out.append(opens.get(i, ""))
        out.append(ch)
    out.append(closes.get(len(text), ""))
    return "".join(out)


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 1:
        return "<1 min"
    if minutes < 60:
        return f"~{minutes} min"
    return f"~{minutes // 60}h{minutes % 60:02d}"
