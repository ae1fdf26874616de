"""The engine: rejections, threshold, caching and invalidation, corrupt caches, the learnt model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grondmotief.study.codings import Decision
from grondmotief.study.folder import Study
from grondmotief.suggest import Stats, suggest_study

FIXTURES = Path(__file__).parent / "fixtures" / "suggest"


@pytest.fixture
def study_dir(tmp_path: Path) -> Path:
    dest = tmp_path / "study"
    shutil.copytree(FIXTURES / "study", dest)
    return dest


@pytest.fixture
def learn_dir(tmp_path: Path) -> Path:
    dest = tmp_path / "learn"
    shutil.copytree(FIXTURES / "learn", dest)
    return dest


def run(root: Path, **kw) -> tuple[dict[str, list], Stats]:
    stats = Stats()
    study = Study.open(root)
    out = {seg.id: list(sugg) for seg, sugg in suggest_study(study, stats=stats, **kw)}
    return out, stats


def flat(found: dict[str, list]) -> list[tuple[str, str, float, str]]:
    return [(seg, s.code, round(s.score, 6), s.source) for seg, sugg in found.items() for s in sugg]


def decide(root: Path, coder: str, items: list[tuple[str, str, str]]) -> None:
    study = Study.open(root)
    study.store(coder).record(
        Decision(
            segment=seg,
            code=code,
            decision=what,
            source="manual",
            coder=coder,
            at="2026-01-01T00:00:00Z",
            text_sha=study.segment(seg).sha,
        )
        for seg, code, what in items
    )


def test_only_coded_speakers_segments(study_dir: Path) -> None:
    found, _ = run(study_dir)
    assert found and all(int(seg.split("¶")[1]) % 2 == 0 for seg in found)  # respondent turns only


def test_threshold_comes_from_settings(study_dir: Path) -> None:
    low, _ = run(study_dir)
    assert all(s.score >= 0.3 for sugg in low.values() for s in sugg)
    settings = study_dir / "grondmotief.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace("threshold: 0.3", "threshold: 0.6"), encoding="utf-8"
    )
    high, _ = run(study_dir)
    assert all(s.score >= 0.6 for sugg in high.values() for s in sugg)
    assert 0 < len(flat(high)) < len(flat(low))


def test_a_rejected_suggestion_is_not_offered_again(study_dir: Path) -> None:
    before, _ = run(study_dir, coder="anna")
    assert "subsidies" in {s.code for s in before["t1¶2"]}
    decide(study_dir, "anna", [("t1¶2", "subsidies", "rejected"), ("t1¶4", "partnership", "accepted")])
    after, _ = run(study_dir, coder="anna")
    assert "subsidies" not in {s.code for s in after["t1¶2"]}
    assert "subsidies" in {s.code for s in after["t1¶8"]}  # only for that passage
    accepted = next(s for s in after["t1¶4"] if s.code == "partnership")
    assert accepted.decided == "accepted"
    # Another coder's rejections are not this coder's.
    other, _ = run(study_dir, coder="ben")
    assert "subsidies" in {s.code for s in other["t1¶2"]}


def test_second_run_uses_the_cache(study_dir: Path) -> None:
    first, s1 = run(study_dir)
    assert s1.parsed_transcripts == 2 and s1.parsed_segments == 7
    cache = study_dir / ".grondmotief" / "suggest"
    assert sorted(p.name for p in cache.glob("t*.bin")) == ["t1.bin", "t2.bin"]
    second, s2 = run(study_dir)
    assert s2.parsed_transcripts == 0 and s2.computed_segments == 0 and s2.cached_transcripts == 2
    assert flat(second) == flat(first)


def test_editing_one_transcript_reparses_only_that_one(study_dir: Path) -> None:
    run(study_dir)
    path = study_dir / "interviews" / "t2.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("We doen het gewoon.", "We doen het gewoon, gratis."), encoding="utf-8"
    )
    found, stats = run(study_dir, threshold=0.0)  # "gratis" alone is an everyday word: below the threshold
    assert stats.parsed_ids == ["t2"]
    assert stats.parsed_segments == 1  # only the edited paragraph
    assert stats.cached_transcripts == 1
    assert "keyword:gratis" in {e.rule for s in found["t2¶4"] if s.code == "scarcity-abundance" for e in s.evidence}


def test_codebook_change_rematches_without_reparsing(study_dir: Path) -> None:
    run(study_dir)
    cb = study_dir / "codebooks" / "test.yaml"
    cb.write_text(
        cb.read_text(encoding="utf-8").replace("keywords: [vrije tijd]", "keywords: [vrije tijd, koffie]"),
        encoding="utf-8",
    )
    found, stats = run(study_dir, threshold=0.0)  # "koffie" alone is an everyday word: below the threshold
    assert stats.parsed_segments == 0 and stats.computed_segments == 7
    assert "keyword:koffie" in {e.rule for s in found["t2¶2"] if s.code == "abundance" for e in s.evidence}


def test_a_corrupt_cache_is_rebuilt_not_an_error(study_dir: Path) -> None:
    expected, _ = run(study_dir)
    cache = study_dir / ".grondmotief" / "suggest"
    (cache / "t1.bin").write_bytes((cache / "t1.bin").read_bytes()[:-7])  # cut off, as by a full disk
    (cache / "t2.bin").write_bytes(b"GMSC1\n{not json")
    (cache / "rules.bin").write_bytes(b"\x00\xff garbage")
    found, stats = run(study_dir)
    assert flat(found) == flat(expected)
    assert stats.parsed_ids == ["t1", "t2"]
    again, stats = run(study_dir)
    assert stats.cached_transcripts == 2 and stats.parsed_segments == 0 and flat(again) == flat(expected)


def test_suggest_writes_nothing_to_codings(study_dir: Path) -> None:
    decide(study_dir, "anna", [("t1¶2", "subsidies", "accepted")])
    codings = study_dir / "codings"
    before = {p.name: p.read_bytes() for p in codings.iterdir()}
    run(study_dir, coder="anna")
    run(study_dir, coder="new-coder")
    assert {p.name: p.read_bytes() for p in codings.iterdir()} == before


POS = [("l1¶2"), ("l1¶6"), ("l2¶2"), ("l2¶6")]
NEG = [("l1¶4"), ("l1¶8"), ("l2¶4"), ("l2¶8")]


def test_the_model_learns_once_there_are_enough_decisions(learn_dir: Path) -> None:
    # min_examples is 3 in this study: two accepted passages are not enough.
    decide(learn_dir, "anna", [(s, "permits", "accepted") for s in POS[:2]] + [(s, "permits", "rejected") for s in NEG])
    found, stats = run(learn_dir, coder="anna", threshold=0.0)
    assert stats.models == {}
    assert {s.source for sugg in found.values() for s in sugg} <= {"suggest:keyword"}

    decide(learn_dir, "anna", [(POS[2], "permits", "accepted")])
    found, stats = run(learn_dir, coder="anna", threshold=0.0)
    assert stats.models == {"permits": (3, 4)}
    # l3 is a transcript nobody decided on: l3¶6 is about an event's safety demands, l3¶8 is not.
    unseen_pos = next(s for s in found["l3¶6"] if s.code == "permits")
    assert unseen_pos.source == "suggest:model" and unseen_pos.model_score is not None
    text = Study.open(learn_dir).segment("l3¶6").text
    assert any(e.rule.startswith("model:") and text[e.start : e.end] == e.text for e in unseen_pos.evidence)
    unseen_neg = [s for s in found["l3¶8"] if s.code == "permits"]
    assert not unseen_neg or unseen_neg[0].model_score < unseen_pos.model_score
    # Without a coder, or with the model switched off, there is no model.
    _, stats = run(learn_dir, threshold=0.0)
    assert stats.models == {}
    _, stats = run(learn_dir, coder="anna", use_model=False)
    assert stats.models == {}


def test_implicit_negatives_count_only_on_decided_passages(learn_dir: Path) -> None:
    # Accepting another code on a passage makes it a negative for permits; unseen passages do not count.
    decide(
        learn_dir,
        "anna",
        [(s, "permits", "accepted") for s in POS[:3]] + [(s, "subsidies", "accepted") for s in NEG[:3]],
    )
    _, stats = run(learn_dir, coder="anna", threshold=0.0)
    assert stats.models == {"permits": (3, 3), "subsidies": (3, 3)}


def test_model_suggestions_are_cached_and_retrained_when_decisions_change(learn_dir: Path) -> None:
    decide(
        learn_dir, "anna", [(s, "permits", "accepted") for s in POS[:3]] + [(s, "permits", "rejected") for s in NEG[:3]]
    )
    first, _ = run(learn_dir, coder="anna", threshold=0.0)
    second, stats = run(learn_dir, coder="anna", threshold=0.0)
    assert stats.computed_segments == 0 and flat(first) == flat(second)
    decide(learn_dir, "anna", [(POS[3], "permits", "accepted")])
    third, stats = run(learn_dir, coder="anna", threshold=0.0)
    assert stats.computed_segments > 0 and stats.parsed_segments == 0
    assert stats.models == {"permits": (4, 3)}


def test_a_warm_run_needs_neither_spacy_nor_numpy(study_dir: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from grondmotief.study.folder import Study; from grondmotief.suggest import suggest_study; "
        f"n = sum(len(s) for _, s in suggest_study(Study.open({str(study_dir)!r}))); "
        "print(n, [m for m in ('spacy', 'numpy', 'sklearn') if m in sys.modules])"
    )
    cold = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split(" ", 1)
    warm = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split(" ", 1)
    assert cold[0] == warm[0] and int(cold[0]) > 0
    assert "spacy" in cold[1]
    assert warm[1].strip() == "[]"


def test_the_blend_raises_keyword_scores_and_never_lowers_them() -> None:
    from grondmotief.suggest.score import blend

    for kw in (0.0, 0.26, 0.45, 0.9):
        for p in (0.0, 0.3, 0.7, 1.0):
            assert kw <= blend(kw, p) <= max(kw, p)
    assert blend(0.45, 0.05) == 0.45 and blend(0.45, 0.95) == pytest.approx(0.7)
    assert blend(0.0, 0.69) < 0.35 <= blend(0.0, 0.7)  # the model alone needs p >= 0.7


def test_evaluate_scores_the_blend_for_every_code_once_a_model_exists(learn_dir: Path) -> None:
    from grondmotief.suggest.evaluate import evaluate

    decide(
        learn_dir,
        "anna",
        [(s, "permits", "accepted") for s in [*POS, "l3¶6"]] + [(s, "permits", "rejected") for s in [*NEG, "l3¶8"]],
    )
    ev = evaluate(Study.open(learn_dir), "anna", folds=3)
    permits = next(c for c in ev.codes if c.code == "permits")
    subsidies = next(c for c in ev.codes if c.code == "subsidies")
    assert permits.folds_with_model == 3 and {"keyword", "model", "blend"} <= set(permits.scores)
    assert "model" not in subsidies.scores and subsidies.scores["blend"] == subsidies.scores["keyword"]
    assert ev.macro("theme", "blend") is not None


def test_stopping_early_still_writes_the_caches_made_so_far(study_dir: Path) -> None:
    found = suggest_study(Study.open(study_dir))
    seg, _ = next(found)
    assert seg.transcript == "t1"
    found.close()  # the caller stops after one passage: pending cache files are written
    _, stats = run(study_dir, transcripts=["t1"])
    assert stats.cached_transcripts == 1 and stats.parsed_segments == 0


def test_warm_runs_list_the_models_the_cache_holds(learn_dir: Path) -> None:
    decide(learn_dir, "anna", [(s, "permits", "accepted") for s in POS[:3]] + [(s, "permits", "rejected") for s in NEG])
    _, cold = run(learn_dir, coder="anna")
    _, warm = run(learn_dir, coder="anna")
    assert warm.computed_segments == 0 and warm.models == cold.models == {"permits": (3, 4)}
