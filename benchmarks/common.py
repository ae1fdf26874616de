"""Helpers shared by the benchmarks: run a command in a child process, measure time and peak memory."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GRONDMOTIEF = [sys.executable, "-m", "grondmotief"]


@dataclass
class Measured:
    seconds: float
    peak_mb: float
    returncode: int


def measure(argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Measured:
    """Wall time and the child's own peak RSS (wait4 reports it per child)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {})}, cwd=cwd
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    if code not in (0, 1):
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise RuntimeError(f"{' '.join(argv)} failed ({code}): {err[-500:]}")
    return Measured(seconds, usage.ru_maxrss / 1024, code)


def gm(study: Path, *args: str, env: dict[str, str] | None = None) -> Measured:
    return measure([*GRONDMOTIEF, "--study", str(study), *args], env=env)
