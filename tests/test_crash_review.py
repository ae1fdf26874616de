"""SIGKILL on the interactive `grondmotief code` session, and on a session holding the store lock.

The session runs for real in a pseudo-terminal (tests/review_pty.py). Each run presses random keys
(add through the picker, accept, reject, memo, undo, move), checks after every confirmed decision
that the file holds exactly what the screen said, then kills the process with SIGKILL: when idle,
while typing, a random moment after the key that writes a decision, or frozen (SIGSTOP) at a random
moment while it holds the store lock, i.e. in the middle of a write. Afterwards every decision
confirmed before the kill is on disk, the one in flight is either wholly there or not at all, every
codings file is whole JSON Lines, and `check` passes without repairs. The coder's file holds a few
thousand decisions on another transcript so that each write takes long enough to be hit.

GRONDMOTIEF_CRASH_RUNS sets the number of kills (as in test_crash_safety.py).
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest
from filelock import FileLock, Timeout

from conftest import run_cli
from grondmotief.study.codings import Decision
from grondmotief.study.folder import Study
from review_model import Driver, State, disk_state
from review_pty import Tui, copy_study

KILLS = int(os.environ.get("GRONDMOTIEF_CRASH_RUNS", "8"))
FILLER = 1200  # respondent turns on the filler transcript, two decisions each


def _study_with_a_big_file(tmp_path: Path) -> Path:
    """The review fixture plus transcript z1 whose passages carry 2,400 of anna's decisions."""
    study = copy_study(tmp_path)
    turns = "\n\n".join(f"I: Vraag {i}?\n\nR: Antwoord {i} over de subsidie en het overleg." for i in range(FILLER))
    (study / "interviews" / "z1.md").write_text(
        f"---\nid: z1\ntitle: Vulling\nspeakers: {{I: interviewer, R: respondent}}\n---\n{turns}\n", encoding="utf-8"
    )
    s = Study.open(study)
    segs = [seg for seg in s.coded_segments() if seg.transcript == "z1"]
    s.store("anna").replace_all(
        Decision(
            segment=seg.id, code=code, decision="accepted", coder="anna", at="2026-01-05T09:00:00Z", text_sha=seg.sha
        )
        for seg in segs
        for code in ("subsidies", "partnership")
    )
    return study


def _lock(study: Path) -> Path:
    return study / ".grondmotief" / "locks" / "anna.lock"  # where CodingStore keeps anna's lock


def study_of(lock: Path) -> Path:
    return lock.parents[2]


def _session(study: Path) -> Tui:
    return Tui(study, "--transcript", "r1", "--transcript", "r2", coder="anna")


def _kill(tui: Tui) -> None:
    os.kill(tui.child.pid, signal.SIGKILL)
    assert tui.wait_exit() == 128 + signal.SIGKILL


def _check_passes(study: Path) -> None:
    result = run_cli("--study", str(study), "check", "--no-pii")  # no --fix: nothing may need repair
    assert result.exit_code == 0, result.stdout + result.stderr
    assert " 0 error(s)" in result.stdout + result.stderr


def _lock_held(lock: Path) -> bool:
    try:
        with FileLock(str(lock), timeout=0):
            return False
    except Timeout:
        return True


def _stop(pid: int) -> None:
    os.kill(pid, signal.SIGSTOP)
    while Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in ("T", "t"):
        time.sleep(0.0001)


def _state_in(study: Path, allowed: list[State]) -> bool:
    try:
        return disk_state(study, "anna") in allowed
    except (AssertionError, ValueError):  # a line that is not whole JSON
        return False


def _caught_inside_the_lock(
    tui: Tui, lock: Path, rng: random.Random, expect: str, allowed: list[State] | None = None
) -> bool:
    """Freeze the session again and again while it writes; leave it frozen at a random moment it holds the lock.

    Each time it is caught inside the lock, the file as a reader sees it then must be whole and hold
    one of the `allowed` states (old or new, never half). False when the write finished (the
    screen confirmed it) before the random moment came up.
    """
    pid = tui.child.pid
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        time.sleep(rng.uniform(0, 0.002))
        _stop(pid)
        if _lock_held(lock):
            if allowed is not None and not _state_in(study_of(lock), allowed):
                os.kill(pid, signal.SIGKILL)  # never leave a stopped process behind
                raise AssertionError("a reader saw a half-written codings file")
            if rng.random() < 0.3:
                return True
        os.kill(pid, signal.SIGCONT)
        tui.pump(0)
        if expect in tui.screen():
            return False
    raise AssertionError(f"the session never confirmed the decision:\n{tui.screen()}")


