"""`code` without a terminal (batch mode, usage errors) and `status`, in-process with CliRunner."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from conftest import run_cli
from review_pty import FIXTURE, copy_study, read_codings


def test_code_without_a_terminal_exits_2_with_advice(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    result = run_cli("code", "--study", str(study), "--coder", "anna")
    assert result.exit_code == 2
    assert "needs a terminal" in result.stderr and "--accept-above" in result.stderr
    assert result.stdout == ""
    assert not (study / "codings").exists()


def test_yes_and_dry_run_need_accept_above(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    for flag in ("--yes", "--dry-run"):
        result = run_cli("code", "--study", str(study), flag)
        assert result.exit_code == 2 and "--accept-above" in result.stderr


def test_code_rejects_bad_names_cleanly(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    result = run_cli("code", "--study", str(study), "--coder", "no good")
    assert result.exit_code == 1 and result.stderr.startswith("Error: coder name")
    result = run_cli("code", "--study", str(study), "--transcript", "nope")
    assert result.exit_code == 2 and "--transcript 'nope': no such transcript" in result.stderr
    result = run_cli("code", "--study", str(study), "--theme", "love")
    assert result.exit_code == 2  # love is a motive, not a theme


def _all_suggestions(study: Path) -> dict[tuple[str, str], float]:
    """Every suggestion with its score, from the real engine (threshold 0, dry run)."""
    result = run_cli("code", "--study", str(study), "--coder", "machine", "--accept-above", "0", "--dry-run")
    assert result.exit_code == 0, result.stderr
    found = {(d["segment"], d["code"]): d["score"] for d in map(json.loads, result.stdout.splitlines())}
    assert ("r1¶2", "subsidies") in found and ("r1¶4", "permits") in found  # the fixture's obvious ones
    return found


def test_batch_dry_run_shows_what_it_would_record_and_writes_nothing(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    every = _all_suggestions(study)
    cut = sorted(every.values())[len(every) // 2]
    result = run_cli("code", "--study", str(study), "--coder", "machine", "--accept-above", str(cut), "--dry-run")
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert {(d["segment"], d["code"]) for d in lines} == {k for k, v in every.items() if v >= cut}
    assert 0 < len(lines) < len(every)
    for d in lines:
        assert d["score"] >= cut and d["source"].startswith("suggest:") and d["coder"] == "machine"
        assert d["decision"] == "accepted" and d["span"] is None and d["text_sha"]
    assert f"would record {len(lines)} suggestion(s)" in result.stderr and "nothing written" in result.stderr
    assert not (study / "codings" / "machine.jsonl").exists()


def test_batch_records_with_source_and_score_and_skips_decided(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    every = _all_suggestions(study)
    high = sorted(every.values())[-2]
    # Without --yes and without a terminal to ask on: a usage error, nothing written.
    result = run_cli("code", "--study", str(study), "--coder", "machine", "--accept-above", str(high))
    assert result.exit_code == 2 and "--yes" in result.stderr
    assert not (study / "codings" / "machine.jsonl").exists()
    result = run_cli("code", "--study", str(study), "--coder", "machine", "--accept-above", str(high), "--yes")
    assert result.exit_code == 0, result.stderr
    first = read_codings(study, "machine")
    assert {(d["segment"], d["code"]) for d in first} == {k for k, v in every.items() if v >= high}
    assert all(d["source"].startswith("suggest:") and d["score"] == every[(d["segment"], d["code"])] for d in first)
    # A lower threshold adds only what is new; earlier decisions stay as they were.
    result = run_cli("code", "--study", str(study), "--coder", "machine", "--accept-above", "0", "--yes", "-t", "r1")
    assert result.exit_code == 0, result.stderr
    assert f"{sum(d['segment'].startswith('r1¶') for d in first)} already decided" in result.stderr
    second = read_codings(study, "machine")
    assert {(d["segment"], d["code"]) for d in second} == {k for k in every if k[0].startswith("r1¶")} | {
        (d["segment"], d["code"]) for d in first
    }
    assert [d for d in second if (d["segment"], d["code"]) in {(x["segment"], x["code"]) for x in first}] == first


def test_batch_respects_code_filters(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    result = run_cli(
        "code",
        "--study",
        str(study),
        "--coder",
        "machine",
        "--accept-above",
        "0",
        "--dry-run",
        "--motive",
        "scarcity-abundance",
    )
    assert result.exit_code == 0, result.stderr
    codes = {json.loads(line)["code"] for line in result.stdout.splitlines()}
    assert codes and codes <= {"scarcity-abundance", "scarcity", "abundance"}  # the parent brings its children


def _status_study(tmp_path: Path) -> Path:
    study = copy_study(tmp_path)
    shutil.copytree(FIXTURE / "codings", study / "codings")
    return study


def test_status_json_counts_per_coder_and_transcript(tmp_path: Path) -> None:
    study = _status_study(tmp_path)
    result = run_cli("status", "--study", str(study), "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = {(r["coder"], r["transcript"]): r for r in json.loads(result.stdout)}
    assert set(rows) == {("anna", "r1"), ("anna", "r2"), ("ben", "r1"), ("ben", "r2")}  # no total rows in json
    a1 = rows[("anna", "r1")]
    assert (a1["decided"], a1["total"], a1["accepted"], a1["rejected"]) == (3, 4, 3, 1)
    assert a1["codes"] == ["subsidies", "permits", "love"]  # codebook order
    assert a1["percent"] == 75
    b2 = rows[("ben", "r2")]
    assert (b2["decided"], b2["total"], b2["accepted"], b2["rejected"]) == (0, 3, 0, 0)


def test_status_csv_md_and_table(tmp_path: Path) -> None:
    study = _status_study(tmp_path)
    result = run_cli("status", "--study", str(study), "--coder", "anna", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["transcript"] for r in rows] == ["r1", "r2"]
    assert rows[1]["codes"] == "scarcity, abundance"
    result = run_cli("status", "--study", str(study), "--format", "md")
    assert result.stdout.startswith("| coder | transcript | decided | total | % |")
    assert "| anna | all | 5 | 7 |" in result.stdout  # a total row per coder for people
    result = run_cli("status", "--study", str(study))
    assert result.exit_code == 0 and "anna" in result.stdout and "ben" in result.stdout
    assert result.stderr == ""


def test_status_errors(tmp_path: Path) -> None:
    study = _status_study(tmp_path)
    result = run_cli("status", "--study", str(study), "--coder", "carla")
    assert result.exit_code == 2 and "--coder 'carla': no codings/carla.jsonl" in result.stderr
    result = run_cli("status", "--study", str(study), "--format", "jsonl")
    assert result.exit_code == 2
    empty = copy_study(tmp_path, "empty")
    result = run_cli("status", "--study", str(empty), "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout) == [] and "No codings yet" in result.stderr
