"""`codebook suggest-keywords`: words that keep company with a code in the study itself."""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import pytest

from conftest import run_cli
from grondmotief.study.folder import Study
from grondmotief.suggest.expand import g2

REPO = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("demo") / "study"
    dest.mkdir()
    for part in ("codebooks", "interviews", "codings"):
        shutil.copytree(REPO / part, dest / part)
    return dest


def test_log_likelihood_matches_the_textbook_value() -> None:
    # a 2x2 table worked by hand: G2 = 2 * sum(O ln(O/E))
    assert g2(10, 0, 0, 10) == pytest.approx(2 * 20 * math.log(2))
    assert g2(5, 5, 5, 5) == pytest.approx(0.0)


def test_candidates_come_from_the_code_passages_with_counts_and_examples(demo: Path) -> None:
    r = run_cli("--study", str(demo), "codebook", "suggest-keywords", "subsidies", "--format", "json")
    assert r.exit_code == 0, r.stderr
    rows = json.loads(r.stdout)
    assert rows and "passage(s) are the code's" in r.stderr
    study = Study.open(demo)
    own = {k.rstrip("*") for k in study.codebook.codes["subsidies"].spec.keywords}
    g = [row["g2"] for row in rows]
    assert g == sorted(g, reverse=True)
    for row in rows:
        assert row["lemma"] not in own and not row["lemma"].startswith("subsidie")
        assert 2 <= row["in_code"] <= row["passages"]
        assert 1 <= len(row["examples"]) <= 3
        for sid in row["examples"]:
            study.segment(sid)  # a real passage id


def _code_passages(stderr: str) -> int:
    return int(re.search(r": (\d+) of \d+ passage", stderr).group(1))


def test_a_coder_adds_the_passages_they_accepted(demo: Path) -> None:
    base = run_cli("--study", str(demo), "codebook", "suggest-keywords", "love", "-f", "json", "-n", "50")
    r = run_cli(
        "--study", str(demo), "codebook", "suggest-keywords", "love", "--coder", "anna", "-f", "json", "-n", "50"
    )
    assert r.exit_code == 0 and base.exit_code == 0
    assert _code_passages(r.stderr) > _code_passages(base.stderr)
    assert json.loads(r.stdout) != json.loads(base.stdout)


def test_an_unknown_code_is_an_error(demo: Path) -> None:
    r = run_cli("--study", str(demo), "codebook", "suggest-keywords", "nope")
    assert r.exit_code == 2 and "unknown code 'nope'" in r.stderr
