"""The tables of cli/tables.py written without rich, where rich would write exactly these bytes.

Into a pipe or a file rich draws a table without colour, so `tally` and `words` spent ~40 ms of
their start-up (issue 14) importing rich to draw box characters. This draws the two layouts
that fit the width as they are (boxed; without vertical rules) the way rich does, for plain
cells only: no title, one line each, characters one column wide. Anything else (a terminal,
forced colour, a table that must wrap or shorten its headers) goes to rich; tests compare both.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grondmotief.cli.output import Column


def _plain_char(c: str) -> bool:
    """One terminal column to rich, printed as is: printable ASCII or Latin-1/Latin Extended-A
    letters (é, ë, ĳ), not the soft hyphen."""
    o = ord(c)
    return 0x20 <= o < 0x7F or (0xA0 <= o <= 0x17F and o != 0xAD)


def _plain(text: str) -> bool:
    return all(_plain_char(c) for c in text)


def _width() -> int:
    """rich's Console.size width for a console that is not a terminal (no legacy Windows)."""
    width = None
    for fd in (0, 1, 2):  # rich asks stdin, stdout, stderr in turn
        try:
            width = os.get_terminal_size(fd).columns
        except (AttributeError, ValueError, OSError):
            continue
        break
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        width = int(columns)
    return width or 80


def boxed_width(widths: Sequence[int]) -> int:
    """Width of rich's boxed table: one space of padding each side and a rule per column, one more."""
    return sum(widths) + 3 * len(widths) + 1


def compact_width(widths: Sequence[int]) -> int:
    """Width without vertical rules and edges: two spaces between columns."""
    return sum(widths) + 2 * max(len(widths) - 1, 0)


def share_out(least: list[int], natural: list[int], spare: int) -> list[int]:
    """Give the spare columns to the columns that wrap, in proportion to what each lacks."""
    widths = list(least)
    lacking = [n - m for m, n in zip(least, natural, strict=True)]
    total = sum(lacking)
    if total <= 0:
        return widths
    for i, lack in enumerate(lacking):
        widths[i] += min(lack, spare * lack // total)
    return widths


def render(cells: list[list[str]], columns: Sequence[Column], width: int) -> str | None:
    """The table as rich prints it at this width (tables.py's first, second and fourth layout),
    or None where this cannot say."""
    headers = [c.title for c in columns]
    if any(c.justify not in ("left", "right") for c in columns):
        return None
    if not all(_plain(v) for row in [headers, *cells] for v in row):
        return None
    full = [max(len(h), *(len(r[i]) for r in cells), 0) for i, h in enumerate(headers)]
    if boxed_width(full) <= width:
        return _boxed(headers, cells, columns, full)
    if compact_width(full) <= width:
        return _compact(headers, cells, columns, full)
    if any(c.short and c.short != c.title for c in columns):
        return None  # short headers and a legend: rich's
    least = [max(_longest_word(h), *(_longest_word(r[i]) for r in cells), 0) for i, h in enumerate(headers)]
    if compact_width(least) > width:
        return None  # one block per row: rich's
    return _compact(headers, cells, columns, share_out(least, full, width - compact_width(least)))


def _longest_word(text: str) -> int:
    return max((len(w) for w in text.split()), default=0)


_WORD = re.compile(r"\s*\S+\s*")  # rich's words: leading space (first only) and trailing space included


def _lines(text: str, width: int, justify: str) -> list[str] | None:
    """A cell's lines as rich wraps it at spaces (rich.text.Text.wrap, divide_line), justified and
    padded to `width`; None if a word is longer than that (rich folds it)."""
    breaks, offset = [], 0
    for m in _WORD.finditer(text):
        word = m.group()
        length = len(word.rstrip())
        if length > width:
            return None
        if width - offset >= length:
            offset += len(word)
        elif offset:
            breaks.append(m.start())
            offset = len(word)
    out = []
    for a, b in zip([0, *breaks], [*breaks, len(text)], strict=True):
        line = text[a:b]
        if len(line) > width:  # rich's rstrip_end: whitespace beyond the width goes
            line = line[: len(line) - min(len(line) - len(line.rstrip()), len(line) - width)]
        if len(line) > width:
            return None
        out.append(line.rstrip().rjust(width) if justify == "right" else line.ljust(width))
    return out


def _rows(values: list[str], widths: list[int], columns: Sequence[Column]) -> list[list[str]] | None:
    """One table row as lines of its cells, each cell's lines padded to the row's height."""
    cells = [_lines(v, w, c.justify) for v, w, c in zip(values, widths, columns, strict=True)]
    if any(c is None for c in cells):
        return None
    height = max((len(c) for c in cells if c is not None), default=1)
    return [
        [c[i] if i < len(c) else " " * w for c, w in zip(cells, widths, strict=True) if c is not None]
        for i in range(height)
    ]


def _boxed(headers: list[str], cells: list[list[str]], columns: Sequence[Column], widths: list[int]) -> str | None:
    """rich's box.HEAVY_HEAD, one space of padding each side."""

    def row(values: list[str], rule: str) -> str | None:
        lines = _rows(values, widths, columns)
        if lines is None:
            return None
        return "".join(f"{rule}{rule.join(f' {v} ' for v in line)}{rule}\n" for line in lines)

    def line(left: str, fill: str, cross: str, right: str) -> str:
        return left + cross.join(fill * (w + 2) for w in widths) + right + "\n"

    out = [line("┏", "━", "┳", "┓"), row(headers, "┃"), line("┡", "━", "╇", "┩")]
    out += [row(r, "│") for r in cells]
    out.append(line("└", "─", "┴", "┘"))
    return None if any(x is None for x in out) else "".join(out)  # type: ignore[arg-type]


def _compact(headers: list[str], cells: list[list[str]], columns: Sequence[Column], widths: list[int]) -> str | None:
    """rich's box.SIMPLE_HEAD without edges, padding collapsed: two spaces between columns."""

    def row(values: list[str]) -> str | None:
        lines = _rows(values, widths, columns)
        return None if lines is None else "".join("  ".join(line) + "\n" for line in lines)

    out = [row(headers), "─" * compact_width(widths) + "\n", *(row(r) for r in cells)]
    return None if any(x is None for x in out) else "".join(out)  # type: ignore[arg-type]


def try_print(cells: list[list[str]], columns: Sequence[Column], *, title: str | None) -> bool:
    """Write the table to stdout without rich if rich would write the same bytes; else False."""
    from grondmotief.cli.console import _is_terminal, out

    stream = sys.stdout
    if title is not None or out._console is not None or _is_terminal(stream):
        return False
    if not (getattr(stream, "encoding", None) or "utf-8").lower().startswith("utf"):
        return False  # rich draws ASCII boxes then
    text = render(cells, columns, _width())
    if text is None:
        return False
    stream.write(text)
    stream.flush()
    return True
