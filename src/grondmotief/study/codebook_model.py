"""The pydantic models of a codebook file, built only when a codebook is validated.

`grondmotief.study.codebook` re-exports them; quick commands on an unchanged codebook read its
validated form from the quick-start cache (quickcache.py) and never import pydantic.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator

from grondmotief.study.models import Strict

Scalar = str | int | float | bool


class Group(Strict):
    label: str
    description: str = ""


class CodeSpec(Strict):
    id: str = Field(description="Unique across the codebook: lower-case ASCII letters, digits and hyphens.")
    label: str = Field(description="Label shown to coders and in reports (Dutch).")
    group: str | None = Field(None, description="Group id; children inherit their parent's.")
    definition: str = ""
    include: list[str] = Field(default_factory=list, description="When the code applies.")
    exclude: list[str] = Field(default_factory=list, description="When it does not (and what applies instead).")
    examples: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(
        default_factory=list,
        description="Dutch lemmas; 'stem*' matches words and compounds starting with stem; "
        "several words match as a phrase.",
    )
    patterns: list[list[dict[str, Any]]] = Field(
        default_factory=list, description="spaCy Matcher token patterns, for power users."
    )
    attributes: dict[str, Scalar] = Field(default_factory=dict, description="Free attributes, e.g. sphere.")
    color: str | None = Field(None, description="#rrggbb, used in figures and REFI-QDA export.")
    children: list[CodeSpec] = Field(default_factory=list)

    @field_validator("keywords", "include", "exclude", "examples", mode="before")
    @classmethod
    def _none_is_empty(cls, v: Any) -> Any:
        return [] if v is None else v


class CodebookFile(Strict):
    format_version: Literal[1] = 1
    name: str
    language: str = "nl"
    description: str = ""
    groups: dict[str, Group] = Field(default_factory=dict)
    codes: list[CodeSpec]
    passages: str | None = Field(
        None,
        description="A file of labelled example passages beside the codebook (NAME.passages.yaml), "
        "which the suggestion model learns from before the coder's first decision.",
    )

    @field_validator("passages")
    @classmethod
    def _passages_beside(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*\.ya?ml", value):
            raise ValueError("a file name beside the codebook, ending in .yaml (no folders)")
        return value
