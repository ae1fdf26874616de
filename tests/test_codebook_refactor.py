"""`codebook rename|merge|move|split` on a study with two coders: every decision follows, comments stay."""

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
from grondmotief.core.journal import KILL_ENV

STUDY = FIXTURES / "refactor" / "study"


@pytest.fixture
def study(tmp_path: Path) -> Path:
    dest = tmp_path / "study"
    shutil.copytree(STUDY, dest)
    return dest


def decisions(study: Path, coder: str) -> list[tuple]:
    rows = [
        json.loads(line) for line in (study / "codings" / f"{coder}.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    return [(r["segment"], r["code"], r["decision"], r["span"], r["memo"], r["at"]) for r in rows]


def comments(text: str) -> list[str]:
    return [line.split("#", 1)[1] for line in text.splitlines() if "#" in line]


def files(study: Path) -> dict[str, bytes]:
    return {
        p.relative_to(study).as_posix(): p.read_bytes()
        for p in sorted(study.rglob("*"))
        if p.is_file() and ".grondmotief" not in p.parts
    }


def test_rename_merge_move_with_two_coders(study: Path) -> None:
    cb = study / "codebooks" / "mini.yaml"
    before_comments = comments(cb.read_text(encoding="utf-8"))
    s = ["--study", str(study)]

    r = run_cli(*s, "codebook", "rename", "permits", "vergunningen")
    assert r.exit_code == 0, r.stderr
    assert (
        "rename 'permits' to 'vergunningen': changed 3 file(s) (anna: 1 rewritten, 0 combined; ben: 1 rewritten, 0 combined)"
        in r.stderr
    )

    r = run_cli(*s, "codebook", "merge", "accountability", "subsidies", "--into", "subsidies", "--format", "json")
    assert r.exit_code == 0, r.stderr
    summary = json.loads(r.stdout)
    assert [(c["coder"], c["rewritten"], c["combined"], c["memos_kept"]) for c in summary["coders"]] == [
        ("anna", 1, 1, 1),
        ("ben", 2, 1, 1),
    ]
    assert "the definition of 'accountability'; 1 exclude line(s) of 'accountability'" in summary["notes"][0]

    r = run_cli(*s, "codebook", "move", "abundance", "--top")
    assert r.exit_code == 0, r.stderr
    assert "no decision needed rewriting" in r.stderr

    # Every decision, by hand: merged ones became one (accepted wins, the other memo appended).
    assert decisions(study, "anna") == [
        ("t1¶2", "subsidies", "accepted", None, "[accountability, accepted] afrekenen!", "2026-03-02T10:01:00Z"),
        ("t1¶4", "vergunningen", "accepted", None, "", "2026-03-02T10:02:00Z"),
        ("t2¶2", "love", "accepted", None, "", "2026-03-02T10:03:00Z"),
        ("t2¶3", "scarcity", "accepted", None, "", "2026-03-02T10:04:00Z"),
    ]
    assert decisions(study, "ben") == [
        (
            "t1¶2",
            "subsidies",
            "accepted",
            [30, 61],
            "[subsidies, rejected] meer verantwoording",
            "2026-03-03T09:00:00Z",
        ),
        ("t1¶4", "subsidies", "rejected", None, "", "2026-03-03T09:02:00Z"),
        ("t1¶4", "vergunningen", "accepted", None, "", "2026-03-03T09:03:00Z"),
        ("t2¶2", "abundance", "accepted", None, "", "2026-03-03T09:04:00Z"),
        ("t2¶3", "scarcity", "rejected", None, "", "2026-03-03T09:05:00Z"),
    ]

    text = cb.read_text(encoding="utf-8")
    assert comments(text) == [c for c in before_comments if "to be merged" not in c]  # only the merged code's own
    assert "keywords: [subsidie*, aanvraag, afrekenen, verantwoording]" in text
    assert "  - id: vergunningen\n    group: theme\n    label: Vergunningen\n" in text
    assert "      # the two poles\n      - id: scarcity\n" in text
    assert text.endswith(
        "        attributes: {sphere: state}\n\n  - id: abundance\n    group: motive\n    label: Overvloed\n"
        "    definition: Redeneren vanuit overvloed.\n    keywords: [vrije tijd]   # a phrase\n"
        "    attributes: {sphere: civil}\n# end of codes\n"
    )
    r = run_cli(*s, "check", "--no-pii")
    assert r.exit_code == 0, r.stdout + r.stderr
    r = run_cli(*s, "codebook", "show", "--format", "json")
    rows = {row["id"]: row for row in json.loads(r.stdout)}
    assert list(rows) == ["subsidies", "vergunningen", "love", "scarcity-abundance", "scarcity", "abundance"]
    assert rows["abundance"]["parent"] in (None, "")


def test_dry_run_shows_the_diff_and_writes_nothing(study: Path) -> None:
    before = files(study)
    r = run_cli("--study", str(study), "codebook", "rename", "love", "liefde", "--dry-run")
    assert r.exit_code == 0, r.stderr
    assert "-  - id: love\n+  - id: liefde\n" in r.stdout
    assert '+{"segment": "t2¶2", "code": "liefde"' in r.stdout
    assert "would change 2 file(s) (anna: 1 rewritten, 0 combined)" in r.stderr and "Nothing was written" in r.stderr
    assert files(study) == before


def test_split_keeps_decisions_on_the_code(study: Path) -> None:
    before = {c: decisions(study, c) for c in ("anna", "ben")}
    r = run_cli(
        "--study",
        str(study),
        "codebook",
        "split",
        "subsidies",
        "--into",
        "aanvraag,verantwoording",
        "--labels",
        "Aanvraag,Verantwoording",
    )
    assert r.exit_code == 0, r.stderr
    assert "`grondmotief code --code subsidies`" in r.stderr
    assert {c: decisions(study, c) for c in ("anna", "ben")} == before
    text = (study / "codebooks" / "mini.yaml").read_text(encoding="utf-8")
    assert (
        '      - "Elk jaar weer die aanvraag."\n    children:\n      - id: aanvraag\n        label: Aanvraag\n' in text
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("rename", "permits", "love"), 1, "already has a code 'love'"),
        (("rename", "nergens", "iets"), 2, "unknown code 'nergens'"),  # a name typed that is not there: usage
        (("rename", "permit", "iets"), 2, "unknown code 'permit'; did you mean 'permits'?"),
        (("merge", "love", "subsidies", "--into", "subsidies"), 1, "merge codes of one group"),
        (("merge", "scarcity-abundance", "--into", "scarcity"), 1, "its own descendant"),
        (("move", "scarcity-abundance", "--parent", "abundance"), 1, "or inside it"),
    ],
)
def test_refused_refactors_change_nothing(study: Path, args, code, message) -> None:
    before = files(study)
    r = run_cli("--study", str(study), "codebook", *args)
    assert r.exit_code == code, r.stdout
    assert r.stderr.startswith("Error:") and message in r.stderr
    assert "Traceback" not in r.stderr
    assert files(study) == before


