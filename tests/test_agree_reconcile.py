"""`agree --reconcile`: policies for scripts, the interactive walk in a real pseudo-terminal."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import pexpect
import pytest

from conftest import FIXTURES, run_cli
from grondmotief.analysis.tallies import tally
from grondmotief.study.folder import Study

EXE = str(Path(sys.executable).parent / "grondmotief")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]")
DISPUTED = [("h1¶8", "abundance"), ("h1¶10", "love"), ("h2¶4", "subsidies")]


@pytest.fixture
def study(tmp_path: Path) -> Path:
    dest = tmp_path / "study"
    shutil.copytree(FIXTURES / "agree" / "study", dest)
    return dest


def _codings(study: Path, coder: str) -> dict[tuple[str, str], dict]:
    path = study / "codings" / f"{coder}.jsonl"
    if not path.exists():
        return {}
    return {(d["segment"], d["code"]): d for d in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def _reconcile(study: Path, policy: str, coders: str = "anna,bert") -> object:
    return run_cli(
        "--study",
        str(study),
        "agree",
        "--coders",
        coders,
        "--reconcile",
        "--into",
        "reconciled",
        "--policy",
        policy,
        "--yes",
    )


def test_union_policy(study: Path) -> None:
    r = _reconcile(study, "union")
    assert r.exit_code == 0, r.stderr
    assert "8 carried over, 3 settled by union" in r.stderr
    rec = _codings(study, "reconciled")
    assert all(d["source"] == "reconcile" and d["coder"] == "reconciled" for d in rec.values())
    assert [rec[k]["decision"] for k in DISPUTED] == ["accepted"] * 3
    assert rec[("h2¶4", "subsidies")]["span"] == [37, 82]  # anna's span, the only one who accepted
    assert rec[("h1¶10", "love")]["memo"] == "bert: leuk = liefde"
    # Agreed units are carried over, including an explicit shared "no" and a passage only anna decided.
    assert rec[("h1¶4", "subsidies")]["decision"] == "rejected"
    assert rec[("h2¶6", "love")]["decision"] == "accepted"
    assert rec[("h1¶2", "subsidies")]["span"] is None  # bert's span, but anna took the whole passage
    # The reconciled coder agrees with every disputed unit's union.
    again = run_cli("--study", str(study), "agree", "--coders", "anna,bert,reconciled", "-d", "-f", "json")
    assert {(d["segment"], d["code"]): d["reconciled"] for d in json.loads(again.stdout)} == {
        k: "applies" for k in DISPUTED
    }


def test_intersection_and_coder_policies(study: Path) -> None:
    assert _reconcile(study, "intersection").exit_code == 0
    rec = _codings(study, "reconciled")
    assert [rec[k]["decision"] for k in DISPUTED] == ["rejected"] * 3
    (study / "codings" / "reconciled.jsonl").unlink()
    assert _reconcile(study, "coder:bert").exit_code == 0
    rec = _codings(study, "reconciled")
    assert [rec[k]["decision"] for k in DISPUTED] == ["rejected", "accepted", "rejected"]


def test_coder_policy_leaves_open_what_that_coder_never_decided(study: Path) -> None:
    r = _reconcile(study, "coder:carl", coders="anna,bert,carl")
    assert r.exit_code == 0, r.stderr
    assert "left open" in r.stderr
    rec = _codings(study, "reconciled")
    assert rec[("h1¶6", "love")]["decision"] == "rejected"  # carl's answer
    assert ("h1¶8", "abundance") not in rec  # carl did not code h1¶8
    # A second run keeps what is there and settles nothing new.
    r = _reconcile(study, "union", coders="anna,bert,carl")
    assert "already reconciled" in r.stderr
    assert _codings(study, "reconciled")[("h1¶6", "love")]["decision"] == "rejected"
    assert _codings(study, "reconciled")[("h1¶8", "abundance")]["decision"] == "accepted"


def test_reconciled_coder_feeds_tallies(study: Path) -> None:
    assert _reconcile(study, "intersection").exit_code == 0
    s = Study.open(study)
    rows = {r.code: r.passages for r in tally(s, ["reconciled"])}
    assert rows["love"] == 2 and rows["subsidies"] == 2
    assert rows["scarcity-abundance"] == 1  # rolled up from scarcity


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--reconcile", "--into", "anna", "--policy", "union", "--yes"], 2, "is one of the coders"),
        (["--reconcile", "--into", "carl", "--policy", "union", "--yes"], 2, "do not come from a reconciliation"),
        (["--reconcile", "--into", "x y", "--policy", "union", "--yes"], 2, "letters, digits"),
        (["--reconcile", "--into", "rec", "--policy", "most", "--yes"], 2, "union, intersection or coder:NAME"),
        (["--reconcile", "--into", "rec", "--policy", "coder:zed", "--yes"], 2, "'zed' is not one of the coders"),
        (["--reconcile", "--policy", "union", "--yes"], 2, "--into"),
        (["--reconcile", "--into", "rec", "--yes"], 2, "--yes needs --policy"),
        (["--reconcile", "--into", "rec", "--policy", "union"], 2, "without a terminal"),
        (["--reconcile", "--into", "rec"], 2, "needs a terminal"),
        (["--into", "rec"], 2, "go with --reconcile"),
    ],
)
def test_reconcile_refuses_what_would_go_wrong(study: Path, args: list[str], code: int, message: str) -> None:
    r = run_cli("--study", str(study), "agree", "--coders", "anna,bert", *args)
    assert r.exit_code == code, (r.stdout, r.stderr)
    assert message in r.stderr
    assert not (study / "codings" / "rec.jsonl").exists()


class Pty:
    def __init__(self, study: Path, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GRONDMOTIEF_")}
        env.update({"NO_COLOR": "1", "TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"})
        self.child = pexpect.spawn(
            EXE,
            ["--study", str(study), "agree", *args],
            env=env,
            dimensions=(24, 80),
            encoding="utf-8",
            codec_errors="replace",
            timeout=20,
        )

    def expect(self, text: str) -> str:
        self.child.expect_exact(text)
        return ANSI.sub("", self.child.before + self.child.after)

    def send(self, keys: str) -> None:
        self.child.send(keys)


def test_interactive_reconciliation_in_a_pseudo_terminal(study: Path) -> None:
    t = Pty(study, "--coders", "anna,bert", "--reconcile", "--into", "reconciled")
    screen = t.expect("q quit")
    assert "1/3" in screen and "h1¶8" in screen and "abundance: Overvloed" in screen
    assert "1. anna: applies" in screen and "2. bert: does not apply" in screen
    assert "memo: vrije tijd tegenover euro's" in screen
    # The agreed units are on disk before the first question.
    assert _codings(study, "reconciled")[("h1¶4", "permits")]["source"] == "reconcile"
    t.send("m")
    t.expect("memo (Enter saves")
    t.send("besproken: beide")
    t.send("\r")
    t.expect("Memo kept")
    t.send("y")
    screen = t.expect("q quit")
    assert "Recorded: abundance applies in h1¶8" in screen or "2/3" in screen
    assert _codings(study, "reconciled")[("h1¶8", "abundance")]["memo"] == "besproken: beide"
    t.send("2")  # take bert's answer: love applies in h1¶10
    t.expect("3/3")
    assert _codings(study, "reconciled")[("h1¶10", "love")]["decision"] == "accepted"
    t.send("u")
    t.expect("Undone: love in h1¶10")
    assert ("h1¶10", "love") not in _codings(study, "reconciled")
    t.send("1")  # anna's answer instead: does not apply
    t.expect("3/3")
    t.send("s")  # leave h2¶4 for later
    t.child.expect(pexpect.EOF)
    t.child.close()
    assert t.child.exitstatus == 0
    assert "1 skipped" in ANSI.sub("", t.child.before)
    rec = _codings(study, "reconciled")
    assert rec[("h1¶10", "love")]["decision"] == "rejected"
    assert ("h2¶4", "subsidies") not in rec
    # Coming back walks only what is still open.
    t = Pty(study, "--coders", "anna,bert", "--reconcile", "--into", "reconciled")
    screen = t.expect("q quit")
    assert "1/1" in screen and "h2¶4" in screen
    t.send("q")
    t.child.expect(pexpect.EOF)
    t.child.close()
    assert t.child.exitstatus == 0


def test_interactive_with_nothing_left_to_settle_needs_no_screen(study: Path) -> None:
    assert _reconcile(study, "union").exit_code == 0
    t = Pty(study, "--coders", "anna,bert", "--reconcile", "--into", "reconciled")
    t.child.expect(pexpect.EOF)
    t.child.close()
    assert t.child.exitstatus == 0
    assert "no disagreements left to settle" in ANSI.sub("", t.child.before)
