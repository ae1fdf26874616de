"""Code suggestions for coded passages: codebook keywords matched on Dutch lemmas, optionally
blended with a model learnt from a coder's decisions. spaCy is imported only when needed."""

from grondmotief.suggest.engine import SegmentSuggestions, Stats, Suggestion, suggest_study
from grondmotief.suggest.match import Evidence

__all__ = ["Evidence", "SegmentSuggestions", "Stats", "Suggestion", "suggest_study"]
