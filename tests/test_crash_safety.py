"""SIGKILL at random moments: afterwards `check` passes, nothing confirmed is lost, no file is half-written."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO, run_cli

KILLS = int(os.environ.get("GRONDMOTIEF_CRASH_RUNS", "8"))


def _study(tmp_path: Path) -> Path:
    dest = tmp_path / "study"
    shutil.copytree(FIXTURES / "foundation" / "study", dest)
    return dest


def _kill_at_random(argv: list[str], rng: random.Random, max_delay: float) -> int:
    proc = subprocess.Popen(
        [sys.executable, "-m", "grondmotief", *argv], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO
    )
    time.sleep(rng.uniform(0, max_delay))
    proc.send_signal(signal.SIGKILL)
    return proc.wait()


def _check_clean(study: Path) -> None:
    result = run_cli("--study", str(study), "check", "--no-pii", "--fix")
    assert result.exit_code == 0, result.stdout + result.stderr
    for path in (study / "codings").glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            json.loads(line)


def test_import_killed_at_random_moments(tmp_path: Path) -> None:
    study = _study(tmp_path)
    big = tmp_path / "lang.txt"
    big.write_text(
        "\n".join(
            f"{'Interviewer' if i % 2 else 'Respondent'}: zin nummer {i} over de gemeente en de subsidie."
            for i in range(60000)
        ),
        encoding="utf-8",
    )
    rng = random.Random(7)
    for _ in range(KILLS):
        _kill_at_random(["--study", str(study), "import", str(big), "--id", "lang", "--force"], rng, 2.5)
        _check_clean(study)
        target = study / "interviews" / "lang.md"
        if target.exists():  # all or nothing: a present file is the complete conversion
            assert (
                target.read_text(encoding="utf-8")
                .rstrip()
                .endswith("zin nummer 59999 over de gemeente en de subsidie.")
            )


def test_batch_coding_killed_keeps_confirmed_decisions(tmp_path: Path) -> None:
    study = _study(tmp_path)
    rng = random.Random(11)
    seen: set[tuple[str, str]] = set()
    for _ in range(KILLS):
        _kill_at_random(
            ["--study", str(study), "code", "--coder", "machine", "--accept-above", "0.0", "--yes"], rng, 4.0
        )
        _check_clean(study)
        path = study / "codings" / "machine.jsonl"
        now = (
            {(json.loads(x)["segment"], json.loads(x)["code"]) for x in path.read_text(encoding="utf-8").splitlines()}
            if path.exists()
            else set()
        )
        assert seen <= now, "a decision that was on disk disappeared"
        seen = now


@pytest.mark.parametrize("runs", [KILLS])
def test_report_killed_never_leaves_a_half_chapter(tmp_path: Path, runs: int) -> None:
    study = _study(tmp_path)
    assert run_cli("--study", str(study), "report").exit_code == 0
    chapters = {p.name: p.read_bytes() for p in (study / "chapters").glob("*.md")}
    assert chapters
    rng = random.Random(5)
    for _ in range(runs):
        for p in (study / "chapters").glob("*.md"):
            p.write_text("oud\n", encoding="utf-8")  # force a rewrite
        _kill_at_random(["--study", str(study), "report"], rng, 3.0)
        _check_clean(study)
        for p in (study / "chapters").glob("*.md"):
            assert p.read_bytes() in (b"oud\n", chapters[p.name]), p.name
