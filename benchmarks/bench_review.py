"""Review loop: how fast the first passage shows, how fast a key is answered, what a decision costs.

Figures:
- `first_frame_vs_startup`: seconds from starting `grondmotief code` in a pseudo-terminal until
  the first passage is on screen, divided by the seconds `grondmotief --version` takes (the bare
  start-up). Suggestions are computed in a background thread, so this stays near 1 even though
  loading spaCy takes a second or two (target <= 2).
- `key_ms_median`, `key_ms_p95`: from sending a key (moving between codes) to the redrawn screen.
- `frame_ms`: rendering one 80×24 screen in process; `frame_vs_plain_print`: against printing
  the same passage with rich and no layout (the baseline).
- `decision_ms_<n>`: one decision written through the store (lock, re-read, merge, sort, atomic
  replace) in a codings file of n decisions, and `decision_vs_atomic_write_<n>`: against a bare
  atomic write of that file. Both grow with the file: the store rewrites it whole, by design.
"""

from __future__ import annotations

import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import REPO, measure
from benchmarks.synth import make_decisions, make_study

EXE = str(Path(sys.executable).parent / "grondmotief")
HOME = "\x1b[H"


def _first_frame_and_keys(study: Path) -> tuple[float, list[float]]:
    import pexpect

    env = {**os.environ, "NO_COLOR": "1", "TERM": "xterm-256color"}
    start = time.perf_counter()
    child = pexpect.spawn(
        EXE,
        ["--study", str(study), "code", "--coder", "bench"],
        env=env,
        dimensions=(24, 80),
        encoding="utf-8",
        timeout=60,
    )
    child.delaybeforesend = None
    child.expect_exact("\x1b[J")  # the end of a drawn screen
    first = time.perf_counter() - start
    child.expect(r"keyword|No suggestions", timeout=60)  # let the background thread finish its first transcript
    time.sleep(1.0)
    try:
        while True:
            child.read_nonblocking(65536, 0.1)
    except pexpect.TIMEOUT:
        pass
    latencies = []
    for i in range(40):
        child.send("j" if i % 2 else "k")
        sent = time.perf_counter()
        child.expect_exact("\x1b[J")
        latencies.append((time.perf_counter() - sent) * 1000)
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    return first, latencies


def _frames(study_root: Path) -> tuple[float, float]:
    from rich.console import Console

    from grondmotief.cli.review_screen import Screen, Ui
    from grondmotief.review.session import ReviewSession
    from grondmotief.study.folder import Study

    study = Study.open(study_root)
    session = ReviewSession(study, "bench-frames", study.coded_segments())
    screen, ui = Screen("color"), Ui()
    n = 200
    start = time.process_time()
    for i in range(n):
        session.index = i % len(session.queue)
        screen.render(session, ui, 80, 24)
    frame = (time.process_time() - start) / n
    start = time.process_time()
    for i in range(n):
        console = Console(file=io.StringIO(), width=80, force_terminal=True, color_system="standard")
        console.print(session.queue[i % len(session.queue)].text)
    plain = (time.process_time() - start) / n
    return frame, plain


def _decisions(root: Path, n: int) -> tuple[float, float]:
    from grondmotief.core.fileio import atomic_write_text
    from grondmotief.review.session import ReviewSession
    from grondmotief.study.folder import Study

    make_decisions(root, n, coders=("anna",))
    study = Study.open(root)
    session = ReviewSession(study, "anna", study.coded_segments())
    codes = study.codebook.order
    rounds = 20
    start = time.perf_counter()
    for i in range(rounds):
        session.go(i)
        session.add(codes[i % len(codes)])
    per_decision = (time.perf_counter() - start) / rounds
    text = (root / "codings" / "anna.jsonl").read_text(encoding="utf-8")
    start = time.perf_counter()
    for _ in range(rounds):
        atomic_write_text(root / "codings" / "copy.jsonl", text)
    bare = (time.perf_counter() - start) / rounds
    return per_decision, bare


def run(out: dict) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="gm-bench-review-"))
    try:
        demo = tmp / "demo"
        demo.mkdir()
        for part in ("codebooks", "interviews"):
            shutil.copytree(REPO / part, demo / part)
        startup = min(measure([EXE, "--version"]).seconds for _ in range(3))
        first, keys = _first_frame_and_keys(demo)
        out["startup_s"] = round(startup, 3)
        out["first_frame_s"] = round(first, 3)
        out["first_frame_vs_startup"] = round(first / startup, 2)
        out["key_ms_median"] = round(statistics.median(keys), 1)
        out["key_ms_p95"] = round(sorted(keys)[int(len(keys) * 0.95) - 1], 1)
        frame, plain = _frames(demo)
        out["frame_ms"] = round(frame * 1000, 2)
        out["frame_vs_plain_print"] = round(frame / plain, 1)
        for n in (500, 5000):
            root = make_study(tmp / f"s{n}", 40, 1500)
            per, bare = _decisions(root, n)
            out[f"decision_ms_{n}"] = round(per * 1000, 1)
            out[f"decision_vs_atomic_write_{n}"] = round(per / bare, 1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
