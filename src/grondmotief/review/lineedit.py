"""A one-line text field for the review loop's prompts (memo, picker, range, jump, search).

Keys arrive as names from cli/terminal.py ('left', 'home', 'backspace', 'ctrl-w', 'é'). The
cursor can move within the text, so a typo in the middle of a memo is fixed without retyping.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class LineEdit:
    text: str = ""
    pos: int | None = None  # cursor position; None = at the end

    def __post_init__(self) -> None:
        self.pos = len(self.text) if self.pos is None else max(0, min(self.pos, len(self.text)))

    @property
    def cursor(self) -> int:
        return len(self.text) if self.pos is None else self.pos

    def set(self, text: str) -> None:
        self.text, self.pos = text, len(text)

    def key(self, key: str, allowed: str | None = None) -> bool:
        """Apply an editing key; False when the key is not an editing key (the caller handles it)."""
        t, p = self.text, self.cursor
        if key == "left":
            self.pos = max(0, p - 1)
        elif key == "right":
            self.pos = min(len(t), p + 1)
        elif key in ("home", "ctrl-a"):
            self.pos = 0
        elif key in ("end", "ctrl-e"):
            self.pos = len(t)
        elif key == "backspace":
            if p:
                self.text, self.pos = t[: p - 1] + t[p:], p - 1
        elif key == "delete":
            self.text = t[:p] + t[p + 1 :]
        elif key == "ctrl-u":
            self.text, self.pos = t[p:], 0
        elif key == "ctrl-w":
            head = t[:p].rstrip()
            cut = head.rfind(" ") + 1 if " " in head else 0
            self.text, self.pos = t[:cut] + t[p:], cut
        elif len(key) == 1 and key.isprintable():
            if allowed is not None and key not in allowed:
                return True  # swallowed: not a character this field takes
            self.text, self.pos = t[:p] + key + t[p:], p + 1
        else:
            return False
        return True

    def window(self, width: int) -> tuple[str, int]:
        """The part of the text that fits `width` cells with the cursor in view, and the cursor's place in it."""
        t, p = self.text, self.cursor
        if len(t) < width:
            return t, p
        start = max(0, min(p - width + 1, len(t) - width + 1)) if p >= width else 0
        return t[start : start + width - 1], p - start
