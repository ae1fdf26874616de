"""Report-side speed and scale: `report`, `quote` and `tally` on synthetic studies of 250 and 1,000
transcripts (25,000 and 100,000 decisions), and how `quote` starts up against a bare `import typer`.

Figures are ratios measured in the same run (growth from 250 to 1,000 transcripts: near-linear means
at most about 4.5 for a 4× study), plus the absolute seconds and peak MB for context.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import GRONDMOTIEF, REPO
from benchmarks.synth import make_decisions, make_study

SIZES = ((250, 25_000), (1000, 100_000))
RUNS = 3
FIXTURE = REPO / "tests" / "fixtures" / "analysis"


def _run(argv: list[str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak MB) of one child process. CPU time is what the growth ratios
    use: the machine may be shared, and CPU time is far less disturbed by that than wall time."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise RuntimeError(f"{' '.join(argv)} failed")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _best_seconds(argv: list[str], runs: int = 7) -> float:
    return min(_run(argv)[0] for _ in range(runs))


def run(out: dict) -> None:
    with tempfile.TemporaryDirectory(prefix="gm-bench-report-") as tmp:
        # Start-up: quote on a four-transcript study against the bare interpreter importing typer.
        small = Path(tmp) / "small"
        import shutil

        shutil.copytree(FIXTURE, small, ignore=shutil.ignore_patterns("golden", "chapters"))
        typer_s = _best_seconds([sys.executable, "-c", "import typer"])
        quote_s = _best_seconds([*GRONDMOTIEF, "--study", str(small), "quote", "--theme", "subsidies"])
        out["startup_import_typer_s"] = round(typer_s, 3)
        out["startup_quote_small_s"] = round(quote_s, 3)
        out["startup_quote_vs_import_typer"] = round(quote_s / typer_s, 1)

        figures: dict[int, dict[str, float]] = {}
        for n_transcripts, n_decisions in SIZES:
            dest = Path(tmp) / f"syn{n_transcripts}"
            make_study(dest, n_transcripts)
            make_decisions(dest, n_decisions)
            row: dict[str, float] = {}
            for name, args in (
                ("report", ("report",)),
                ("report_check", ("report", "--check")),
                ("quote", ("quote", "--theme", "subsidies", "--format", "json")),
                ("quote_sample", ("quote", "--motive", "efficiency", "--sample", "20", "--seed", "3")),
                ("tally", ("tally", "--by", "organisation_type")),
            ):
                # Best of three: the machine may be busy; the minimum is the least disturbed run.
                runs = [_run([*GRONDMOTIEF, "--study", str(dest), *args]) for _ in range(RUNS)]
                row[f"{name}_s"] = round(min(r[0] for r in runs), 2)
                row[f"{name}_cpu_s"] = round(min(r[1] for r in runs), 2)
                row[f"{name}_peak_mb"] = round(max(r[2] for r in runs), 1)
            figures[n_transcripts] = row
            for key, value in row.items():
                out[f"n{n_transcripts}_{key}"] = value
        small_n, big_n = SIZES[0][0], SIZES[1][0]
        for name in ("report", "quote", "tally"):
            out[f"growth_{name}_cpu_{small_n}_to_{big_n}"] = round(
                figures[big_n][f"{name}_cpu_s"] / figures[small_n][f"{name}_cpu_s"], 2
            )
            out[f"growth_{name}_wall_{small_n}_to_{big_n}"] = round(
                figures[big_n][f"{name}_s"] / figures[small_n][f"{name}_s"], 2
            )
            out[f"growth_{name}_peak_mb_{small_n}_to_{big_n}"] = round(
                figures[big_n][f"{name}_peak_mb"] / figures[small_n][f"{name}_peak_mb"], 2
            )
        out["note"] = "4x the study; near-linear growth is <= 4.5"


if __name__ == "__main__":
    results: dict = {}
    run(results)
    for k, v in results.items():
        print(f"{k}: {v}")
