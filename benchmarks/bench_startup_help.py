"""Start-up of quick commands, as ratios to `python -c "import typer"` measured in the same run, and
the time a shell completion request takes (`--theme <TAB>` on the demo study).

BENCH_SRC=/path/to/other/src measures another checkout's source the same way (before/after)."""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

from benchmarks.common import REPO, measure

RUNS = 7


def _median(argv: list[str], env: dict[str, str]) -> float:
    measure(argv, env=env)  # warm the file cache and the bytecode
    return statistics.median(measure(argv, env=env).seconds for _ in range(RUNS))


def run(out: dict) -> None:
    src = os.environ.get("BENCH_SRC") or str(REPO / "src")
    env = {"PYTHONPATH": src, "COLUMNS": "80"}
    gm = [sys.executable, "-m", "grondmotief", "--study", str(REPO)]
    base = _median([sys.executable, "-c", "import typer"], env)
    out["import_typer_s"] = round(base, 3)
    quick = {
        "version": [sys.executable, "-m", "grondmotief", "--version"],
        "help": [*gm, "--help"],
        "tally_help": [*gm, "tally", "--help"],
        "status": [*gm, "status"],
        "tally": [*gm, "tally"],
        "quote": [*gm, "quote", "--theme", "subsidies", "--limit", "3"],
    }
    for name, argv in quick.items():
        out[f"{name}_vs_import_typer"] = round(_median(argv, env) / base, 2)
    complete = {
        **env,
        "_GRONDMOTIEF_COMPLETE": "complete_bash",
        "COMP_WORDS": f"grondmotief --study {REPO} quote --theme ",
        "COMP_CWORD": "5",
    }
    script = str(Path(sys.executable).parent / "grondmotief")  # the completion variable is named after it
    try:
        out["complete_theme_vs_import_typer"] = round(_median([script], complete) / base, 2)
    except RuntimeError:
        out["complete_theme_vs_import_typer"] = "n/a (this source has no completion)"
