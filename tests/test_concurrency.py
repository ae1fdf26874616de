"""Several processes on one study at once: nothing lost, nothing doubled, no half chapter.

- Two coders code at the same time in two real `grondmotief code` sessions (pseudo-terminals),
  with random keys, while a third process runs `grondmotief report` over and over and this test
  keeps reading the chapters as they are replaced. Every decision a screen confirmed is on disk
  exactly once at the end, each session's own count of changes matches, `report` never failed and
  no reader ever saw a half chapter, and `report --check` then agrees with a fresh `report`.
- Two processes recording for the SAME coder through the store in a tight loop, rewriting the
  file at the same size (accepted ↔ rejected flips) and removing decisions: no update is lost.
  (test_foundation_codings.py covers two writers that only add.)
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import run_cli
from grondmotief.study.codings import Decision, now_iso
from grondmotief.study.folder import Study
from review_model import Driver, disk_state
from review_pty import Tui, copy_study

STEPS = int(os.environ.get("GRONDMOTIEF_CONCURRENCY_STEPS", "30"))  # actions per coder

# A chapter that is large and whose first and last lines are known: a half-written copy shows.
CONTROL = """# Controle
{% for cid, t in tally|dictsort %}
- {{ cid }}: {{ t.passages }} passage(s) in {{ t.cases }} case(s)
{% endfor %}
{% for i in range(400) %}
Regel {{ i }} van de opvulling, zodat het schrijven even duurt.
{% endfor %}
EINDE {{ study.coded_passages }}
"""

REPORT_LOOP = """
import json, sys, time
from pathlib import Path
from typer.testing import CliRunner
from grondmotief.cli.app import app
study, stop, log = sys.argv[1:4]
runner = CliRunner()
with open(log, "w", encoding="utf-8") as out:
    while True:
        last = Path(stop).exists()
        r = runner.invoke(app, ["--study", study, "report"])
        crashed = r.exception is not None and not isinstance(r.exception, SystemExit)
        out.write(json.dumps({"exit": r.exit_code, "crashed": crashed, "stderr": r.stderr[-2000:]}) + "\\n")
        out.flush()
        if last:
            break
