"""Markdown that quoted speech cannot break: escaping for blockquotes, tables and inline text.

Everything here targets CommonMark plus the GitHub extensions (tables, strikethrough, autolinks):
a quote is shown literally, on its own lines, and can neither open a heading, list, link, image,
code span, emphasis, HTML element nor a new table cell.
"""

from __future__ import annotations

import re

# Control characters and bidirectional overrides: invisible, and able to reorder what a reader sees.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ENTITY = re.compile(r"&(?=#?\w+;)")
# At the start of a line: list markers, ordered-list numbers, setext underlines, thematic breaks and
# ATX headings, each only when followed by a space (or nothing): "1990 was" and "#1" stay as they are.
_LINE_START = re.compile(r"^(\s*|\s*\d{1,9})((?<!\d)(?:[-+*]|=+|-{3,}|#{1,6})|(?<=\d)[.)])(?=\s|$)")
_CLOSING_HASHES = re.compile(r"(?<=\s)(#+)$")  # would be stripped from a heading: "## Thema #"
_ALWAYS = frozenset("\\`[]")  # escapes, code spans, links and images
_MAYBE = re.compile(r"[\\`\[\]|*~_!]")  # text without any of these needs no look at its neighbours


class Md(str):
    """Text that is already safe Markdown (made here, or by a template on purpose)."""

    __slots__ = ()


def clean(text: str) -> str:
    """One line of plain text: invisible controls removed, runs of whitespace made one space."""
    return " ".join(_INVISIBLE.sub("", text).split())


def escape_inline(text: str, *, pipes: bool = True) -> str:
    """Escape what is special in context so text renders literally on one line, and nothing more.

    A backslash is added only where the character could do something: `[`, `]`, backticks and
    backslashes always; `*` and `~` unless they stand between spaces ("3 * 4"); `_` unless between
    spaces or inside a word ("snake_case"); `!` only before `[`; `#`, `+`, `-`, `*` and "1." only
    at the start of the line (headings, lists); `|` when the text may sit in a table (`pipes`).
    `<` and `>` always become entities (HTML, blockquote markers). "&" is escaped only where it
    would start an entity ("&amp;"), so "Zorg & Welzijn" stays readable. Parentheses are left
    alone: "(…)" elisions are harmless once brackets are escaped. The result reads cleanly when
    pasted from the Markdown source into a word processor ("Crowdmanagement!", not "…\\!").
    """
    text = _ENTITY.sub("&amp;", clean(text))
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    if _MAYBE.search(text):
        text = _escape_chars(text, pipes)
    text = _CLOSING_HASHES.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _escape_chars(text: str, pipes: bool) -> str:
    out: list[str] = []
    n = len(text)
    for i, ch in enumerate(text):
        prev = text[i - 1] if i > 0 else ""
        nxt = text[i + 1] if i + 1 < n else ""
        if ch in _ALWAYS or (ch == "|" and pipes):
            special = True
        elif ch in "*~":
            special = not (prev.isspace() and nxt.isspace())
        elif ch == "_":
            special = not ((prev.isspace() and nxt.isspace()) or (prev.isalnum() and nxt.isalnum()))
        elif ch == "!":
            special = nxt == "["
        else:
            special = False
        out.append("\\" + ch if special else ch)
    return "".join(out)


def escape_text(text: str) -> str:
    """Like escape_inline, but a leading or trailing space survives (for text printed mid-line)."""
    if not text:
        return text
    lead = " " if text[0].isspace() else ""
    trail = " " if text[-1].isspace() and text.strip() else ""
    return lead + escape_inline(text) + trail


def blockquote(text: str) -> str:
    """A quote as a Markdown blockquote; paragraphs kept, specials escaped per line."""
    paras = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    # One line per paragraph, each followed by a blank quote line: a pipe cannot start a table here.
    return "\n>\n".join("> " + escape_inline(p, pipes=False) for p in paras)


def table_cell(text: object) -> str:
    """A table cell: one line, pipes and everything else escaped."""
    return escape_inline("" if text is None else str(text))
