"""`export --output` cannot destroy a study: never into its sources, never over a file unasked (issue 13, item 1)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli


@pytest.fixture
def study(tmp_path: Path) -> Path:
    dest = tmp_path / "study"
    shutil.copytree(FIXTURES / "agree" / "study", dest)
    (dest / "templates").mkdir()
    (dest / "templates" / "01-x.md.j2").write_text("x\n", encoding="utf-8")
    return dest


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    ("fmt", "target"),
    [
        ("json", "codings/anna.jsonl"),
        ("csv", "codings/new.csv"),
        ("qdc", "codebooks/mini.yaml"),
        ("qdpx", "interviews/h1.md"),
        ("csv", "templates/01-x.md.j2"),
        ("json", "grondmotief.yaml"),
        ("csv", ".grondmotief/x.csv"),
        ("csv", "chapters/../codings/anna.jsonl"),
    ],
)
def test_export_refuses_the_study_sources(study: Path, fmt: str, target: str) -> None:
    before = _snapshot(study)
    r = run_cli("--study", str(study), "export", "-f", fmt, "-o", str(study / target), "--force")
    assert r.exit_code == 1, r.stdout + r.stderr
    assert "refusing to write an export into" in r.stderr
    assert "Traceback" not in r.stderr
    assert _snapshot(study) == before


def test_relative_paths_and_links_are_resolved(study: Path, tmp_path: Path) -> None:
    before = _snapshot(study)
    cwd = os.getcwd()
    os.chdir(study / "interviews")
    try:
        r = run_cli("--study", str(study), "export", "-f", "json", "-o", "../codings/anna.jsonl", "--force")
    finally:
        os.chdir(cwd)
    assert r.exit_code == 1 and "codings/" in r.stderr
    link = tmp_path / "innocent.json"
    link.symlink_to(study / "codings" / "anna.jsonl")
    r = run_cli("--study", str(study), "export", "-f", "json", "-o", str(link), "--force")
    assert r.exit_code == 1 and "refusing" in r.stderr
    assert _snapshot(study) == before


def test_an_existing_file_needs_force(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("mijn eigen werk\n", encoding="utf-8")
    r = run_cli("--study", str(study), "export", "-f", "csv", "-o", str(out))
    assert r.exit_code == 1
    assert "exists already; pass --force" in r.stderr
    assert out.read_text(encoding="utf-8") == "mijn eigen werk\n"
    r = run_cli("--study", str(study), "export", "-f", "csv", "-o", str(out), "--force")
    assert r.exit_code == 0, r.stderr
    assert out.read_text(encoding="utf-8").startswith('"citation"')


def test_the_study_folder_itself_is_fine(study: Path) -> None:
    r = run_cli("--study", str(study), "export", "-f", "qdpx", "-o", str(study / "studie.qdpx"))
    assert r.exit_code == 0, r.stderr
    assert (study / "studie.qdpx").is_file()
