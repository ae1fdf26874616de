"""The pydantic models of `grondmotief.yaml`, built only when a settings file is validated.

Quick commands on an unchanged study read the validated values from the quick-start cache
(quickcache.py) instead, so they never import pydantic; `grondmotief.study.settings` re-exports these.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from grondmotief.study.models import Strict


class NlpSettings(Strict):
    pipeline: str = Field(
        "grondmotief-nl",
        description="'grondmotief-nl' (offline, built in), an installed spaCy pipeline such as "
        "'nl_core_news_md', or a path to a pipeline folder.",
    )


class SuggestSettings(Strict):
    threshold: float = Field(0.35, ge=0.0, le=1.0, description="Suggestions below this score are not shown.")
    model: bool = Field(True, description="Blend in a classifier trained on the coder's own decisions.")
    seed_model: bool = Field(
        True,
        description="Also train the model on the codebook's own labels, criteria, examples and example "
        "passages, so every code has a model before the coder's first decision.",
    )
    compete: list[str] = Field(
        default_factory=lambda: ["theme"],
        description="Groups whose codes compete on a passage (mostly one applies): codes far behind "
        "the passage's leader in the group are scaled down.",
    )
    min_examples: int = Field(
        8, ge=2, description="Accepted and rejected decisions each a code needs before the model learns it."
    )
    group_model: bool = Field(
        True,
        description="For each group in `compete`, a model of whether a passage is about any code of the group "
        "(learnt with the seed model) scales the group's leading code: up on a passage surely about the group, "
        "down on one about none of it.",
    )
    semantic: bool = Field(
        True,
        description="With the seed model, for each group in `compete`, a model over the passage's multilingual "
        "subword vectors (what it is about, beyond the words the codebook lists) is mixed into the group's scores.",
    )


class ReportSettings(Strict):
    coder: str | None = Field(
        None,
        description="Whose decisions the report, tally and quote use: a coder name (e.g. 'reconciled'); "
        "unset means the union of all coders' accepted decisions.",
    )
    quotes_per_code: int = Field(4, ge=0, description="Quotes shown per code in the default chapters.")
    chapters_dir: str = "chapters"


class PrivacySettings(Strict):
    forbidden_names: list[str] = Field(
        default_factory=list, description="Real names that must never appear in printed quotes."
    )
    allowed_names: list[str] = Field(
        default_factory=list, description="Words the name scanner may flag but which are fine (pseudonyms, places)."
    )


class LimitSettings(Strict):
    max_file_mb: float = Field(20.0, gt=0, description="Largest transcript or codings file read.")
    template_seconds: float = Field(
        60.0, gt=0, le=3600, description="CPU time one chapter template may take to render before `report` stops it."
    )


class Settings(Strict):
    format_version: Literal[1] = 1
    codebook: str = Field(
        "grondmotieven", description="Active codebook: a file name in codebooks/ (with or without .yaml)."
    )
    coder: str | None = Field(None, description="Default coder name; falls back to $USER.")
    coded_roles: list[str] = Field(
        default_factory=lambda: ["respondent"],
        description="Speaker roles (from each transcript's `speakers`) whose turns are coded.",
    )
    nlp: NlpSettings = Field(default_factory=NlpSettings)
    suggest: SuggestSettings = Field(default_factory=SuggestSettings)
    report: ReportSettings = Field(default_factory=ReportSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)

    @field_validator("codebook")
    @classmethod
    def _codebook_in_codebooks(cls, v: str) -> str:
        # Codebooks live in codebooks/: `../x` or `/etc/x.yaml` would read (and echo keys of) any YAML file.
        if not v or "/" in v or "\\" in v or v.startswith(".") or ":" in v:
            raise ValueError("must be the name of a file in codebooks/, such as 'grondmotieven' (no folders)")
        return v
