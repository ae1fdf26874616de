"""Command-line values converted without pydantic, for the option types grondmotief uses.

Typer converts every option value through a pydantic TypeAdapter built on first use, so any
command imported pydantic and built adapters before doing its work (about half the start-up of
`quote`, issue 14). The common values (a word, a number in range, a path, a choice, lists of
these) are converted here exactly as typer would; anything else, and every value typer would
refuse, goes to typer's own converter, so conversions and error messages stay typer's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

try:  # typer's private runtime layer (typer >= 0.20); without it typer converts as usual
    from typer._coercion import RuntimeParam, build_runtime_param
    from typer._param_types import coerce_cli_choice, coerce_cli_path
except ImportError:  # pragma: no cover - another typer: nothing installed, nothing changed
    RuntimeParam = None  # type: ignore[assignment,misc]

_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")
_FLOAT = re.compile(r"-?[0-9]{1,18}(?:\.[0-9]{1,18})?")


class _Refer(Exception):
    """Not a value this module converts: typer's converter decides (and words any error)."""


def _leaf(annotation: Any, info: Any) -> Any:
    """A converter for one value of this type, or None when typer's own must do it."""
    if info.parser is not None or getattr(info, "clamp", False):
        return None
    if annotation is str:

        def text(value: Any, param: Any, ctx: Any) -> Any:
            if not isinstance(value, str):
                raise _Refer
            return value

        return text
    if annotation is bool:  # a flag arrives as a bool (typer itself skips those); text is typer's

        def flag(value: Any, param: Any, ctx: Any) -> Any:
            if not isinstance(value, bool):
                raise _Refer
            return value

        return flag
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        choices = tuple(annotation)

        def choice(value: Any, param: Any, ctx: Any) -> Any:
            try:
                return coerce_cli_choice(value, choices=choices, case_sensitive=info.case_sensitive, ctx=ctx)
            except ValueError:
                raise _Refer from None

        return choice
    if annotation in (int, float):
        pattern = _INT if annotation is int else _FLOAT

        def number(value: Any, param: Any, ctx: Any) -> Any:
            # A default arrives as a number, a typed value as text.
            given = type(value) is annotation or (annotation is float and type(value) is int)
            if not (given or (isinstance(value, str) and pattern.fullmatch(value))):
                raise _Refer
            n = annotation(value)
            if (info.min is not None and n < info.min) or (info.max is not None and n > info.max):
                raise _Refer
            return n

        return number
    if annotation is Path and info.path_type is None:

        def path(value: Any, param: Any, ctx: Any) -> Any:
            if type(value) is not Path and not (isinstance(value, str) and value):
                raise _Refer
            # Given a Path, typer's own path check (exists, file or folder) runs without an adapter.
            return coerce_cli_path(Path(value), info, path_type=Path, param=param, ctx=ctx)

        return path
    return None


def _converter(annotation: Any, info: Any) -> Any:
    if get_origin(annotation) is list:
        (item_type,) = get_args(annotation)
        leaf = _leaf(item_type, info)
        if leaf is None:
            return None

        def many(value: Any, param: Any, ctx: Any) -> Any:
            items = value if isinstance(value, list | tuple) else [value]
            return [leaf(item, param, ctx) for item in items]

        return many
    return _leaf(annotation, info)


if RuntimeParam is not None:

    @dataclass(frozen=True)
    class QuickParam(RuntimeParam):  # type: ignore[misc,valid-type]
        convert: Any = None
        descriptor: Any = None
        fallback: list[Any] = field(default_factory=list)  # typer's converter, built when first needed

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                return self.convert(value, param, ctx)
            except _Refer:
                if not self.fallback:
                    self.fallback.append(build_runtime_param(self.descriptor))
                return self.fallback[0]._coerce_value(value, param, ctx)


def install(param: Any) -> None:
    """Give one typer parameter the converter above, where its type is one we handle."""
    if RuntimeParam is None or getattr(param, "_runtime_param", False) is not None:
        return
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or descriptor.file_annotation is not None:
        return
    convert = _converter(descriptor.annotation, descriptor.parameter_info)
    if convert is not None:
        param._runtime_param = QuickParam(
            parameter_info=descriptor.parameter_info,
            annotation=descriptor.annotation,
            convert=convert,
            descriptor=descriptor,
        )
