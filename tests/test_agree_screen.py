"""`agree --disagreements` screens passage texts and memos like `quote`; qdpx says how many flagged
passages it carries (issue 13, item 3)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli


@pytest.fixture
def study(tmp_path: Path) -> Path:
    dest = tmp_path / "study"
    shutil.copytree(FIXTURES / "agree" / "study", dest)
    (dest / "grondmotief.yaml").write_text(
        "format_version: 1\ncodebook: mini\ncoder: anna\nprivacy:\n  forbidden_names: [gewoon, kern]\n",
        encoding="utf-8",
    )
    return dest


@pytest.mark.parametrize("fmt", ["table", "md", "csv", "json"])
def test_disagreements_withhold_flagged_texts_and_memos(study: Path, fmt: str) -> None:
    r = run_cli("--study", str(study), "agree", "-d", "-f", fmt)
    assert r.exit_code == 0, r.stderr
    for secret in ("Het plezier, gewoon", "gewoon leuk", "plezier als kern"):
        assert secret not in r.stdout, (fmt, secret)
    assert "(text withheld: may contain personal data)" in r.stdout
    assert "(memo withheld: may contain personal data)" in r.stdout
    assert "Elke wedstrijd een vergunning" in r.stdout  # an unflagged passage is shown as before
    assert "h1¶6 withheld: may contain personal data (forbidden name)" in r.stderr
    assert "h1¶6 / love memo of anna withheld" in r.stderr
    assert "gewoon" not in r.stderr and "kern" not in r.stderr


def test_allow_flagged_prints_them(study: Path) -> None:
    r = run_cli("--study", str(study), "agree", "-d", "-f", "md", "--allow-flagged")
    assert "Het plezier, gewoon" in r.stdout and "plezier als kern" in r.stdout


def test_qdpx_says_how_many_flagged_passages_it_carries(study: Path, tmp_path: Path) -> None:
    r = run_cli("--study", str(study), "export", "-f", "qdpx", "-o", str(tmp_path / "s.qdpx"))
    assert r.exit_code == 0, r.stderr
    assert "the export carries 2 passage(s) that may contain personal data" in r.stderr
    shutil.copy(FIXTURES / "agree" / "study" / "grondmotief.yaml", study / "grondmotief.yaml")
    r = run_cli("--study", str(study), "export", "-f", "qdpx", "-o", str(tmp_path / "t.qdpx"))
    assert "may contain personal data" not in r.stderr
