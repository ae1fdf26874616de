"""Start-up of the quick commands on the demo study, as a ratio to `python -c "import typer"`.

Both are measured here, in the same run, as the median of several child processes, so the
ratio compares across machines. The aim (issue 14) is at most 2x.
"""

from __future__ import annotations

import statistics
import sys

from benchmarks.common import GRONDMOTIEF, REPO, measure

RUNS = 7
COMMANDS = {
    "quote": ["quote", "--theme", "subsidies", "--limit", "3"],
    "tally": ["tally"],
    "codebook_show": ["codebook", "show", "--format", "csv"],
}


def _median(argv: list[str]) -> float:
    measure(argv)  # warm the OS file cache and grondmotief's own caches
    return statistics.median(measure(argv).seconds for _ in range(RUNS))


def run(out: dict) -> None:
    base = _median([sys.executable, "-c", "import typer"])
    out["import_typer_s"] = round(base, 3)
    for name, args in COMMANDS.items():
        seconds = _median([*GRONDMOTIEF, "--study", str(REPO), *args])
        out[f"{name}_s"] = round(seconds, 3)
        out[f"{name}_x_import_typer"] = round(seconds / base, 2)
