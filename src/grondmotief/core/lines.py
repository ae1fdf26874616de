"""Parsed YAML values that remember the line they came from, so errors can name file:line."""

from __future__ import annotations

from typing import Any


class LineDict(dict):  # type: ignore[type-arg]
    def __init__(self, data: dict[Any, Any], lines: dict[Any, int], line: int) -> None:
        super().__init__(data)
        self.key_lines = lines
        self.line = line


class LineList(list):  # type: ignore[type-arg]
    def __init__(self, data: list[Any], lines: list[int], line: int) -> None:
        super().__init__(data)
        self.item_lines = lines
        self.line = line


def line_of(data: Any, loc: tuple[Any, ...]) -> int | None:
    """The best line for a pydantic error location inside LineDict/LineList data."""
    best: int | None = getattr(data, "line", None)
    node = data
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            best = node.key_lines.get(part, best)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            best = node.item_lines[part]
            node = node[part]
        else:
            break
    return best
