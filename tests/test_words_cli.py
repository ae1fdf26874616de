"""`grondmotief words` on a copy of the demo study."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import REPO, run_cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("words") / "study"
    dest.mkdir()
    for part in ("codebooks", "interviews", "codings"):
        shutil.copytree(REPO / part, dest / part)
    return dest


def words(study: Path, *args: str) -> list[dict]:
    r = run_cli("words", "-S", str(study), *args, "-f", "json")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def test_counts_per_passage_and_case(demo: Path) -> None:
    rows = {r["lemma"]: r for r in words(demo, "--limit", "100000")}
    # by hand: wachtlijst(en) in org01¶18, org05¶20, org09¶14, org09¶20, org10¶20, org11¶32, org12¶28
    assert rows["wachtlijst"] == {"lemma": "wachtlijst", "count": 7, "passages": 7, "cases": 6}
    assert "de" not in rows and "en" not in rows  # stop words out
    top = words(demo, "--limit", "3")
    assert [r["count"] for r in top] == sorted((r["count"] for r in top), reverse=True)


def test_heads_count_compounds_by_their_head(demo: Path) -> None:
    plain = {r["lemma"]: r["count"] for r in words(demo, "--limit", "100000")}
    heads = {r["lemma"]: r["count"] for r in words(demo, "--limit", "100000", "--heads")}
    assert "voorleesvrijwilliger" in plain and "voorleesvrijwilliger" not in heads
    assert heads["vrijwilliger"] >= plain["vrijwilliger"] + plain["voorleesvrijwilliger"]


def test_selection_and_keyness(demo: Path) -> None:
    care = {r["lemma"]: r["count"] for r in words(demo, "--theme", "care", "--limit", "100000")}
    everything = {r["lemma"]: r["count"] for r in words(demo, "--limit", "100000")}
    assert all(care[w] <= everything[w] for w in care) and sum(care.values()) < sum(everything.values())
    rows = words(demo, "--theme", "care", "--compare", "organisation_type", "--limit", "3")
    assert rows and all(r["g2"] > 0 for r in rows)
    for r in rows:  # the counts agree with the same selection restricted to that value
        value = r["organisation_type"]
        only = {
            x["lemma"]: x["count"]
            for x in words(demo, "--theme", "care", "--where", f"organisation_type={value}", "--limit", "100000")
        }
        assert only[r["lemma"]] == r["count"]
        assert care[r["lemma"]] == r["count"] + r["elsewhere"]
    bad = run_cli("words", "-S", str(demo), "--compare", "nope")
    assert bad.exit_code == 2 and bad.stderr.startswith("Error:")
