"""The suggester's results as plain data: no numpy or spaCy, so reading them from the cache is light."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from grondmotief.study.transcripts import Segment

if TYPE_CHECKING:
    from grondmotief.suggest.store import TranscriptCache

# Evidence kinds and their weights in the score (see score.py).
KEYWORD, STEM, HEAD, PHRASE, LOOSE, PATTERN = "keyword", "stem", "head", "phrase", "loose", "pattern"
SPLIT = "split"  # a separable verb in two parts: "dacht ... mee" for meedenken
SEMANTIC = "semantic"  # a word whose subword vector pulls towards the code (suggest/semantic.py)
RANK = {KEYWORD: 3, STEM: 2, HEAD: 1}


class Evidence(NamedTuple):
    """A word or phrase that made a rule fire: offsets are code points into the segment text.

    A tuple, so the results cache stores it as a JSON array without conversion."""

    text: str
    lemma: str
    start: int
    end: int
    rule: str
    kind: str

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "lemma": self.lemma, "start": self.start, "end": self.end, "rule": self.rule}


@dataclass(slots=True)
class Suggestion:
    segment: str
    code: str
    label: str
    group: str
    score: float
    source: str  # suggest:keyword, suggest:model or suggest:blend
    evidence: list[Evidence]
    keyword_score: float
    model_score: float | None = None
    decided: str | None = None  # "accepted" when the coder already accepted this code here

    def to_json(self) -> dict[str, Any]:
        return {
            "segment": self.segment,
            "code": self.code,
            "label": self.label,
            "group": self.group,
            "score": round(self.score, 3),
            "source": self.source,
            "evidence": [ev.to_json() for ev in self.evidence],
            "keyword_score": round(self.keyword_score, 3),
            "model_score": None if self.model_score is None else round(self.model_score, 3),
            "decided": self.decided,
        }


class SegmentSuggestions(NamedTuple):
    """One coded segment and its suggestions, best first. Unpacks as (segment, suggestions)."""

    segment: Segment
    suggestions: list[Suggestion]


@dataclass
class OpenFile:
    """A transcript file being worked on: its coded segments and its cache record."""

    path: Path
    tid: str
    segs: list[Segment]
    keys: list[str]  # segment_key of each segment's text
    cache: TranscriptCache
    changed: bool = False


@dataclass
class Stats:
    """What a run did; tests assert on these rather than on time."""

    transcripts: int = 0
    segments: int = 0
    parsed_transcripts: int = 0
    parsed_segments: int = 0
    computed_segments: int = 0  # segments matched and scored (not served from the results cache)
    cached_transcripts: int = 0  # transcripts served entirely from the results cache
    seed_cached: int = 0  # seed texts and seed models read from the codebook cache (see seed_cache)
    semantic_cached: int = 0  # semantic models read from the codebook cache (see semantic.py)
    models: dict[str, tuple[int, int]] = field(default_factory=dict)  # code → (positives, negatives)
    parsed_ids: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # told to the user on stderr (never interview text)
