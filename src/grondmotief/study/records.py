"""Validated file contents without pydantic: what the quick-start cache (quickcache.py) gives back.

Importing pydantic and building our models costs a quick command more than its whole work
(issue 14). A file validated once is stored as the JSON dump of its model; a `Record` rebuilt
from that dump has the same fields with the same Python types (tuples, dates, nested models),
plus the `model_copy` / `model_dump` that readers use. Writing anything still goes through the
pydantic models, so nothing unvalidated reaches a study file.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any, ClassVar

from grondmotief.study.decision import DecisionMethods


class Record:
    """The fields of one pydantic model instance, as attributes."""

    # field → how to turn its JSON value back into the model's Python value
    restore: ClassVar[dict[str, Callable[[Any], Any]]] = {}

    def __init__(self, fields: dict[str, Any]) -> None:
        self.__dict__.update(fields)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Any:
        if not isinstance(data, dict):
            raise TypeError("a record is a JSON object")
        fields = dict(data)
        for name, fn in cls.restore.items():
            fields[name] = fn(fields[name])  # KeyError: not the layout we wrote; the cache treats it as a miss
        return cls(fields)

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Any:
        fields = copy.deepcopy(self.__dict__) if deep else dict(self.__dict__)
        fields.update(update or {})
        return type(self)(fields)

    def model_dump(self, *, mode: str = "python") -> dict[str, Any]:
        if mode not in ("python", "json"):
            raise ValueError(f"mode {mode!r}")
        return {k: _dump(v, mode == "json") for k, v in self.__dict__.items()}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__dict__ == self.__dict__

    __hash__ = None  # type: ignore[assignment]  # like a pydantic model: mutable, not hashable

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.__dict__.items())})"


def _dump(value: Any, as_json: bool) -> Any:
    if isinstance(value, Record):
        return value.model_dump(mode="json" if as_json else "python")
    if isinstance(value, dict):
        return {k: _dump(v, as_json) for k, v in value.items()}
    if isinstance(value, list | tuple):
        items = [_dump(v, as_json) for v in value]
        return items if as_json or isinstance(value, list) else tuple(items)
    if as_json and isinstance(value, date):
        return value.isoformat()
    return value


def _optional(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda v: None if v is None else fn(v)


def _pair(v: Any) -> tuple[int, int]:
    a, b = v
    return (int(a), int(b))


def _list_of(cls: type[Record]) -> Callable[[Any], Any]:
    return lambda v: [cls.from_json(x) for x in v]


def _dict_of(cls: type[Record]) -> Callable[[Any], Any]:
    return lambda v: {k: cls.from_json(x) for k, x in v.items()}


class NlpSettingsRecord(Record):
    pass


class SuggestSettingsRecord(Record):
    pass


class ReportSettingsRecord(Record):
    pass


class PrivacySettingsRecord(Record):
    pass


class LimitSettingsRecord(Record):
    pass


class SettingsRecord(Record):
    restore: ClassVar[dict[str, Callable[[Any], Any]]] = {
        "nlp": NlpSettingsRecord.from_json,
        "suggest": SuggestSettingsRecord.from_json,
        "report": ReportSettingsRecord.from_json,
        "privacy": PrivacySettingsRecord.from_json,
        "limits": LimitSettingsRecord.from_json,
    }


class GroupRecord(Record):
    pass


class CodeSpecRecord(Record):
    restore: ClassVar[dict[str, Callable[[Any], Any]]] = {}


CodeSpecRecord.restore = {"children": _list_of(CodeSpecRecord)}


class CodebookFileRecord(Record):
    restore: ClassVar[dict[str, Callable[[Any], Any]]] = {
        "groups": _dict_of(GroupRecord),
        "codes": _list_of(CodeSpecRecord),
    }


class FrontMatterRecord(Record):
    restore: ClassVar[dict[str, Callable[[Any], Any]]] = {"interviewed": _optional(date.fromisoformat)}


class DecisionRecord(Record, DecisionMethods):
    restore: ClassVar[dict[str, Callable[[Any], Any]]] = {
        "span": _optional(_pair),
        "spans": _optional(lambda v: [_pair(x) for x in v]),
    }
