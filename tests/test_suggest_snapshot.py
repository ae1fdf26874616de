"""Speed-ups must not change suggestions: the demo study's keyword suggestions are pinned in
tests/fixtures/suggest/demo-suggestions.jsonl (regenerate deliberately with
tests/fixtures/suggest/snapshot.py), and every way of computing them must give exactly those."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from grondmotief.study.folder import Study
from grondmotief.suggest import Stats, suggest_study
from grondmotief.suggest.engine import Engine
from grondmotief.suggest.store import TranscriptCache

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "suggest"))
from snapshot import SNAPSHOT, demo_study, rows  # noqa: E402


@pytest.fixture(scope="module")
def expected() -> list[str]:
    return SNAPSHOT.read_text(encoding="utf-8").splitlines()


def run(root: Path, **kw) -> tuple[list[str], Stats]:
    stats = Stats()
    return rows(suggest_study(Study.open(root), threshold=0.0, stats=stats, **kw)), stats


def test_cold_warm_and_rematched_runs_give_the_pinned_suggestions(tmp_path: Path, expected: list[str]) -> None:
    demo = demo_study(tmp_path / "demo")
    cold, stats = run(demo)
    assert stats.parsed_transcripts == 14 and stats.cached_transcripts == 0
    assert cold == expected
    warm, stats = run(demo)
    assert stats.cached_transcripts == 14 and stats.computed_segments == 0
    assert warm == expected
    # As after a codebook change: results gone, parsed tokens still cached, so re-match only.
    for path in (demo / ".grondmotief" / "suggest").glob("org*.bin"):
        tc = TranscriptCache.load(path)
        tc.results_key, tc.results_raw = None, b""
        tc.save()
    again, stats = run(demo)
    assert stats.parsed_segments == 0 and stats.computed_segments > 0
    assert again == expected


def test_one_transcript_at_a_time_gives_the_same(
    tmp_path: Path, expected: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = demo_study(tmp_path / "demo")
    monkeypatch.setattr(Engine, "prepare", lambda self, files: None)  # parse per transcript
    found = []
    for tid in sorted(p.stem for p in (demo / "interviews").glob("*.md")):
        found += run(demo, transcripts=[tid])[0]
    assert found == expected
