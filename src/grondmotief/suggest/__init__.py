"""Code suggestions for coded passages: codebook keywords matched on Dutch lemmas, optionally
blended with a model learnt from a coder's decisions. spaCy is imported only when needed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grondmotief.suggest.engine import suggest_study
    from grondmotief.suggest.results import Evidence, SegmentSuggestions, Stats, Suggestion

__all__ = ["Evidence", "SegmentSuggestions", "Stats", "Suggestion", "suggest_study"]


def __getattr__(name: str) -> Any:
    # Lazily: `find` and `words` read the parse cache through suggest.parse_lists, and importing
    # the engine with it costs a quick command ~7 ms of its start-up (issue 14).
    if name == "suggest_study":
        from grondmotief.suggest.engine import suggest_study

        return suggest_study
    if name in ("Evidence", "SegmentSuggestions", "Stats", "Suggestion"):
        from grondmotief.suggest import results

        return getattr(results, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
