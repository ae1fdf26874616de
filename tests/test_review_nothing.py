""" "Nothing applies" (`x`, the reserved code `_none`) in every place that reads decisions.

It is a decision in codings/<coder>.jsonl: status counts the passage as decided (not as a code),
agree treats it as "does not apply" for every code, reconcile carries it over, check accepts it,
tallies and REFI-QDA leave it out, CSV/JSON mark it.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from pathlib import Path

import krippendorff
import numpy as np
import pexpect
import pytest

from conftest import FIXTURES, run_cli
from grondmotief.analysis.reconcile import record
from grondmotief.analysis.tallies import coded_passages, tally
from grondmotief.review.session import ReviewSession
from grondmotief.study.codings import NONE_CODE, Decision
from grondmotief.study.folder import Study
from review_pty import copy_study, read_codings
from test_agree_reconcile import Pty


def _nothing(study: Path, coder: str, segment: str, memo: str = "") -> None:
    """Press `x` on a passage, through the review loop's core."""
    s = Study.open(study)
    session = ReviewSession(s, coder, [s.segment(segment)])
    step = session.reject_rest()
    assert step is not None and any(c.key == (segment, NONE_CODE) for c in step.changes)
    if memo:
        session.set_memo(None, memo)


def _decide(study: Path, coder: str, segment: str, code: str, decision: str = "accepted") -> None:
    s = Study.open(study)
    session = ReviewSession(s, coder, [s.segment(segment)])
    (session.accept if decision == "accepted" else session.reject)(code)


@pytest.fixture
def review_study(tmp_path: Path) -> Path:
    study = copy_study(tmp_path)
    shutil.copytree(FIXTURES / "review" / "codings", study / "codings")
    return study


@pytest.fixture
def agree_study(tmp_path: Path) -> Path:
    dest = tmp_path / "agree"
    shutil.copytree(FIXTURES / "agree" / "study", dest)
    return dest


def test_status_counts_the_passage_as_decided_but_not_as_a_code(review_study: Path) -> None:
    _nothing(review_study, "anna", "r2¶6", memo="afsluitend praatje")
    rows = {
        (r["coder"], r["transcript"]): r
        for r in json.loads(run_cli("status", "-S", str(review_study), "-f", "json").stdout)
    }
    a2 = rows[("anna", "r2")]
    assert (a2["decided"], a2["total"], a2["percent"]) == (3, 3, 100)  # was 2 of 3
    assert (a2["accepted"], a2["rejected"], a2["nothing"]) == (2, 0, 1)
    assert a2["codes"] == ["scarcity", "abundance"] and NONE_CODE not in a2["codes"]
    table = run_cli("status", "-S", str(review_study), "--coder", "anna")
    assert table.exit_code == 0 and "nothing" in table.stdout
    md = run_cli("status", "-S", str(review_study), "--coder", "anna", "-f", "md").stdout
    assert "| anna | all | 6 | 7 |" in md and "_none" not in md


def test_agree_treats_nothing_applies_as_does_not_apply_for_every_code(agree_study: Path) -> None:
    """bert never decided h2¶6 (missing); after `x` there it is decided, and no code applies."""
    _nothing(agree_study, "bert", "h2¶6", memo="geen thema")
    r = run_cli("--study", str(agree_study), "agree", "--coders", "anna,bert", "-f", "json")
    assert r.exit_code == 0 and "not in the codebook" not in r.stderr
    rows = {row["code"]: row for row in json.loads(r.stdout)}
    sub = rows["subsidies"]
    assert sub["units"] == 8 and sub["agreement"] == pytest.approx(7 / 8, abs=1e-4)  # 7 before
    ref = krippendorff.alpha(
        reliability_data=np.array([[1, 0, 0, 0, 0, 1, 1, 0], [1, 0, 0, 0, 0, 1, 0, 0]]), level_of_measurement="nominal"
    )
    assert sub["alpha"] == pytest.approx(ref, abs=1e-4)
    assert rows["love"]["units"] == 8 and rows["love"]["applied bert"] == 2
    assert rows["(all)"]["units"] == 8 * 6
    r = run_cli("--study", str(agree_study), "agree", "--coders", "anna,bert", "-d", "-f", "json")
    love = next(d for d in json.loads(r.stdout) if (d["segment"], d["code"]) == ("h2¶6", "love"))
    assert (love["anna"], love["bert"]) == ("applies", "does not apply (nothing applies)")
    assert love["memo bert"] == "geen thema"


