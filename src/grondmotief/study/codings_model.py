"""The pydantic model of a decision (one line of `codings/<coder>.jsonl`).

Built only when decisions are validated or made; `grondmotief.study.codings` re-exports it. Quick
commands on unchanged codings read the validated decisions from the quick-start cache
(quickcache.py) and never import pydantic.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from grondmotief.study.decision import SOURCE, SURROGATE, DecisionMethods
from grondmotief.study.models import Strict
from grondmotief.study.transcripts import SEGMENT_REF


class Decision(Strict, DecisionMethods):
    segment: str = Field(description="Citation id of the passage, e.g. org07¶12.")
    code: str
    decision: Literal["accepted", "rejected"]
    span: tuple[int, int] | None = Field(
        None,
        description="0-based, end-exclusive code points into the segment text; null = whole segment. "
        "With `spans`, the extent from the first coded character to the last.",
    )
    spans: list[tuple[int, int]] | None = Field(
        None,
        description="Only when the decision covers several separate pieces of the passage: each piece, "
        "sorted, not touching; `span` is then their extent. Absent for one piece or the whole passage.",
    )
    source: str = Field("manual", description="manual, suggest:<engine>, import:<format>, search:<query> or reconcile.")
    score: float | None = None
    coder: str
    at: str = Field(description="UTC time of the decision, ISO 8601.")
    memo: str = ""
    text_sha: str = Field("", description="Hash of the passage text the decision was made on.")

    @field_validator("segment")
    @classmethod
    def _segment(cls, v: str) -> str:
        m = SEGMENT_REF.fullmatch(v)
        if not m:
            raise ValueError("must be a citation id like org07¶12")
        return f"{m['tid']}¶{int(m['n'])}"

    @field_validator("code", "coder", "memo")
    @classmethod
    def _text(cls, v: str) -> str:
        if SURROGATE.search(v):  # "\udc80" in JSON: half a character, which no file can hold
            raise ValueError("contains an escape such as \\udc80 (half of a character), which is not text")
        return v

    @field_validator("source")
    @classmethod
    def _source(cls, v: str) -> str:
        if not SOURCE.fullmatch(v):
            raise ValueError("must be manual, suggest:<engine>, import:<format>, search:<query> or reconcile")
        return v

    @field_validator("span")
    @classmethod
    def _span(cls, v: tuple[int, int] | None) -> tuple[int, int] | None:
        if v is not None and not (0 <= v[0] <= v[1]):
            raise ValueError("span must be [start, end] with 0 <= start <= end")
        return v

    @model_validator(mode="after")
    def _spans(self) -> Decision:
        if self.spans is None:
            return self
        if len(self.spans) < 2:
            raise ValueError("spans: list two or more pieces; one piece goes in span alone")
        for (s0, e0), (s1, e1) in zip(self.spans, self.spans[1:], strict=False):
            if not (0 <= s0 < e0 < s1 < e1):
                raise ValueError("spans: pieces must be [start, end] with start < end, sorted and not touching")
        if self.span is None or tuple(self.span) != (self.spans[0][0], self.spans[-1][1]):
            raise ValueError("span must be the extent of spans (first start, last end)")
        return self
