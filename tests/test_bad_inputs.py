"""The bad-input corpus: every file gives exit 1 with file and line (or a documented repair),
never a traceback, never interview text in the message, and never a write outside the study."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, run_cli

CORPUS = Path(__file__).parent / "bad_inputs"
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".grondmotief" not in p.parts
    }


def test_corpus_is_complete() -> None:
    files = {p.name for p in CORPUS.iterdir() if p.name not in ("expected.yaml", "README.md")}
    assert files == set(EXPECTED), files ^ set(EXPECTED)
    assert len(EXPECTED) >= 30


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input(name: str, tmp_path: Path) -> None:
    spec = EXPECTED[name]
    study = tmp_path / "study"
    shutil.copytree(FIXTURES / "foundation" / "study", study)
    source = CORPUS / name
    args = ["check", "--no-pii"]
    if spec["place"] == "codebook":
        shutil.copy(source, study / "codebooks" / "mini.yaml")
    elif spec["place"] == "settings":
        shutil.copy(source, study / "grondmotief.yaml")
        shutil.copy(study / "codebooks" / "mini.yaml", study / "codebooks" / "grondmotieven.yaml")
    elif spec["place"] == "transcript":
        shutil.copy(source, study / "interviews" / name)
    elif spec["place"] == "codings":
        shutil.copy(source, study / "codings" / "tester.jsonl")
    elif spec["place"] == "import":
        args = ["import", str(source)]
    elif spec["place"] == "template":
        (study / "templates").mkdir(exist_ok=True)
        shutil.copy(source, study / "templates" / name)
        args = ["report"]
    before_outside = sorted(p.name for p in tmp_path.iterdir())
    before = _snapshot(study)
    result = run_cli("--study", str(study), *args)
    output = result.stdout + result.stderr
    assert result.exit_code == spec["exit"], output
    assert spec["expect"] in " ".join(output.split()), output
    assert "Traceback" not in output
    assert sorted(p.name for p in tmp_path.iterdir()) == before_outside
    if spec["exit"] == 1:
        assert _snapshot(study) == before  # refused input changes nothing


def test_oversized_transcript_is_refused_with_a_clear_limit(tmp_path: Path) -> None:
    study = tmp_path / "study"
    shutil.copytree(FIXTURES / "foundation" / "study", study)
    big = study / "interviews" / "groot.md"
    para = "R: " + "woord " * 100 + "\n\n"
    with big.open("w", encoding="utf-8") as fh:
        fh.write("---\nid: groot\nspeakers: {R: respondent}\n---\n")
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(para * 1000)
    result = run_cli("--study", str(study), "check", "--no-pii")
    assert result.exit_code == 1
    assert "interviews/groot.md: file is 5" in result.stdout and "limits.max_file_mb" in result.stdout
