"""Start-up of the quick commands on the demo study, as a ratio to `python -c "import typer"`.

Both are measured here, in the same run: each run of a command is paired with a run of `import
typer` just before it, and the median of the ratios is reported, so the figure compares across
machines and survives a shared machine's changing load. The aim (issue 14) is at most 2x. Each quick command is
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

RUNS = 9
QUICK = {
    "quote": ["quote", "--theme", "subsidies", "--limit", "3"],
    "tally": ["tally"],
    "find": ["find", "wachtlijst"],
    "words": ["words"],
}
OTHER = {"codebook_show": ["codebook", "show", "--format", "csv"]}


def _ratio(argv: list[str], base: list[str], env: dict[str, str], before: object = None) -> tuple[float, float]:
    """(median seconds, median ratio to `base`), each run paired with a run of `base` right before
    it: on a shared machine the load drifts, and a pair sees the same load."""
    measure(argv, env=env)  # warm the OS file cache, the bytecode and grondmotief's own caches
    times, ratios = [], []
    for _ in range(RUNS):
        if callable(before):
            before()
        b = measure(base, env=env).seconds
        t = measure(argv, env=env).seconds
        times.append(t)
        ratios.append(t / b)
    return statistics.median(times), statistics.median(ratios)


def _drop_quick_cache() -> None:
    shutil.rmtree(REPO / ".grondmotief" / "quick", ignore_errors=True)


def run(out: dict) -> None:
    src = os.environ.get("BENCH_SRC") or str(REPO / "src")
    env = {"PYTHONPATH": src, "PYTHONDONTWRITEBYTECODE": ""}
    gm = [sys.executable, "-m", "grondmotief", "--study", str(REPO)]
    base = [sys.executable, "-c", "import typer"]
    out["import_typer_s"] = round(statistics.median(measure(base, env=env).seconds for _ in range(RUNS)), 3)
    for name, args in QUICK.items():
        warm, warm_x = _ratio([*gm, *args], base, env)
        _, cold_x = _ratio([*gm, *args], base, env, before=_drop_quick_cache)
        out[f"{name}_warm_s"] = round(warm, 3)
        out[f"{name}_warm_x_import_typer"] = round(warm_x, 2)
        out[f"{name}_cold_x_import_typer"] = round(cold_x, 2)
    for name, args in OTHER.items():
        out[f"{name}_x_import_typer"] = round(_ratio([*gm, *args], base, env)[1], 2)
