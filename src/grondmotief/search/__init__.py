"""Search over a study's passages: the query language, matching on cached parsed passages, concordances.

Used by `find`, `words` and the review loop's `f` key; without spaCy when the suggest cache is warm."""

from grondmotief.search.concordance import Line, kwic
from grondmotief.search.query import Match, Matcher, Query, Term, parse_query

__all__ = ["Line", "Match", "Matcher", "Query", "Term", "kwic", "parse_query"]
