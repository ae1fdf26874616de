"""`grondmotief agree` on a small fixture study whose figures are worked out by hand below.

Fixture (tests/fixtures/agree/study): anna and bert coded the respondent turns of h1 and h2;
bert never decided h2¶6 (missing for him); carl coded three passages of h1.
Unit matrix for `subsidies`, anna vs bert over the passages either decided:
    h1¶2 (1,1)  h1¶4 (0,0)  h1¶6 (0,0)  h1¶8 (0,0)  h1¶10 (0,0)  h2¶2 (1,1)  h2¶4 (1,0)  h2¶6 (0,-)
→ 7 comparable units, 6 agree; kappa = (6/7 - 26/49) / (1 - 26/49) = 16/23;
  alpha = 1 - (n-1)·D/(n² - Σn_c²) with n = 14, D = 2, n_1 = 5, n_0 = 9 → 1 - 26/90.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import krippendorff
import numpy as np
import pytest

from conftest import FIXTURES, run_cli
from grondmotief.analysis.agreement import agreement, iter_suggestions
from grondmotief.study.codings import Decision
from grondmotief.study.folder import Study


@pytest.fixture
def study(tmp_path: Path) -> Path:
    dest = tmp_path / "study"
    shutil.copytree(FIXTURES / "agree" / "study", dest)
    return dest


def _json(study: Path, *args: str) -> list[dict]:
    r = run_cli("--study", str(study), "agree", *args, "--format", "json")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def _row(rows: list[dict], code: str) -> dict:
    return next(r for r in rows if r["code"] == code)


def test_figures_match_the_hand_calculation(study: Path) -> None:
    rows = _json(study, "--coders", "anna,bert")
    sub = _row(rows, "subsidies")
    assert sub["units"] == 7
    assert sub["agreement"] == pytest.approx(6 / 7, abs=1e-4)
    assert sub["kappa anna/bert"] == pytest.approx(16 / 23, abs=1e-4)
    assert sub["alpha"] == pytest.approx(1 - 26 / 90, abs=1e-4)
    assert (sub["applied anna"], sub["applied bert"]) == (3, 2)
    # Same alpha from the reference package on the same unit matrix (nan = not coded).
    nan = np.nan
    ref = krippendorff.alpha(
        reliability_data=np.array([[1, 0, 0, 0, 0, 1, 1, 0], [1, 0, 0, 0, 0, 1, 0, nan]]),
        level_of_measurement="nominal",
    )
    assert sub["alpha"] == pytest.approx(ref, abs=1e-4)
    assert _row(rows, "permits")["alpha"] == 1.0
    # Nobody applied the parent code directly: alpha and kappa are undefined, not 0 or 1.
    parent = _row(rows, "scarcity-abundance")
    assert parent["alpha"] is None and parent["kappa anna/bert"] is None and parent["agreement"] == 1.0
    overall = _row(rows, "(all)")
    assert overall["units"] == 7 * 6


def test_rollup_counts_a_childs_acceptance_for_the_parent(study: Path) -> None:
    plain = _row(_json(study, "--coders", "anna,bert"), "scarcity-abundance")
    rolled = _row(_json(study, "--coders", "anna,bert", "--rollup"), "scarcity-abundance")
    assert (plain["applied anna"], plain["applied bert"]) == (0, 0)
    assert (rolled["applied anna"], rolled["applied bert"]) == (1, 1)
    assert rolled["alpha"] == 1.0


def test_three_coders_and_missing_passages(study: Path) -> None:
    rows = _json(study, "--coders", "anna,bert,carl")
    love = _row(rows, "love")
    assert {"kappa anna/bert", "kappa anna/carl", "kappa bert/carl"} <= set(love)
    # carl decided only h1¶2, h1¶4, h1¶6 and never applied love; on those anna and carl differ once (h1¶6).
    assert love["kappa anna/carl"] == 0.0
    res = agreement(Study.open(study), ["anna", "bert", "carl"], codes=["love"])
    matrix = [[res.views[c].value(s, "love") for s in res.segments] for c in res.coders]
    ref = krippendorff.alpha(reliability_data=np.array(matrix, dtype=float), level_of_measurement="nominal")
    assert love["alpha"] == pytest.approx(ref, abs=1e-4)


def test_filters_by_code_group_and_transcript(study: Path) -> None:
    assert [r["code"] for r in _json(study, "--coders", "anna,bert", "--group", "theme")] == [
        "subsidies",
        "permits",
        "(all)",
    ]
    assert [r["code"] for r in _json(study, "--coders", "anna,bert", "--code", "love")] == ["love", "(all)"]
    h2 = _row(_json(study, "--coders", "anna,bert", "-t", "h2"), "subsidies")
    assert h2["units"] == 2  # h2¶2 and h2¶4; bert never decided h2¶6


def test_table_output_explains_the_numbers(study: Path) -> None:
    r = run_cli("--study", str(study), "agree", "--coders", "anna,bert")
    assert r.exit_code == 0
    assert "subsidies" in r.stdout and "0.711" in r.stdout and "—" in r.stdout
    assert "0.800 reliable" in r.stderr and "0.667 tentative" in r.stderr


def test_csv_and_md_formats(study: Path) -> None:
    r = run_cli("--study", str(study), "agree", "--coders", "anna,bert", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert rows[0]["code"] == "subsidies" and rows[0]["kappa anna/bert"] == "0.696"
    r = run_cli("--study", str(study), "agree", "--coders", "anna,bert", "-f", "md")
    assert r.stdout.splitlines()[0].startswith("**Agreement of anna, bert**")
    assert "| subsidies |" in r.stdout


def test_disagreements_list_every_coders_decision_and_memo(study: Path) -> None:
    r = run_cli("--study", str(study), "agree", "--coders", "anna,bert", "--disagreements", "-f", "json")
    items = json.loads(r.stdout)
    assert [(d["segment"], d["code"]) for d in items] == [
        ("h1¶8", "abundance"),
        ("h1¶10", "love"),
        ("h2¶4", "subsidies"),
    ]
    love = items[1]
    assert love["anna"] == "does not apply (rejected)" and love["bert"] == "applies"
    assert love["memo bert"] == "leuk = liefde" and love["memo anna"] == ""
    assert love["text"].startswith("Eigenlijk niet")
    assert items[0]["bert"] == "does not apply"  # decided the passage, not this code


def test_disagreements_as_meeting_notes(study: Path) -> None:
    r = run_cli("--study", str(study), "agree", "--coders", "anna,bert,carl", "-d", "-f", "md")
    assert r.exit_code == 0
    assert "## h1¶6" in r.stdout and "> Het plezier, gewoon." in r.stdout
    assert "  - carl: does not apply (rejected)" in r.stdout
    assert "  - anna: applies (memo: plezier als kern)" in r.stdout
    r = run_cli("--study", str(study), "agree", "--coders", "anna,bert", "-d")
    assert "h1¶10\n  | Eigenlijk niet" in r.stdout
    assert "    bert  applies  memo: leuk = liefde" in r.stdout
    assert "3 passage/code pair(s) differ" in r.stderr


def test_default_coders_leave_out_reconciled_ones(study: Path) -> None:
    r = run_cli(
        "--study",
        str(study),
        "agree",
        "--coders",
        "anna,bert",
        "--reconcile",
        "--into",
        "reconciled",
        "--policy",
        "union",
        "--yes",
    )
    assert r.exit_code == 0, r.stderr
    r = run_cli("--study", str(study), "agree", "-f", "csv")
    assert "coders: anna, bert, carl" in r.stderr
    assert "kappa anna/bert" in r.stdout and "reconciled" not in r.stdout
    r = run_cli("--study", str(study), "agree", "--coders", "anna,reconciled", "-f", "json")
    assert r.exit_code == 0


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--coders", "anna"], 2, "at least two coders"),
        (["--coders", "anna,zed"], 2, "--coders 'zed': no codings/zed.jsonl (coders: anna, bert, carl)"),
        (["--coders", "anna,brt"], 2, "--coders 'brt': no codings/brt.jsonl; did you mean 'bert'?"),
        (["--coders", "anna,anna"], 2, "named twice"),
        (["--coders", "anna,bert", "--code", "nope"], 2, "--code 'nope': no such code (codes: subsidies"),
        (
            ["--coders", "anna,bert", "--code", "subsidy"],
            2,
            "--code 'subsidy': no such code; did you mean 'subsidies'?",
        ),
        (["--coders", "anna,bert", "--group", "nope"], 2, "unknown group 'nope'"),
        (
            ["--coders", "anna,bert", "--transcript", "h9"],
            2,
            "--transcript 'h9': no such transcript (transcripts: h1, h2)",
        ),
    ],
)
def test_problems_are_clear_errors(study: Path, args: list[str], code: int, message: str) -> None:
    r = run_cli("--study", str(study), "agree", *args)
    assert r.exit_code == code
    assert r.stderr.startswith("Error:") and message in r.stderr
    assert "Traceback" not in r.stderr


def test_machine_takes_part_as_a_coder(study: Path) -> None:
    """The real suggester, on every coded passage: it decides all 8 respondent turns."""
    rows = _json(study, "--coders", "anna,machine")
    sub = _row(rows, "subsidies")
    assert sub["units"] == 8
    assert sub["applied machine"] >= 1  # "subsidie*" and "aanvraag" are in the passages
    low = _row(_json(study, "--coders", "anna,machine", "--threshold", "0"), "(all)")
    high = _row(_json(study, "--coders", "anna,machine", "--threshold", "1"), "(all)")
    default = _row(rows, "(all)")
    assert low["applied machine"] >= default["applied machine"] > high["applied machine"]


def test_iter_suggestions_reads_the_shapes_the_suggester_may_return() -> None:
    class Seg:
        id = "t1¶2"

    class Sug:
        def __init__(self, code: str, score: float) -> None:
            self.code, self.score = code, score

    class Per:
        segment = Seg()
        suggestions = [Sug("a", 0.9), Sug("b", 0.2)]

    assert list(iter_suggestions([Per()])) == [("t1¶2", "a", 0.9), ("t1¶2", "b", 0.2)]
    assert list(iter_suggestions({"t1¶4": [{"code": "c", "score": 0.5}]})) == [("t1¶4", "c", 0.5)]
    assert list(iter_suggestions([{"segment": "t1¶6", "code": "d", "score": None}])) == [("t1¶6", "d", None)]


def test_agree_does_not_import_spacy(study: Path) -> None:
    code = (
        "import sys; from grondmotief.cli.app import main; sys.argv = ['grondmotief', '--study', sys.argv[1], "
        "'agree', '--coders', 'anna,bert', '-f', 'json']\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'spacy' not in sys.modules, 'spacy imported'"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(study)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0]["code"] == "subsidies"


def test_a_parent_split_from_its_children_suggests_rollup(study: Path) -> None:
    r = run_cli("--study", str(study), "agree", "--coders", "anna,bert")
    assert "--rollup" not in r.stderr  # nobody applies the parent itself here: no hint
    s = Study.open(study)
    for coder, seg, code in (("anna", "h1¶8", "scarcity-abundance"), ("anna", "h2¶2", "scarcity-abundance"),
                             ("bert", "h2¶2", "abundance")):  # fmt: skip
        s.store(coder).record(
            [
                Decision(
                    segment=seg,
                    code=code,
                    decision="accepted",
                    coder=coder,
                    at="2026-03-05T10:00:00Z",
                    text_sha=s.segment(seg).sha,
                )
            ]  # fmt: skip
        )
    r = run_cli("--study", str(study), "agree", "--coders", "anna,bert")
    assert r.exit_code == 0
    # Parent, 7 comparable passages: anna 1 on h1¶8 and h2¶2, bert 0 everywhere → alpha 1 - 4/(48/13) = -1/12.
    hint = (
        "Hint: scarcity-abundance (alpha -0.083): on 2 passage(s) anna coded the parent itself where bert coded "
        "a child (scarcity, abundance); try --rollup to compare at the parent's level (alpha 1.000 there)."
    )
    assert hint in " ".join(r.stderr.split())
    assert "Hint" not in r.stdout
    json_run = run_cli("--study", str(study), "agree", "--coders", "anna,bert", "-f", "json")
    assert "try --rollup" in json_run.stderr and json.loads(json_run.stdout)  # stdout stays clean data
    rolled = run_cli("--study", str(study), "agree", "--coders", "anna,bert", "--rollup")
    assert "try --rollup" not in rolled.stderr


def test_help_lists_only_the_formats_agree_accepts_and_uses_the_demo_coders() -> None:
    r = run_cli("agree", "--help", env={"COLUMNS": "200"})
    assert "--format table|json|csv|md" in r.stdout and "jsonl" not in r.stdout and "|text" not in r.stdout
    assert "grondmotief agree --coders anna,ben" in r.stdout and "bert" not in r.stdout
    r = run_cli("agree", "--format", "jsonl")
    assert r.exit_code == 2 and "'jsonl' is not one of" in r.stderr and "'md'" in r.stderr and "text" not in r.stderr
    for command, formats in (("status", "table|json|csv|md"), ("export", "qdpx|qdc|csv|json")):
        out = run_cli(command, "--help", env={"COLUMNS": "200"}).stdout
        assert formats in out and "jsonl" not in out, command
