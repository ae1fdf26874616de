"""The review loop's core: passages to decide, decisions, undo, spans, batch mode and status.

Terminal rendering and key handling live in `grondmotief.cli.review_tui` / `review_screen`.
"""

from grondmotief.review.session import Item, Progress, ReviewSession, Step

__all__ = ["Item", "Progress", "ReviewSession", "Step"]
