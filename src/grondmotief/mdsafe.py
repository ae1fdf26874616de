"""Markdown that quoted speech cannot break: escaping for blockquotes, tables and inline text."""

from __future__ import annotations

import html
import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
_LINE_START = re.compile(r"^(\s*)([-+]|\d+[.)]|=+|-{3,})(?=\s|$)")


def escape_inline(text: str) -> str:
    """Escape Markdown and HTML specials so text renders literally on one line.

    Parentheses are left alone: "(…)" elisions are everywhere in quotes and harmless
    once brackets are escaped.
    """
    text = html.escape(" ".join(text.split()), quote=False)
    text = re.sub(r"([\\`*_{}\[\]#+!|~])", r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def blockquote(text: str) -> str:
    """A quote as a Markdown blockquote; paragraphs kept, specials escaped per line."""
    paras = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "\n>\n".join("> " + escape_inline(p) for p in paras)
