"""Tables for people that fit the terminal without cutting a word: ids and code names stay whole.

Tried in order until one fits the console width:
  1. the boxed table as it is;
  2. without vertical rules (two spaces between columns);
  3. the same with the columns' short headers, and a legend below;
  4. wrapped cells: every column at least as wide as its longest word, text wrapping at spaces;
  5. one block per row, "header  value" lines (like psql's expanded display).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from grondmotief.cli.plain_table import boxed_width, compact_width, share_out

if TYPE_CHECKING:
    from rich.console import Console

    from grondmotief.cli.output import Column


def _longest_line(text: str) -> int:
    return max((cell_len(line) for line in text.split("\n")), default=0)


def _longest_word(text: str) -> int:
    return max((cell_len(w) for w in text.split()), default=0)


def print_table(
    console: Console, cells: list[list[str]], columns: Sequence[Column], *, title: str | None = None
) -> None:
    width = console.width
    titles = [c.title for c in columns]
    shorts = [c.short or c.title for c in columns]

    def natural(headers: list[str]) -> list[int]:
        return [max(_longest_line(h), *(_longest_line(r[i]) for r in cells), 0) for i, h in enumerate(headers)]

    full = natural(titles)
    if boxed_width(full) <= width:
        console.print(_table(cells, columns, titles, boxed=True, title=title))
        return
    if compact_width(full) <= width:
        console.print(_table(cells, columns, titles, boxed=False, title=title))
        return
    short = natural(shorts)
    if compact_width(short) <= width:
        console.print(_table(cells, columns, shorts, boxed=False, title=title))
        _legend(console, columns)
        return
    least = [max(_longest_word(h), *(_longest_word(r[i]) for r in cells), 0) for i, h in enumerate(shorts)]
    if compact_width(least) <= width:
        widths = share_out(least, short, width - compact_width(least))
        console.print(_table(cells, columns, shorts, boxed=False, title=title, widths=widths))
        _legend(console, columns)
        return
    _vertical(console, cells, titles, title=title)


def _table(
    cells: list[list[str]],
    columns: Sequence[Column],
    headers: list[str],
    *,
    boxed: bool,
    title: str | None,
    widths: list[int] | None = None,
) -> Table:
    if boxed:
        table = Table(title=title, header_style="bold", title_justify="left")
    else:
        table = Table(
            title=title,
            header_style="bold",
            title_justify="left",
            box=box.SIMPLE_HEAD,
            show_edge=False,
            pad_edge=False,
            padding=(0, 1),
            collapse_padding=True,
        )
    for i, (c, header) in enumerate(zip(columns, headers, strict=True)):
        table.add_column(
            header,
            justify=c.justify,  # type: ignore[arg-type]
            width=widths[i] if widths else None,
            overflow="fold",  # never an ellipsis: a word longer than the terminal folds, whole
        )
    for row in cells:
        table.add_row(*(Text(v) for v in row))
    return table


def _legend(console: Console, columns: Sequence[Column]) -> None:
    pairs = [f"{c.short} = {c.title}" for c in columns if c.short and c.short != c.title]
    if pairs:
        console.print(Text("  " + ", ".join(pairs)))


def _vertical(console: Console, cells: list[list[str]], titles: list[str], *, title: str | None) -> None:
    if title:
        console.print(Text(title))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(overflow="fold")
    for n, row in enumerate(cells):
        if n:
            grid.add_row("", "")
        for header, value in zip(titles, row, strict=True):
            grid.add_row(Text(header), Text(value))
    console.print(grid)
