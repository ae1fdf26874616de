"""One emit helper for every listing command: table for people; json, jsonl, csv, md for scripts."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any


class Fmt(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    md = "md"
    text = "text"


@dataclass(frozen=True)
class Column:
    key: str
    header: str | None = None
    justify: str = "left"  # "right" for numbers
    short: str | None = None  # header used (with a legend) when the table is too wide for the terminal

    @property
    def title(self) -> str:
        return self.header or self.key


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def md_cell(value: Any) -> str:
    """A Markdown table cell that no content can break out of."""
    from grondmotief.privacy.mdsafe import escape_inline

    return escape_inline(_cell(value)).replace("\n", " ")


def render(rows: Sequence[dict[str, Any]], columns: Sequence[Column], fmt: Fmt, *, title: str | None = None) -> str:
    if fmt in (Fmt.json,):
        return json.dumps(list(rows), ensure_ascii=False, indent=2) + "\n"
    if fmt == Fmt.jsonl:
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if fmt == Fmt.csv:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([c.title for c in columns])
        for r in rows:
            writer.writerow([_cell(r.get(c.key)) for c in columns])
        return buf.getvalue()
    if fmt == Fmt.md:
        out = []
        if title:
            out.append(f"**{md_cell(title)}**\n")
        out.append("| " + " | ".join(md_cell(c.title) for c in columns) + " |")
        out.append("| " + " | ".join("---:" if c.justify == "right" else "---" for c in columns) + " |")
        for r in rows:
            out.append("| " + " | ".join(md_cell(r.get(c.key)) for c in columns) + " |")
        return "\n".join(out) + "\n"
    if fmt == Fmt.text:
        return "".join("\t".join(_cell(r.get(c.key)) for c in columns) + "\n" for r in rows)
    return ""


def emit(rows: Sequence[dict[str, Any]], columns: Sequence[Column], fmt: Fmt, *, title: str | None = None) -> None:
    if fmt == Fmt.table:
        from grondmotief.cli.plain_table import try_print

        cells = [[_cell(r.get(c.key)) for c in columns] for r in rows]
        if try_print(cells, columns, title=title):  # into a pipe or file, where rich adds nothing
            return
        from grondmotief.cli.console import out
        from grondmotief.cli.tables import print_table

        print_table(out, cells, columns, title=title)
        return
    sys.stdout.write(render(rows, columns, fmt, title=title))
