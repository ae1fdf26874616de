"""Suggestions for the review loop, computed in a background thread.

Loading spaCy takes a second or two; the first passage is shown at once and its suggestions
appear when they are ready. The thread works transcript by transcript, starting with the one
the coder is looking at. Without the suggestion engine (not installed, or failing) every
passage is still codable through the picker: `get` then returns an empty list.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from grondmotief.core.errors import GrondmotiefError
from grondmotief.study.folder import Study
from grondmotief.study.transcripts import Segment


class EvidenceLike(Protocol):
    text: str
    lemma: str
    start: int
    end: int
    rule: str


class SuggestionLike(Protocol):
    """What the loop needs of `grondmotief.suggest.Suggestion`."""

    code: str
    score: float
    source: str
    evidence: list[Any]


SuggestFn = Callable[..., Iterator[tuple[Segment, list[Any]]]]


def load_engine() -> SuggestFn | None:
    """`grondmotief.suggest.suggest_study`, or None while the engine is not available."""
    try:
        from grondmotief.suggest import suggest_study
    except ImportError:
        return None
    return suggest_study  # type: ignore[no-any-return]


def suggest_all(
    study: Study,
    transcripts: list[str],
    *,
    coder: str | None,
    codes: list[str] | None = None,
    threshold: float | None = None,
    engine: SuggestFn | None = None,
) -> Iterator[tuple[Segment, list[Any]]]:
    """Synchronous suggestions (batch mode); raises when the engine is missing.

    `threshold` lowers the engine's own cut-off (settings `suggest.threshold`) when asked for less.
    """
    fn = engine or load_engine()
    if fn is None:
        raise GrondmotiefError("the suggestion engine (grondmotief.suggest) is not available in this installation")
    extra: dict[str, float] = {}
    if threshold is not None:
        params = inspect.signature(fn).parameters
        name = "threshold" if "threshold" in params else "min_score" if "min_score" in params else None
        if name is not None:
            extra[name] = min(threshold, study.settings.suggest.threshold)
    yield from fn(study, transcripts=transcripts, codes=codes, coder=coder, **extra)


class SuggestionFeed:
    def __init__(
        self,
        study: Study,
        coder: str,
        transcripts: Iterable[str],
        *,
        codes: list[str] | None = None,
        wake: Callable[[], None] | None = None,
        engine: SuggestFn | None = None,
        enabled: bool = True,
    ) -> None:
        self.study = study
        self.coder = coder
        self.order = list(transcripts)
        self.codes = codes
        self.wake: Callable[[], None] = wake or (lambda: None)
        self._engine = engine
        self._enabled = enabled
        self._lock = threading.Lock()
        self._results: dict[str, list[Any]] = {}
        self._done: set[str] = set()
        self._prefer: str | None = None
        self._thread: threading.Thread | None = None
        self.error: str | None = None
        self.available = True
        self.finished = False

    # Main thread -------------------------------------------------------------
    def start(self) -> None:
        if not self._enabled:
            self.available = False
            self.finished = True
            return
        self._thread = threading.Thread(target=self._run, name="grondmotief-suggest", daemon=True)
        self._thread.start()

    def prefer(self, transcript: str) -> None:
        """Start with this transcript (the one the coder sees first)."""
        with self._lock:
            self._prefer = transcript

    def get(self, segment: Segment) -> list[Any] | None:
        """The suggestions for a passage, best first; None while still being computed."""
        with self._lock:
            if segment.id in self._results:
                return self._results[segment.id]
            if self.finished or segment.transcript in self._done:
                return []
            return None

    def ready(self, transcript: str) -> bool:
        with self._lock:
            return self.finished or transcript in self._done

    @property
    def progress(self) -> tuple[int, int]:
        with self._lock:
            return (len(self._done), len(self.order))

    def _finish(self, transcript: str) -> None:
        with self._lock:
            self._done.add(transcript)
        self.wake()

    def wait(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.finished

    # Worker thread -----------------------------------------------------------
    def _run(self) -> None:
        # One engine run for the whole session, starting with the coder's transcript: the engine
        # reads the coder's decisions once, so its model (and cache key) stays put while they code.
        try:
            fn = self._engine or load_engine()
            if fn is None:
                self.available = False
                return
            with self._lock:
                start = self.order.index(self._prefer) if self._prefer in self.order else 0
            order = self.order[start:] + self.order[:start]
            current: str | None = None
            for seg, found in fn(self.study, transcripts=order, codes=self.codes, coder=self.coder):
                if current is not None and seg.transcript != current:
                    self._finish(current)
                current = seg.transcript
                ranked = sorted(found, key=lambda s: (-s.score, s.code))
                with self._lock:
                    self._results[seg.id] = ranked
                if len(self._results) == 1:
                    self.wake()  # the first passage's suggestions: show them at once
            if current is not None:
                self._finish(current)
        except GrondmotiefError as exc:
            self.error = exc.message
        except Exception as exc:  # noqa: BLE001 - the loop must stay usable; no interview text in the message
            self.error = f"internal error in the suggestion engine ({type(exc).__name__})"
        finally:
            with self._lock:
                self.finished = True
            self.wake()