def test_code_session_killed_at_random_moments_keeps_every_confirmed_decision(tmp_path: Path) -> None:
    study = _study_with_a_big_file(tmp_path)
    filler = {k: v for k, v in disk_state(study, "anna").items() if k[0].startswith("z1")}
    rng = random.Random(2026)
    confirmed_total = caught = 0
    for _ in range(max(KILLS * 2, 4)):
        driver = Driver(_session(study), study, "anna")
        for _ in range(rng.randint(0, 6)):
            driver.do(rng)
        confirmed_total += driver.writes
        before = driver.confirmed
        moment = rng.choice(["idle", "typing", "in flight", "inside the lock", "inside the lock"])
        in_flight = None
        if moment == "typing":
            driver.tui.press("c", "l")  # a picker left open: nothing written
        elif moment == "in flight":
            in_flight = driver.send_in_flight(rng)
            time.sleep(rng.uniform(0, 0.08))
        elif moment == "inside the lock":
            in_flight = driver.send_in_flight(rng)
            states = [before, in_flight.applied(before)]
            caught += _caught_inside_the_lock(driver.tui, _lock(study), rng, in_flight.expect, states)
        _kill(driver.tui)
        after = disk_state(study, "anna")  # every line whole JSON, no decision twice
        allowed = [before] + ([in_flight.applied(before)] if in_flight is not None else [])
        assert after in allowed, f"killed {moment}: the file lost or invented a decision"
        assert {k: v for k, v in after.items() if k[0].startswith("z1")} == filler
        assert not list((study / "codings").glob("*.rejected"))  # nothing had to be set aside
        _check_passes(study)
    assert confirmed_total >= KILLS  # the runs did record decisions
    assert caught >= 1  # and at least one kill hit a write in progress


def test_a_session_killed_while_holding_the_lock_does_not_block_the_next(tmp_path: Path) -> None:
    study = _study_with_a_big_file(tmp_path)
    lock = _lock(study)
    rng = random.Random(3)
    # Freeze a real session at random moments while it writes, until it is caught holding the store
    # lock (each write rewrites a few thousand decisions, so that takes a try or two).
    for _ in range(20):
        tui = _session(study)
        driver = Driver(tui, study, "anna")
        action = driver.send_in_flight(rng)
        states = [driver.confirmed, action.applied(driver.confirmed)]
        if action.change is not None and _caught_inside_the_lock(tui, lock, rng, action.expect, states):
            break
        tui.wait_for(action.expect)
        driver.confirmed = action.applied(driver.confirmed)
        assert tui.quit() == 0
    else:
        pytest.fail("never caught a session inside the store lock")
    before = driver.confirmed
    _kill(tui)  # dies holding the lock
    assert lock.exists()  # the lock file stays behind; the kernel's lock on it does not
    assert not _lock_held(lock)
    assert disk_state(study, "anna") in (before, action.applied(before))
    # The next session records at once. Were the lock stuck, its first write would wait the store's
    # 30 s and then say "Not saved: … is locked"; wait for either answer and require the first.
    nxt = Driver(_session(study), study, "anna")
    nxt.tui.press("c", *"verg")
    nxt.tui.child.send("\r")
    screen = _wait_for_any(nxt.tui, ("Added permits", "Already decided", "Not saved"), timeout=60)
    assert "Not saved" not in screen, screen
    assert disk_state(study, "anna")[(nxt.segment(), "permits")][0] == "accepted"
    assert nxt.tui.quit() == 0
    _check_passes(study)


def _wait_for_any(tui: Tui, texts: tuple[str, ...], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tui.pump(0.1)
        screen = tui.screen()
        if any(t in screen for t in texts):
            return screen
    raise AssertionError(f"none of {texts} on screen:\n{tui.screen()}")
