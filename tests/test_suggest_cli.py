"""`grondmotief suggest`: output formats, filters, --evaluate, errors; no spaCy at import."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli
from grondmotief.study.codings import Decision
from grondmotief.study.folder import Study

FIXTURES = Path(__file__).parent / "fixtures" / "suggest"


@pytest.fixture
def study_dir(tmp_path: Path) -> Path:
    dest = tmp_path / "study"
    shutil.copytree(FIXTURES / "study", dest)
    return dest


def suggest(root: Path, *args: str):
    return run_cli("--study", str(root), "suggest", *args)


def test_json_output_is_well_formed(study_dir: Path) -> None:
    r = suggest(study_dir, "--format", "json")
    assert r.exit_code == 0, r.stderr
    rows = json.loads(r.stdout)
    assert rows and {"segment", "code", "label", "score", "source", "evidence"} <= set(rows[0])
    study = Study.open(study_dir)
    for row in rows:
        text = study.segment(row["segment"]).text
        assert row["source"] == "suggest:keyword" and 0.3 <= row["score"] <= 1
        for ev in row["evidence"]:
            assert set(ev) == {"text", "lemma", "start", "end", "rule"}
            assert text[ev["start"] : ev["end"]] == ev["text"]
    assert "suggestion(s) for 7 passage(s) in 2 transcript(s)" in r.stderr


def test_jsonl_matches_json_and_output_is_deterministic(study_dir: Path) -> None:
    as_json = json.loads(suggest(study_dir, "--format", "json").stdout)
    r = suggest(study_dir, "--format", "jsonl")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert [json.loads(line) for line in lines] == as_json
    assert suggest(study_dir, "--format", "jsonl").stdout == r.stdout  # warm run, same bytes
    shutil.rmtree(study_dir / ".grondmotief")
    assert suggest(study_dir, "--format", "jsonl").stdout == r.stdout  # cold run, same bytes


def test_table_and_summary(study_dir: Path) -> None:
    r = suggest(study_dir, "--transcript", "t1")
    assert r.exit_code == 0
    assert "segment" in r.stdout and "t1¶2" in r.stdout and "subsidies" in r.stdout
    assert "afgerekend" in r.stdout and "(afrekenen)" in r.stdout  # the word and, where it differs, its lemma
    r = suggest(study_dir, "--format", "summary")
    assert r.exit_code == 0
    as_json = json.loads(suggest(study_dir, "--format", "json").stdout)
    n_sub = sum(1 for row in as_json if row["code"] == "subsidies")
    line = next(line for line in r.stdout.splitlines() if " subsidies " in line)
    assert f" {n_sub} " in line
    for cid in ("partnership", "care", "scarcity", "abundance"):
        assert cid in r.stdout


def test_filters(study_dir: Path) -> None:
    rows = json.loads(
        suggest(study_dir, "--format", "json", "--motive", "scarcity-abundance", "--code", "scarcity").stdout
    )
    assert rows and {r["code"] for r in rows} <= {"scarcity-abundance", "scarcity"}
    rows = json.loads(
        suggest(study_dir, "--format", "json", "--theme", "subsidies", "-t", "t1", "--min-score", "0.6").stdout
    )
    assert rows and all(r["code"] == "subsidies" and r["score"] >= 0.6 and r["segment"].startswith("t1¶") for r in rows)
    r = suggest(study_dir, "--theme", "scarcity")
    assert r.exit_code == 2
    r = suggest(study_dir, "--transcript", "nope")
    assert r.exit_code == 2 and r.stderr.startswith("Error: --transcript 'nope': no such transcript")


def test_rejections_of_the_chosen_coder(study_dir: Path) -> None:
    study = Study.open(study_dir)
    study.store("anna").record(
        [
            Decision(
                segment="t1¶2",
                code="subsidies",
                decision="rejected",
                coder="anna",
                at="2026-01-01T00:00:00Z",
                text_sha=study.segment("t1¶2").sha,
            )
        ]
    )
    rows = json.loads(suggest(study_dir, "--format", "json", "--coder", "anna").stdout)
    assert ("t1¶2", "subsidies") not in {(r["segment"], r["code"]) for r in rows}
    rows = json.loads(suggest(study_dir, "--format", "json", "--coder", "ben").stdout)
    assert ("t1¶2", "subsidies") in {(r["segment"], r["code"]) for r in rows}


def test_evaluate_prints_precision_recall_f1(study_dir: Path) -> None:
    study = Study.open(study_dir)
    gold = {
        "t1¶2": ["subsidies", "partnership"],
        "t1¶4": ["partnership"],
        "t1¶6": ["care", "scarcity"],
        "t1¶8": ["subsidies"],
        "t1¶10": ["abundance"],
        "t2¶2": ["abundance"],
        "t2¶4": ["abundance"],
    }
    study.store("anna").record(
        Decision(
            segment=s,
            code=c,
            decision="accepted",
            coder="anna",
            at="2026-01-01T00:00:00Z",
            text_sha=study.segment(s).sha,
        )
        for s, codes in gold.items()
        for c in codes
    )
    r = suggest(study_dir, "--evaluate", "--coder", "anna")
    assert r.exit_code == 0, r.stderr
    assert "keyword P/R/F1" in r.stdout and "model P/R/F1" in r.stdout and "blend P/R/F1" in r.stdout
    assert "theme (macro F1)" in r.stdout and "motive (macro F1)" in r.stdout
    assert "7 decided passage(s) in 2 transcript(s)" in r.stderr
    rows = json.loads(suggest(study_dir, "--evaluate", "--coder", "anna", "--format", "json").stdout)
    sub = next(row for row in rows if row["code"] == "subsidies")
    assert sub["support"] == 2 and sub["keyword_recall"] == 1.0 and sub["keyword_precision"] == 1.0
    assert sub["model_f1"] is None  # too few decisions for a model
    abundance = next(row for row in rows if row["code"] == "abundance")
    assert abundance["keyword_recall"] == pytest.approx(1 / 3, abs=0.001)
    macro = next(row for row in rows if row["code"] == "(macro)" and row["group"] == "theme")
    assert 0.0 < macro["keyword_f1"] <= 1.0


def test_evaluate_needs_the_coders_decisions(study_dir: Path) -> None:
    r = suggest(study_dir, "--evaluate", "--coder", "nobody")
    assert r.exit_code == 1 and r.stderr.startswith("Error:") and "nobody" in r.stderr


def test_suggest_writes_no_codings(study_dir: Path) -> None:
    assert suggest(study_dir, "--coder", "anna").exit_code == 0
    assert not (study_dir / "codings").exists() or not any((study_dir / "codings").iterdir())


def test_the_command_module_does_not_import_spacy() -> None:
    code = (
        "import sys, grondmotief.cli.app, grondmotief.cli.cmd_suggest; "
        "bad = [m for m in ('spacy', 'sklearn', 'numpy', 'grondmotief.suggest') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
