"""Start-up of the quick commands on the demo study, as a ratio to `python -c "import typer"`.

Both are measured here, in the same run, as the median of several child processes, so the
ratio compares across machines. The aim (issue 14) is at most 2x. Each quick command is
measured twice: with the quick-start cache warm (the study unchanged since the last command, the
everyday case) and cold (`.grondmotief/quick/` removed before every run, as after editing every
file). The other caches (the suggest cache `find` and `words` read) stay warm in both.

Children run from bytecode, as an installed grondmotief does (PYTHONDONTWRITEBYTECODE is
cleared for them; with it set, every run compiles the package anew). BENCH_SRC=/path/to/src
measures another checkout's source the same way (before/after).
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys

from benchmarks.common import REPO, measure

RUNS = 7
QUICK = {
    "quote": ["quote", "--theme", "subsidies", "--limit", "3"],
    "tally": ["tally"],
    "find": ["find", "wachtlijst"],
    "words": ["words"],
}
OTHER = {"codebook_show": ["codebook", "show", "--format", "csv"]}


def _median(argv: list[str], env: dict[str, str], before: object = None) -> float:
    measure(argv, env=env)  # warm the OS file cache, the bytecode and grondmotief's own caches
    times = []
    for _ in range(RUNS):
        if callable(before):
            before()
        times.append(measure(argv, env=env).seconds)
    return statistics.median(times)


def _drop_quick_cache() -> None:
    shutil.rmtree(REPO / ".grondmotief" / "quick", ignore_errors=True)


def run(out: dict) -> None:
    src = os.environ.get("BENCH_SRC") or str(REPO / "src")
    env = {"PYTHONPATH": src, "PYTHONDONTWRITEBYTECODE": ""}
    gm = [sys.executable, "-m", "grondmotief", "--study", str(REPO)]
    base = _median([sys.executable, "-c", "import typer"], env)
    out["import_typer_s"] = round(base, 3)
    for name, args in QUICK.items():
        warm = _median([*gm, *args], env)
        cold = _median([*gm, *args], env, before=_drop_quick_cache)
        out[f"{name}_warm_s"] = round(warm, 3)
        out[f"{name}_warm_x_import_typer"] = round(warm / base, 2)
        out[f"{name}_cold_x_import_typer"] = round(cold / base, 2)
    for name, args in OTHER.items():
        out[f"{name}_x_import_typer"] = round(_median([*gm, *args], env) / base, 2)
