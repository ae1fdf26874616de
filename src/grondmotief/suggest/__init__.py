"""Code suggestions for coded passages: codebook keywords matched on Dutch lemmas, optionally
blended with a model learnt from a coder's decisions. spaCy is imported only when needed."""

from grondmotief.suggest.engine import suggest_study
from grondmotief.suggest.results import Evidence, SegmentSuggestions, Stats, Suggestion

__all__ = ["Evidence", "SegmentSuggestions", "Stats", "Suggestion", "suggest_study"]
