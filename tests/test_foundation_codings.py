"""The decisions store: locked, atomic, sorted; check re-anchors moved passages with --fix."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

from conftest import run_cli
from grondmotief.study.codings import Decision, now_iso
from grondmotief.study.folder import Study


def _writer(root: str, worker: int, count: int) -> None:
    study = Study.open(root)
    store = study.store("tester")
    for i in range(count):
        store.record(
            [
                Decision(
                    segment=f"t{worker}¶{i + 1}", code="subsidies", decision="accepted", coder="tester", at=now_iso()
                )
            ]
        )


def test_two_processes_writing_one_coder_file_lose_nothing(foundation_study: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(foundation_study), w, 40)) for w in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    lines = (foundation_study / "codings" / "tester.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 80
    segments = [json.loads(line)["segment"] for line in lines]
    assert segments == sorted(segments, key=lambda s: (s.split("¶")[0], int(s.split("¶")[1])))
    assert not list((foundation_study / "codings").glob(".*.tmp"))


def test_one_decision_per_segment_and_code(foundation_study: Path) -> None:
    store = Study.open(foundation_study).store("tester")
    store.record([Decision(segment="t1¶2", code="subsidies", decision="accepted", coder="tester", at=now_iso())])
    store.record([Decision(segment="t1¶2", code="subsidies", decision="rejected", coder="tester", at=now_iso())])
    [d] = store.read().decisions
    assert d.decision == "rejected"
    store.remove([("t1¶2", "subsidies")])
    assert store.read().decisions == []


def test_moved_passage_is_reported_then_reanchored_by_fix(foundation_study: Path) -> None:
    study = Study.open(foundation_study)
    seg = study.segment("t1¶4")
    study.store("tester").record(
        [Decision(segment=seg.id, code="permits", decision="accepted", coder="tester", at=now_iso(), text_sha=seg.sha)]
    )
    path = foundation_study / "interviews" / "t1.md"
    text = path.read_text(encoding="utf-8").replace(
        "I: Hoe gaat het", "I: Even iets anders eerst.\n\nR: Goed.\n\nI: Hoe gaat het"
    )
    path.write_text(text, encoding="utf-8")
    result = run_cli("--study", str(foundation_study), "check", "--no-pii")
    assert result.exit_code == 0
    assert "t1¶4 (permits): the passage moved to t1¶6" in result.stdout
    assert Study.open(foundation_study).accepted()[0].segment == "t1¶6"  # tallies see the new place at once
    fixed = run_cli("--study", str(foundation_study), "check", "--no-pii", "--fix")
    assert fixed.exit_code == 0 and "re-anchored t1¶4 → t1¶6" in fixed.stderr
    assert json.loads((foundation_study / "codings" / "tester.jsonl").read_text(encoding="utf-8"))["segment"] == "t1¶6"


def test_edited_passage_is_an_orphan_until_accepted(foundation_study: Path) -> None:
    study = Study.open(foundation_study)
    seg = study.segment("t2¶2")
    study.store("tester").record(
        [Decision(segment=seg.id, code="love", decision="accepted", coder="tester", at=now_iso(), text_sha=seg.sha)]
    )
    path = foundation_study / "interviews" / "t2.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Uit plezier, echt.", "Uit plezier."), encoding="utf-8")
    result = run_cli("--study", str(foundation_study), "check", "--no-pii")
    assert result.exit_code == 1
    assert "orphaned decision t2¶2 / love" in result.stdout and "--accept-edits" in result.stdout
    fixed = run_cli("--study", str(foundation_study), "check", "--no-pii", "--fix", "--accept-edits")
    assert fixed.exit_code == 0, fixed.stdout
    assert len(Study.open(foundation_study).accepted()) == 1


def test_a_broken_transcript_is_reported_once_not_per_decision(foundation_study: Path) -> None:
    study = Study.open(foundation_study)
    records = [
        Decision(segment=s.id, code="subsidies", decision="accepted", coder="tester", at=now_iso(), text_sha=s.sha)
        for s in study.transcript("t1").segments
    ]
    study.store("tester").record(records)
    path = foundation_study / "interviews" / "t1.md"
    path.write_bytes(path.read_text(encoding="utf-8").replace("Hoe gaat", "Hoé gaat").encode("latin-1"))
    result = run_cli("--study", str(foundation_study), "check", "--no-pii")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("interviews/t1.md:")  # the root cause comes first
    assert "4 decision(s) on t1 not checked" in result.stdout
    assert "orphaned" not in result.stdout