"""


def _watch_chapters(chapters: Path, stop: threading.Event, seen: list[str], bad: list[str]) -> None:
    """Read every chapter over and over while `report` replaces them: each read must be whole."""
    while not stop.is_set():
        for path in sorted(chapters.glob("*.md")) + sorted(chapters.glob("figures/*.svg")):
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                continue
            seen.append(path.name)
            whole = text.endswith("\n") and (
                text.rstrip().endswith("</svg>") if path.suffix == ".svg" else text.startswith("#")
            )
            if path.name == "99-controle.md":
                whole = whole and text.startswith("# Controle\n") and text.splitlines()[-1].startswith("EINDE ")
            if not whole:
                bad.append(f"{path.name}: {len(text)} characters, ends {text[-40:]!r}")


def test_two_coders_and_a_report_loop_at_the_same_time(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    (study / "templates").mkdir()
    (study / "templates" / "99-controle.md.j2").write_text(CONTROL, encoding="utf-8")
    assert run_cli("--study", str(study), "report").exit_code == 0
    stop_file, log = tmp_path / "stop", tmp_path / "report-loop.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRONDMOTIEF_")}
    loop = subprocess.Popen([sys.executable, "-c", REPORT_LOOP, str(study), str(stop_file), str(log)], env=env)
    stop_watch, seen, bad = threading.Event(), [], []
    watcher = threading.Thread(target=_watch_chapters, args=(study / "chapters", stop_watch, seen, bad), daemon=True)
    watcher.start()
    try:
        coders = {name: Driver(Tui(study, coder=name), study, name) for name in ("anna", "ben")}
        rngs = {"anna": random.Random(1), "ben": random.Random(2)}
        pick = random.Random(3)
        for _ in range(2 * STEPS):
            name = pick.choice(sorted(coders))
            coders[name].do(rngs[name])  # confirmed on screen, then checked against the file
        exits = {name: d.tui.quit() for name, d in coders.items()}
    finally:
        stop_file.touch()
        loop_exit = loop.wait(timeout=120)
        stop_watch.set()
        watcher.join(10)
    assert exits == {"anna": 0, "ben": 0} and loop_exit == 0

    for name, d in coders.items():
        assert disk_state(study, name) == d.confirmed  # nothing lost, nothing invented, no line twice
        assert d.writes >= STEPS // 3, f"{name} hardly recorded anything"
        assert f"{d.net} change(s) saved in codings/{name}.jsonl this session" in d.tui.raw
    runs = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert len(runs) >= 3, "the report loop hardly ran while the coders worked"
    failed = [r for r in runs if r["exit"] != 0 or r["crashed"] or "Traceback" in r["stderr"]]
    assert not failed, failed[:3]
    assert seen and not bad, bad[:5]

    assert run_cli("--study", str(study), "check", "--no-pii").exit_code == 0
    check = run_cli("--study", str(study), "report", "--check")
    assert check.exit_code == 0, check.stderr  # the loop's last report saw the final decisions
    fresh = tmp_path / "fresh"
    shutil.copytree(study, fresh, ignore=shutil.ignore_patterns("chapters", ".grondmotief"))
    assert run_cli("--study", str(fresh), "report").exit_code == 0
    files = {p.relative_to(study / "chapters"): p.read_bytes() for p in (study / "chapters").rglob("*") if p.is_file()}
    again = {p.relative_to(fresh / "chapters"): p.read_bytes() for p in (fresh / "chapters").rglob("*") if p.is_file()}
    assert files == again


# Same coder, two processes ----------------------------------------------------------------------
ROUNDS = 150
OWN = 4  # keys each process owns; it flips them in turn, so the file keeps its size


def _flipper(root: str, worker: int, out: multiprocessing.Queue[dict[str, str]]) -> None:
    store = Study.open(root).store("tester")
    last: dict[str, str] = {}
    for i in range(ROUNDS):
        n = i % OWN
        seg = f"t{worker}¶{n + 1}"
        verdict = "accepted" if (i // OWN) % 2 == 0 else "rejected"
        store.record([Decision(segment=seg, code="subsidies", decision=verdict, coder="tester", at=now_iso())])
        last[seg] = verdict
        # A decision that comes and goes: recorded now, removed three rounds later.
        store.record(
            [Decision(segment=f"t{worker}¶{100 + i}", code="love", decision="accepted", coder="tester", at=now_iso())]
        )
        if i >= 3:
            store.remove([(f"t{worker}¶{100 + i - 3}", "love")])
        # Both processes also write the same shared decision.
        store.record([Decision(segment="t9¶1", code="permits", decision=verdict, coder="tester", at=now_iso())])
    out.put({"worker": str(worker), **last})


def test_two_processes_flipping_and_removing_for_one_coder_lose_no_update(foundation_study: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_flipper, args=(str(foundation_study), w, queue)) for w in (1, 2)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    lines = (foundation_study / "codings" / "tester.jsonl").read_text(encoding="utf-8").splitlines()
    disk = {}
    for line in lines:
        d = json.loads(line)
        assert (d["segment"], d["code"]) not in disk, "a decision is in the file twice"
        disk[(d["segment"], d["code"])] = d["decision"]
    expected = {}
    for last in results:
        w = int(last.pop("worker"))
        expected.update({(seg, "subsidies"): verdict for seg, verdict in last.items()})
        expected.update({(f"t{w}¶{100 + i}", "love"): "accepted" for i in range(ROUNDS - 3, ROUNDS)})
    shared = disk.pop(("t9¶1", "permits"))
    assert shared in ("accepted", "rejected")
    assert disk == expected
    assert not list((foundation_study / "codings").glob(".*.tmp"))


def test_a_rewrite_with_the_same_inode_size_and_mtime_is_not_mistaken_for_the_cached_file(
    foundation_study: Path,
) -> None:
    at = "2026-01-01T00:00:00Z"

    def dec(seg: str, verdict: str) -> Decision:
        return Decision(segment=seg, code="subsidies", decision=verdict, coder="tester", at=at)

    one, two = Study.open(foundation_study).store("tester"), Study.open(foundation_study).store("tester")
    for _ in range(5):  # file systems hand out freed inodes in their own order: try until one comes back
        one.record([dec("t1¶2", "accepted"), dec("t1¶4", "accepted")])
        seen = one.path.stat()
        two.record([dec("t1¶2", "rejected")])  # same size, a new inode
        two.record([dec("t1¶4", "rejected")])  # same size, maybe the first inode again
        if two.path.stat().st_ino == seen.st_ino:
            break
    else:
        pytest.skip("this file system did not reuse the inode; the collision cannot be staged here")
    os.utime(two.path, ns=(seen.st_atime_ns, seen.st_mtime_ns))  # a clock too coarse to tell the writes apart
    one.record([dec("t2¶2", "accepted")])
    disk = {d.segment: d.decision for d in Study.open(foundation_study).store("tester").read().decisions}
    assert disk == {"t1¶2": "rejected", "t1¶4": "rejected", "t2¶2": "accepted"}  # two's decisions kept
