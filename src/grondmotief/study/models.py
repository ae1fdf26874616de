"""Shared helpers for the Pydantic models that are our file formats."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from grondmotief.core.errors import Problem
from grondmotief.core.fileio import line_of

M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    """Unknown keys are errors: a typo in a file must not be silently ignored."""

    # No .inf/.nan: `limits.max_file_mb: .inf` passed validation, then crashed converting to bytes.
    model_config = ConfigDict(extra="forbid", frozen=False, populate_by_name=True, allow_inf_nan=False)


def _describe(err: Any) -> str:
    loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"unknown key '{err['loc'][-1]}'" + (f" (at {loc})" if len(err["loc"]) > 1 else "")
    if kind == "missing":
        return f"missing required key '{loc}'"
    msg = err["msg"]
    # Pydantic echoes the offending input in some messages; we never repeat input values.
    return f"{loc}: {msg}" if loc else msg


def validation_problems(exc: ValidationError, data: Any, label: str, line_offset: int = 0) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = tuple(err["loc"])
        line = line_of(data, loc)
        problems.append(Problem(label, None if line is None else line + line_offset, _describe(err)))
    return sorted(set(problems), key=lambda p: (p.line or 0, p.message))


def validate(model: type[M], data: Any, label: str, line_offset: int = 0) -> tuple[M | None, list[Problem]]:
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, validation_problems(exc, data, label, line_offset)