def test_reconcile_carries_nothing_applies_where_no_coder_applied_a_code(agree_study: Path) -> None:
    _nothing(agree_study, "dora", "h1¶2", memo="alleen inleiding")
    _decide(agree_study, "emil", "h1¶2", "subsidies", "rejected")
    _decide(agree_study, "dora", "h1¶4", "permits")
    _decide(agree_study, "emil", "h1¶4", "permits")
    _decide(agree_study, "dora", "h1¶6", "love")
    _nothing(agree_study, "emil", "h1¶6")  # dora applies love here: no "nothing applies" for the team
    r = run_cli(
        "--study", str(agree_study), "agree", "--coders", "dora,emil", "--reconcile", "--into", "team",
        "--policy", "union", "--yes",
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    rec = {(d["segment"], d["code"]): d for d in read_codings(agree_study, "team")}
    assert set(rec) == {("h1¶2", NONE_CODE), ("h1¶2", "subsidies"), ("h1¶4", "permits"), ("h1¶6", "love")}
    assert rec[("h1¶2", NONE_CODE)]["memo"] == "dora: alleen inleiding"
    assert rec[("h1¶2", NONE_CODE)]["source"] == "reconcile" and rec[("h1¶6", "love")]["decision"] == "accepted"
    # The reconciled coder stays out of the default coders, and a second run keeps what is there.
    again = run_cli(
        "--study", str(agree_study), "agree", "--coders", "dora,emil", "--reconcile", "--into", "team",
        "--policy", "union", "--yes",
    )  # fmt: skip
    assert "0 agreed decision(s) to carry over" in again.stderr and "4 already reconciled" in again.stderr
    assert "team" not in run_cli("--study", str(agree_study), "agree", "-f", "csv").stderr
    # Accepting a code for the team on that passage replaces "nothing applies".
    s = Study.open(agree_study)
    seg = s.segment("h1¶2")
    yes = Decision(segment="h1¶2", code="permits", decision="accepted", source="reconcile", coder="team",
                   at="2026-03-04T10:00:00Z", text_sha=seg.sha)  # fmt: skip
    replaced = record(s, "team", [yes])
    assert [d.code for d in replaced] == [NONE_CODE]
    assert {(d["segment"], d["code"]) for d in read_codings(agree_study, "team")} == {
        ("h1¶2", "subsidies"), ("h1¶2", "permits"), ("h1¶4", "permits"), ("h1¶6", "love"),
    }  # fmt: skip
    # Running the reconciliation again does not bring "nothing applies" back next to the team's code.
    again = run_cli(
        "--study", str(agree_study), "agree", "--coders", "dora,emil", "--reconcile", "--into", "team",
        "--policy", "union", "--yes",
    )  # fmt: skip
    assert again.exit_code == 0 and ("h1¶2", NONE_CODE) not in {
        (d["segment"], d["code"]) for d in read_codings(agree_study, "team")
    }


def test_interactive_reconcile_undo_restores_a_replaced_nothing_applies(agree_study: Path) -> None:
    _nothing(agree_study, "dora", "h1¶2")
    _nothing(agree_study, "emil", "h1¶2")
    into = ["--coders", "dora,emil", "--reconcile", "--into", "team"]
    assert run_cli("--study", str(agree_study), "agree", *into, "--policy", "union", "--yes").exit_code == 0
    assert [d["code"] for d in read_codings(agree_study, "team")] == [NONE_CODE]
    _decide(agree_study, "emil", "h1¶2", "subsidies")  # emil thinks again: now they differ on h1¶2
    _decide(agree_study, "dora", "h1¶6", "love")  # and on h1¶6, so the walk has a second stop
    _decide(agree_study, "emil", "h1¶6", "love", "rejected")
    t = Pty(agree_study, *into)
    screen = t.expect("q quit")
    assert "1. dora: does not apply (nothing applies)" in screen and "2. emil: applies" in screen
    t.send("y")
    t.expect("2/2")
    assert {d["code"] for d in read_codings(agree_study, "team")} == {"subsidies"}  # replaced
    t.send("u")
    t.expect("Undone: subsidies in h1¶2")
    assert [d["code"] for d in read_codings(agree_study, "team")] == [NONE_CODE]  # back
    t.send("q")
    t.child.expect(pexpect.EOF)
    t.child.close()
    assert t.child.exitstatus == 0


def test_check_accepts_nothing_applies(review_study: Path) -> None:
    _nothing(review_study, "ben", "r2¶6")
    r = run_cli("check", "-S", str(review_study), "--no-pii", "--format", "json")
    problems = json.loads(r.stdout)
    assert not [p for p in problems if "_none" in p.get("message", "")], problems


def test_tallies_and_coded_passages_ignore_nothing_applies(review_study: Path) -> None:
    before = {row.code: (row.passages, row.cases) for row in tally(Study.open(review_study))}
    _nothing(review_study, "anna", "r2¶6")
    _nothing(review_study, "ben", "r1¶4")
    s = Study.open(review_study)
    assert {row.code: (row.passages, row.cases) for row in tally(s)} == before
    coded = coded_passages(s)
    assert NONE_CODE not in coded.by_code and "r2¶6" not in coded.by_segment
    assert all(d.code != NONE_CODE for d in coded.decisions)
    r = run_cli("tally", "-S", str(review_study), "--format", "csv")
    assert r.exit_code == 0 and "_none" not in r.stdout


def test_csv_and_json_export_mark_it_and_qdpx_leaves_it_out(review_study: Path, tmp_path: Path) -> None:
    _nothing(review_study, "anna", "r2¶6", memo="niets")
    r = run_cli("export", "-S", str(review_study), "-f", "csv", "--coder", "anna")
    [row] = [row for row in csv.DictReader(io.StringIO(r.stdout)) if row["citation"] == "r2¶6"]
    assert (row["code"], row["label"], row["group"], row["decision"], row["quote"], row["memo"]) == (
        "_none", "(nothing applies)", "", "accepted", "", "niets",
    )  # fmt: skip
    r = run_cli("export", "-S", str(review_study), "-f", "csv", "--coder", "anna", "--accepted-only")
    assert "_none" not in r.stdout and "subsidies" in r.stdout
    items = json.loads(run_cli("export", "-S", str(review_study), "-f", "json", "--coder", "anna").stdout)
    assert [i["label"] for i in items if i["code"] == NONE_CODE] == ["(nothing applies)"]
    out = tmp_path / "study.qdpx"
    r = run_cli("export", "-S", str(review_study), "-f", "qdpx", "-o", str(out), "--validate")
    assert r.exit_code == 0, r.stderr
    assert "1 'nothing applies' decision(s) are not exported" in r.stderr
    qde = zipfile.ZipFile(out).read("project.qde").decode("utf-8")
    assert "_none" not in qde and "nothing applies" not in qde and "r1¶2" in qde


def test_an_imported_code_replaces_nothing_applies(review_study: Path, tmp_path: Path) -> None:
    exported = tmp_path / "anna.qdpx"
    _decide(review_study, "anna", "r2¶6", "love")
    assert run_cli("export", "-S", str(review_study), "-o", str(exported), "--coder", "anna").exit_code == 0
    other = copy_study(tmp_path, "other")
    _nothing(other, "anna", "r2¶6")
    r = run_cli("import", "-S", str(other), str(exported))
    assert r.exit_code == 0, r.stderr
    assert "anna: 1 'nothing applies' decision(s) replaced by imported codes" in r.stderr
    got = {(d["segment"], d["code"]) for d in read_codings(other, "anna")}
    assert ("r2¶6", "love") in got and ("r2¶6", NONE_CODE) not in got


def test_batch_mode_leaves_a_nothing_applies_passage_alone(review_study: Path) -> None:
    _nothing(review_study, "machine", "r1¶2")
    r = run_cli("code", "-S", str(review_study), "--coder", "machine", "--accept-above", "0", "--dry-run", "-t", "r1")
    assert r.exit_code == 0, r.stderr
    planned = {json.loads(line)["segment"] for line in r.stdout.splitlines()}
    assert planned and "r1¶2" not in planned
