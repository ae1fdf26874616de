"""Keyword-in-context lines: each match with up to `width` characters of its passage either side."""

from __future__ import annotations

from dataclasses import dataclass

from grondmotief.search.query import Match

ELLIPSIS = "…"


@dataclass(frozen=True)
class Line:
    left: str  # context before the match, cut at a word boundary ("…" where it was cut)
    match: str  # the matched text as written
    right: str
    start: int  # the match's offsets in the passage
    end: int

    def plain(self) -> str:
        return f"{self.left}{self.match}{self.right}"


def kwic(text: str, m: Match, width: int = 40) -> Line:
    """One line: whitespace (line breaks too) collapsed to single spaces, context cut to whole
    words where a word boundary lies within the last third of `width`."""
    left, right = _squash(text[: m.start]), _squash(text[m.end :])
    if len(left) > width:
        cut = left[-width:]
        space = cut.find(" ")
        left = ELLIPSIS + (cut[space + 1 :] if 0 <= space < width // 3 else cut)
    if len(right) > width:
        cut = right[:width]
        space = cut.rfind(" ")
        right = (cut[:space] if space > width * 2 // 3 else cut) + ELLIPSIS
    return Line(left, _squash(text[m.start : m.end]), right, m.start, m.end)


def _squash(s: str) -> str:
    """Runs of whitespace to one space, keeping a leading or trailing one (it separates words)."""
    inner = " ".join(s.split())
    if not inner:
        return " " if s and s[0].isspace() else ""
    return (" " if s[0].isspace() else "") + inner + (" " if s[-1].isspace() else "")
