"""The demo study's codings are the coders' recorded judgements, anchored to today's transcripts."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from conftest import REPO
from grondmotief.study.codings import NONE_CODE
from grondmotief.study.folder import Study

JUDGEMENTS = Path(__file__).parent / "fixtures" / "review"


def judged(coder: str) -> dict[str, set[str]]:
    data = yaml.safe_load((JUDGEMENTS / f"judgements-{coder}.yaml").read_text(encoding="utf-8"))
    return {ref: set(codes or []) for ref, codes in data["passages"].items()}


@pytest.fixture(scope="module")
def demo() -> Study:
    return Study.open(REPO)


@pytest.mark.parametrize("coder", ["anna", "ben"])
def test_codings_are_exactly_the_judgements_and_still_anchored(demo: Study, coder: str) -> None:
    result = demo.store(coder).read()
    assert result.problems == []
    anchored = demo.decisions([coder])
    # An edited transcript moves or orphans decisions: re-run code_demo.py (see its docstring).
    assert [a.decision.key for a in anchored if a.status != "ok"] == []
    accepted: dict[str, set[str]] = defaultdict(set)
    nothing: set[str] = set()
    for d in result.decisions:
        assert d.coder == coder and d.text_sha == demo.segment(d.segment).sha
        if d.code == NONE_CODE:
            assert d.decision == "accepted" and d.span is None
            nothing.add(d.segment)
        elif d.decision == "accepted":
            accepted[d.segment].add(d.code)
    want = judged(coder)
    assert {ref: codes for ref, codes in accepted.items()} == {ref: codes for ref, codes in want.items() if codes}
    # Where no code applies the coder said so (x): a decision in the codings, not a mark in a cache.
    assert nothing == {ref for ref, codes in want.items() if not codes}
    assert {d.segment for d in result.decisions} == set(want)  # every judged passage is decided
    sources = {(d.decision, d.source.split(":")[0]) for d in result.decisions}
    # Entered like a coder works: suggestions accepted and rejected, codes added by hand, memos, narrowed quotes.
    assert {("accepted", "suggest"), ("accepted", "manual"), ("rejected", "suggest")} <= sources
    assert any(d.memo for d in result.decisions) and any(d.span for d in result.decisions)


def test_anna_codes_every_transcript_and_ben_at_least_eight(demo: Study) -> None:
    anna, ben = judged("anna"), judged("ben")
    assert set(anna) == {s.id for s in demo.coded_segments()}
    ben_transcripts = {ref.split("¶")[0] for ref in ben}
    assert len(ben_transcripts) >= 8
    assert set(ben) == {s.id for s in demo.coded_segments() if s.transcript in ben_transcripts}


def test_ben_differs_from_anna_exactly_where_his_notes_say_so() -> None:
    anna = judged("anna")
    differing = 0
    lines = (JUDGEMENTS / "judgements-ben.yaml").read_text(encoding="utf-8").splitlines()
    for line in lines:
        m = re.match(r"^\s+(\S+¶\d+): \[(.*?)\]\s*(#.*)?$", line)
        if not m:
            continue
        codes = {c.strip() for c in m[2].split(",") if c.strip()}
        differs = codes != anna[m[1]]
        assert differs == ("differs" in (m[3] or "")), line
        differing += differs
    # Two careful coders: mostly the same codes, yet a real share of borderline passages read differently.
    assert 0.25 < differing / len(judged("ben")) < 0.75
