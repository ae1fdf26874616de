"""Arguments shared by `tally`, `crosstab`, `quote` and `report`: their own --format choices, checks
that turn an unknown id into a usage error (exit 2) listing what is known, and the orphan warning."""

from __future__ import annotations

import re
from enum import Enum
from typing import Any

from grondmotief.cli.console import warn
from grondmotief.core.errors import UsageProblem
from grondmotief.core.lookup import did_you_mean, known


class TableFormat(str, Enum):
    """--format of tally and crosstab (the help lists exactly these)."""

    table = "table"
    csv = "csv"
    json = "json"
    md = "md"


class QuoteFormat(str, Enum):
    """--format of quote."""

    md = "md"
    text = "text"
    json = "json"
    csv = "csv"


def require_group(study: Any, group: str, option: str = "--group") -> None:
    groups = study.codebook.groups
    if group not in groups:
        raise UsageProblem(
            f"{option} '{group}': no such code group{did_you_mean(group, groups)} (groups: {known(groups)})"
        )


def require_attribute(study: Any, key: str, option: str) -> None:
    from grondmotief.analysis.tallies import attribute_keys

    keys = attribute_keys(study)
    if key not in keys:
        raise UsageProblem(
            f"{option} '{key}': no transcript has this attribute{did_you_mean(key, keys)} (attributes: {known(keys)})"
        )


def require_axis(study: Any, name: str, option: str) -> None:
    from grondmotief.analysis.tallies import attribute_keys

    if name in study.codebook.groups or name in attribute_keys(study):
        return
    hint = did_you_mean(name, [*study.codebook.groups, *attribute_keys(study)])
    raise UsageProblem(
        f"{option} '{name}' is neither a code group ({known(study.codebook.groups)}) nor a transcript "
        f"attribute ({known(attribute_keys(study))}){hint}"
    )


def require_codes(study: Any, ids: list[str] | None, group: str | None, option: str) -> list[str]:
    """The code ids meant by --theme/--motive/--code (ids or labels, any case; see Codebook.resolve)."""
    return [study.codebook.resolve(cid, group, option) for cid in ids or []]


def require_coders(study: Any, option_value: str | None) -> list[str] | None:
    """Whose decisions (--coder, else settings, else all); an unknown name on the command line is a usage error."""
    if option_value:
        for name in study.report_coders(option_value) or []:
            study.require_coder(name, "--coder")
    return study.report_coders(option_value)


def require_transcripts(study: Any, ids: list[str] | None) -> None:
    for tid in ids or []:
        study.transcript(tid, "--transcript")


def warn_orphans(orphaned: int) -> None:
    """Counts and quotes leave out decisions whose passage changed; never silently."""
    if orphaned:
        warn(
            f"{orphaned} accepted decision(s) no longer match their passage; run `grondmotief check` "
            "(until then they are left out here)"
        )


def short_headers(values: list[str], width: int = 12) -> dict[str, str]:
    """Column headers for attribute values at 80 columns: long values become their initials
    (professionals-with-volunteers → pwv, welzijn → w), or letters when initials collide; short ones stay."""
    out = {v: v for v in values}
    long = [v for v in values if len(v) > width]
    if not long:
        return out
    initials = {v: "".join(p[0] for p in re.split(r"[-_\s]+", v) if p).lower() for v in long}
    taken = [out[v] for v in values if v not in initials] + list(initials.values())
    if len(set(taken)) < len(taken):
        initials = {v: chr(ord("A") + i) if i < 26 else f"v{i + 1}" for i, v in enumerate(long)}
    out.update(initials)
    return out


def print_legend(headers: dict[str, str]) -> None:
    """Below a table with short headers: one line per abbreviation, to stdout with the table."""
    from grondmotief.cli.console import out

    for value, short in headers.items():
        if short != value:
            out.print(f"  {short} = {value}", markup=False, highlight=False)


def fitting(rows: list[dict[str, Any]], layouts: list[list[Any]]) -> list[Any]:
    """The first column layout whose table fits the terminal (rich's box: 3 per column, 1 more), else the last."""
    from grondmotief.cli.console import out

    def width(cols: list[Any]) -> int:
        return sum(max(len(c.title), *(len(str(r.get(c.key, ""))) for r in rows), 0) + 3 for c in cols) + 1

    return next((cols for cols in layouts if width(cols) <= out.width), layouts[-1])
