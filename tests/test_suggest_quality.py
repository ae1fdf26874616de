"""Quality guard: the keyword engine against a hand-coded gold set of five demo transcripts.

tests/fixtures/suggest/gold.jsonl lists, for every respondent passage of org01, org03, org04,
org08 and org13, the theme and motive codes a careful coder applies (written by reading the
passages, before tuning). This is a floor, not a target: it fails when a change to matching,
scoring, the pipeline or the codebook makes theme suggestions clearly worse.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from grondmotief.study.folder import Study
from grondmotief.suggest.evaluate import evaluate

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "suggest"))
from gold_study import gold, make_gold_study  # noqa: E402


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):
    root = make_gold_study(tmp_path_factory.mktemp("gold") / "study")
    return evaluate(Study.open(root), "gold", folds=5)


def test_gold_set_covers_every_respondent_passage_of_its_transcripts(tmp_path: Path) -> None:
    study = Study.open(make_gold_study(tmp_path / "study"))
    assert {s.id for s in study.coded_segments()} == set(gold())
    assert len(gold()) >= 80


def test_keyword_engine_theme_macro_f1(result) -> None:
    p, r, f1 = result.macro("theme", "keyword")
    assert f1 >= 0.7, (p, r, f1)


def test_keyword_engine_motives_are_reported(result) -> None:
    macro = result.macro("motive", "keyword")
    assert macro is not None and 0.3 <= macro[2] <= 1.0
    assert {c.code for c in result.codes if c.group == "motive" and c.support} >= {"love", "legitimacy", "efficiency"}


def test_every_theme_is_found_at_least_half_the_time(result) -> None:
    for c in result.codes:
        if c.group == "theme":
            assert c.scores["keyword"].recall >= 0.5, c.code
