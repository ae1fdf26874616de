"""`find --code-as`: decisions from a search, through the coder's store; agreement sees them and
deciding again (in the review session) replaces them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from grondmotief.review.session import ReviewSession
from grondmotief.study.codings import parse_codings
from grondmotief.study.folder import Study

MEEDENKEN = ["org01¶22", "org03¶26", "org05¶4", "org07¶8", "org08¶26", "org10¶22", "org11¶16", "org11¶20", "org14¶28"]


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    dest = tmp_path / "study"
    dest.mkdir()
    for part in ("codebooks", "interviews", "codings"):
        shutil.copytree(REPO / part, dest / part)
    return dest


def carla(study: Path) -> list:
    path = study / "codings" / "carla.jsonl"
    return parse_codings(path.read_text(encoding="utf-8"), "carla.jsonl").decisions if path.exists() else []


def test_dry_run_writes_nothing_and_lists_every_passage(demo: Path) -> None:
    before = {p.name: p.read_bytes() for p in (demo / "codings").iterdir()}
    r = run_cli(
        "find", "-S", str(demo), "meedenken", "--code-as", "partnership", "--coder", "carla", "--dry-run", "-f", "json"
    )
    assert r.exit_code == 0, r.stderr
    assert [x["id"] for x in json.loads(r.stdout)] == MEEDENKEN
    assert "would record 9 decision(s)" in r.stderr
    assert {p.name: p.read_bytes() for p in (demo / "codings").iterdir()} == before


def test_decisions_are_recorded_with_source_and_sentence_span(demo: Path) -> None:
    r = run_cli(
        "find",
        "-S",
        str(demo),
        "meedenken",
        "--code-as",
        "partnership",
        "--coder",
        "carla",
        "--span",
        "sentence",
        "-f",
        "json",
    )
    assert r.exit_code == 0, r.stderr
    got = carla(demo)
    assert [d.segment for d in got] == MEEDENKEN
    assert {(d.code, d.decision, d.source, d.coder) for d in got} == {
        ("partnership", "accepted", "search:meedenken", "carla")
    }
    s = Study.open(demo)
    d = next(d for d in got if d.segment == "org07¶8")
    # the review loop's sentence splitter: "(lacht)" before "Die" does not end a sentence
    narrowed = s.segment("org07¶8").text[d.span[0] : d.span[1]]
    assert narrowed.startswith("Die liep hier over het veld") and narrowed.endswith("(lacht) Die dacht echt mee.")
    assert all(a.status != "orphan" for a in s.decisions(["carla"]))
    # run again: nothing new, everything counted as already decided
    again = run_cli("find", "-S", str(demo), "meedenken", "--code-as", "partnership", "--coder", "carla")
    assert "recorded 0 decision(s)" in again.stderr and "9 already decided" in again.stderr
    assert len(carla(demo)) == 9


def test_agreement_sees_them_and_deciding_again_undoes_one(demo: Path) -> None:
    run_cli("find", "-S", str(demo), "meedenken", "--code-as", "partnership", "--coder", "carla")

    def applied() -> int:
        r = run_cli("agree", "-S", str(demo), "--coders", "anna,carla", "--code", "partnership", "-f", "json")
        assert r.exit_code == 0, r.stderr
        return json.loads(r.stdout)[0]["applied carla"]

    assert applied() == 9
    s = Study.open(demo)
    session = ReviewSession(s, "carla", [s.segment("org07¶8")])
    assert session.reject("partnership") is not None
    assert applied() == 8
    mine = [d for d in carla(demo) if d.segment == "org07¶8"]
    assert [(d.code, d.decision) for d in mine] == [("partnership", "rejected")]


def test_code_as_needs_one_coder_and_a_known_code(demo: Path) -> None:
    for args in (
        ["--code-as", "partnership"],
        ["--code-as", "partnership", "--coder", "anna,ben"],
        ["--code-as", "nope", "--coder", "carla"],
        ["--dry-run"],
    ):
        r = run_cli("find", "-S", str(demo), "meedenken", *args)
        assert r.exit_code == 2, (args, r.stderr)
        assert r.stderr.startswith("Error:")
    assert not (demo / "codings" / "carla.jsonl").exists()