def test_broken_codings_file_stops_the_refactor(study: Path) -> None:
    with (study / "codings" / "ben.jsonl").open("a", encoding="utf-8") as fh:
        fh.write("{not json}\n")
    before = files(study)
    r = run_cli("--study", str(study), "codebook", "rename", "love", "liefde")
    assert r.exit_code == 1
    assert "codings/ben.jsonl has 1 problem(s)" in r.stderr and "codings/ben.jsonl:7" in r.stderr
    assert files(study) == before


def _merge_argv(study: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "grondmotief",
        "--study",
        str(study),
        "codebook",
        "merge",
        "accountability",
        "--into",
        "subsidies",
    ]


def _after_merge(tmp_path: Path) -> dict[str, bytes]:
    done = tmp_path / "done"
    shutil.copytree(STUDY, done)
    r = run_cli("--study", str(done), "codebook", "merge", "accountability", "--into", "subsidies")
    assert r.exit_code == 0, r.stderr
    return files(done)


def test_merge_killed_at_every_write_step_is_all_or_nothing(tmp_path: Path, study: Path) -> None:
    """SIGKILL right after each write step (backups, journal, each file, commit): the next command
    finds either the study as it was or the merge complete, never a mix."""
    before, after = files(study), _after_merge(tmp_path)
    outcomes = []
    for step in range(1, 10):
        env = {**os.environ, KILL_ENV: str(step), "PYTHONPATH": str(REPO / "src")}
        proc = subprocess.run(_merge_argv(study), env=env, capture_output=True, cwd=REPO)
        killed = proc.returncode == -signal.SIGKILL
        r = run_cli("--study", str(study), "check", "--no-pii")  # opening the study rolls back
        assert r.exit_code == 0, (step, r.stdout, r.stderr)
        now = files(study)
        assert now in (before, after), step
        outcomes.append((killed, now == after))
        if now == after:
            shutil.rmtree(study)
            shutil.copytree(STUDY, study)
        if killed and now == before and (study / ".grondmotief" / "journal" / "journal.json").exists():
            pytest.fail("journal left after roll-back")
    # Steps: 3 backups, journal.json, 3 files, the commit (journal.json removed). Killed before the
    # commit: rolled back; killed after it: done; there is no step 9, so that run finishes.
    assert outcomes[:7] == [(True, False)] * 7
    assert outcomes[7] == (True, True)
    assert outcomes[8] == (False, True)


def test_merge_killed_at_random_moments(tmp_path: Path, study: Path) -> None:
    before, after = files(study), _after_merge(tmp_path)
    rng = random.Random(5)
    for _ in range(6):
        proc = subprocess.Popen(
            _merge_argv(study),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        )
        time.sleep(rng.uniform(0.2, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        r = run_cli("--study", str(study), "check", "--no-pii")
        assert r.exit_code == 0, r.stdout + r.stderr
        now = files(study)
        assert now in (before, after)
        if now == after:
            shutil.rmtree(study)
            shutil.copytree(STUDY, study)
