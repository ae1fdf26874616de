"""What a decision is without pydantic: its fields in file order, its source, its pieces of a passage.

Shared by the reader (codings.py), the pydantic model (codings_model.py) and the quick-start
cache's records (records.py), so none of them imports another to get it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Self

# search:<query> comes from `find --code-as`: the query as typed, on one line.
SOURCE = re.compile(r"^(manual|suggest:[a-z0-9_+-]+|import:[a-z0-9_+-]+|search:[^\n\r]{1,200}|reconcile)$")
FIELD_ORDER = ("segment", "code", "decision", "span", "spans", "source", "score", "coder", "at", "memo", "text_sha")
SURROGATE = re.compile("[\ud800-\udfff]")


class DecisionMethods:
    """What a decision can do, shared by the pydantic `Decision` (codings_model.py) and the
    `DecisionRecord` the quick-start cache gives back (records.py). No annotations at run time:
    pydantic would take them for fields."""

    if TYPE_CHECKING:
        segment: str
        code: str
        span: tuple[int, int] | None
        spans: list[tuple[int, int]] | None

        def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Self: ...
        def model_dump(self, *, mode: str = "python") -> dict[str, Any]: ...

    @property
    def ranges(self) -> list[tuple[int, int]] | None:
        """The coded pieces of the passage, in order; None = the whole passage."""
        if self.spans is not None:
            return [tuple(r) for r in self.spans]  # type: ignore[misc]
        return None if self.span is None else [tuple(self.span)]  # type: ignore[list-item]

    @property
    def pieces(self) -> list[tuple[int, int]] | None:
        """The review loop's name for `ranges`."""
        return self.ranges

    def with_ranges(self, ranges: Iterable[tuple[int, int]] | None) -> Self:
        """A copy coding exactly these pieces (merged where they overlap or touch); None = whole passage."""
        span, spans = span_fields(ranges)
        return self.model_copy(update={"span": span, "spans": spans})

    @property
    def key(self) -> tuple[str, str]:
        return (self.segment, self.code)

    def sort_key(self) -> tuple[str, int, str]:
        tid, _, n = self.segment.partition("¶")  # validated on construction
        return (tid, int(n), self.code)

    def to_line(self) -> str:
        data = self.model_dump(mode="json")
        # `spans` is written only when there are several pieces, so older files stay byte-identical.
        return json.dumps({k: data[k] for k in FIELD_ORDER if k != "spans" or data[k] is not None}, ensure_ascii=False)


def union_ranges(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted pieces with overlapping or touching ones merged; empty pieces dropped."""
    merged: list[tuple[int, int]] = []
    for s, e in sorted((int(a), int(b)) for a, b in ranges):
        if e <= s:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def span_fields(
    ranges: Iterable[tuple[int, int]] | None,
) -> tuple[tuple[int, int] | None, list[tuple[int, int]] | None]:
    """(span, spans) for a decision coding these pieces: None = the whole passage."""
    if ranges is None:
        return None, None
    pieces = union_ranges(ranges)
    if not pieces:
        return None, None
    if len(pieces) == 1:
        return pieces[0], None
    return (pieces[0][0], pieces[-1][1]), pieces
