"""JSON Schemas of the file formats, printed by `grondmotief codebook schema`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from grondmotief.core.errors import UsageProblem


def schema_for(what: str) -> dict[str, Any]:
    from grondmotief.study.codebook import codebook_schema
    from grondmotief.study.codings import Decision
    from grondmotief.study.settings import Settings
    from grondmotief.study.transcripts import FrontMatter

    if what == "codebook":
        return codebook_schema()
    models: dict[str, type[BaseModel]] = {"settings": Settings, "transcript": FrontMatter, "decision": Decision}
    if what not in models:
        raise UsageProblem(f"no schema '{what}'; choose codebook, settings, transcript or decision")
    schema = models[what].model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
