"""Markdown that quoted speech cannot break: escaping for blockquotes, tables and inline text.

Everything here targets CommonMark plus the GitHub extensions (tables, strikethrough, autolinks):
a quote is shown literally, on its own lines, and can neither open a heading, list, link, image,
code span, emphasis, HTML element nor a new table cell.
"""

from __future__ import annotations

import re

# Control characters and bidirectional overrides: invisible, and able to reorder what a reader sees.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPECIAL = re.compile(r"([\\`*_{}\[\]#+!|~^])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_LINE_START = re.compile(r"^(\s*)([-+]|\d+[.)]|=+|-{3,})(?=\s|$)")


class Md(str):
    """Text that is already safe Markdown (made here, or by a template on purpose)."""

    __slots__ = ()


def clean(text: str) -> str:
    """One line of plain text: invisible controls removed, runs of whitespace made one space."""
    return " ".join(_INVISIBLE.sub("", text).split())


def escape_inline(text: str) -> str:
    """Escape Markdown and HTML specials so text renders literally on one line.

    Parentheses are left alone: "(…)" elisions are everywhere in quotes and harmless once
    brackets are escaped. "&" is escaped only where it would start an entity ("&amp;"), so
    "Zorg & Welzijn" stays readable in the Markdown source.
    """
    text = _ENTITY.sub("&amp;", clean(text))
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


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
    return "\n>\n".join("> " + escape_inline(p) for p in paras)


def table_cell(text: object) -> str:
    """A table cell: one line, pipes and everything else escaped."""
    return escape_inline("" if text is None else str(text))
