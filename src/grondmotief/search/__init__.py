"""Search over a study's passages: a query language (query.py), matching on the suggest cache's
parsed passages without spaCy when it is warm (passages.py), and keyword-in-context lines
(concordance.py). Used by `find`, `words` and the review loop's `f` key."""

from grondmotief.search.concordance import Line, kwic
from grondmotief.search.query import Match, Matcher, Query, Term, parse_query

__all__ = ["Line", "Match", "Matcher", "Query", "Term", "kwic", "parse_query"]
