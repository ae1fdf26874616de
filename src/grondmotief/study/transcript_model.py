"""The pydantic model of a transcript's front matter, built only when front matter is validated.

`grondmotief.study.transcripts` re-exports it; quick commands on unchanged transcripts read the
validated values from the quick-start cache (quickcache.py) and never import pydantic.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field, field_validator

from grondmotief.study.ids import TRANSCRIPT_ID, Scalar
from grondmotief.study.models import Strict


class FrontMatter(Strict):
    id: str = Field(description="Transcript id: letters, digits, - and _; equal to the file name.")
    title: str = ""
    attributes: dict[str, Scalar] = Field(default_factory=dict, description="Case attributes.")
    interviewed: date | None = None
    speakers: dict[str, str] = Field(
        default_factory=lambda: {"I": "interviewer", "R": "respondent"},
        description="Speaker label → role (interviewer, respondent, …).",
    )
    language: str = "nl"
    notes: str = ""
    example: bool = Field(False, description="The example from `grondmotief init`: check reminds you to delete it.")

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not TRANSCRIPT_ID.fullmatch(v):
            raise ValueError("must be letters, digits, '-' or '_' (at most 64), starting with a letter or digit")
        return v
