"""Example passages: labelled text the model learns from before the coder's first decision.

A codebook may name a file of example passages beside it (`passages: NAME.passages.yaml`):
what respondents say, each with every code that applies to it. A passage is coded completely,
so a code it does not list does not apply, and a passage with no theme is evidence against
every theme. One-line examples in the codebook show a code; a few hundred passages in everyday
words show how people talk about it, which is what the model needs to rank a code whose
keywords a passage never uses.

    passages:
      - text: Elk jaar weer dat formulier, en dan horen we pas in juni of het doorgaat.
        codes: [subsidies, scarcity]
      - text: We zijn begonnen met vijf buren en een koffiepot.
        codes: []
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from pydantic import Field

from grondmotief.core.errors import GrondmotiefError, Problem
from grondmotief.core.fileio import line_of, load_yaml, read_text
from grondmotief.study.models import Strict, validate

if TYPE_CHECKING:
    from grondmotief.study.codebook import Codebook


class PassageSpec(Strict):
    text: str = Field(min_length=1)
    codes: list[str] = Field(default_factory=list, description="Every code that applies; [] for none.")


class PassagesFile(Strict):
    passages: list[PassageSpec] = Field(default_factory=list)


@dataclass(frozen=True)
class Passage:
    text: str
    codes: tuple[str, ...]
    line: int | None


def load_passages(path: Path, label: str, known: set[str]) -> list[Passage]:
    """The passages of a file; any problem (YAML, shape, an unknown code) names file and line."""
    return parse_passages(read_text(path, label), label, known)


def parse_passages(text: str, label: str, known: set[str]) -> list[Passage]:
    """`load_passages` on text already read (a codebook refactor checks its result before writing)."""
    raw = load_yaml(text, label) if text.strip() else None
    if not isinstance(raw, dict):
        raise GrondmotiefError(
            f"{label}: not an example-passages file",
            [Problem(label, 1, "example passages are a YAML mapping with a list `passages:` of {text, codes}")],
        )
    model, problems = validate(PassagesFile, raw, label)
    if model is None:
        raise GrondmotiefError(f"{label}: invalid example passages", problems)
    out = []
    for i, spec in enumerate(model.passages):
        line = line_of(raw, ("passages", i))
        for j, code in enumerate(spec.codes):
            if code not in known:
                problems.append(
                    Problem(label, line_of(raw, ("passages", i, "codes", j)) or line, f"unknown code '{code}'")
                )
        out.append(Passage(" ".join(spec.text.split()), tuple(dict.fromkeys(spec.codes)), line))
    if problems:
        raise GrondmotiefError(f"{label}: invalid example passages", problems)
    return out


def lint_passages(codebook: Codebook, codebook_label: str) -> list[Problem]:
    """Problems with the example passages a codebook names (its `passages:` key), for lint and check."""
    path = codebook.passages_path
    if path is None:
        return []
    label = str(PurePosixPath(codebook_label).parent / path.name)
    if not path.is_file():
        lines = codebook.path.read_text(encoding="utf-8", errors="replace").splitlines()
        line = next((n for n, t in enumerate(lines, 1) if t.startswith("passages:")), None)
        return [
            Problem(
                codebook_label,
                line,
                f"names example passages '{path.name}', which does not exist (suggestions do without them)",
                "warning",
            )
        ]
    try:
        load_passages(path, label, set(codebook.codes))
    except GrondmotiefError as exc:
        return exc.problems or [Problem(label, None, exc.message)]
    return []


_FLOW = re.compile(r"^(?P<head>\s*(?:-\s+)?codes:\s*\[)(?P<ids>[^\]#]*)(?P<tail>\].*)$")
_ITEM = re.compile(r"^(?P<head>\s*-\s+)(?P<id>[A-Za-z0-9_-]+)(?P<tail>\s*(?:#.*)?)$")
_KEY = re.compile(r"^(?P<indent>\s*(?:-\s+)?)codes:\s*(?:#.*)?$")


def rename_codes_text(text: str, mapping: dict[str, str]) -> str:
    """The passages file with codes renamed (`mapping`: old id → new id), edited line by line
    so comments and layout stay; a passage that would list a code twice lists it once."""
    out = []
    in_block = None  # indent of a block list under `codes:`
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        end = line[len(body) :]
        m = _FLOW.match(body)
        if m:
            ids = [i.strip() for i in m["ids"].split(",") if i.strip()]
            ids = list(dict.fromkeys(mapping.get(i, i) for i in ids))
            out.append(f"{m['head']}{', '.join(ids)}{m['tail']}{end}")
            in_block = None
            continue
        k = _KEY.match(body)
        if k:
            in_block = len(k["indent"])
            seen: set[str] = set()
            out.append(line)
            continue
        i = _ITEM.match(body)
        if in_block is not None and i and len(i["head"]) - len(i["head"].lstrip()) >= in_block:
            new = mapping.get(i["id"], i["id"])
            if new in seen:
                continue
            seen.add(new)
            out.append(f"{i['head']}{new}{i['tail']}{end}")
            continue
        if body.strip():
            in_block = None
        out.append(line)
    return "".join(out)
