"""`make bench`: run every benchmarks/bench_*.py, print their figures, save bench-out/results.json.

Each bench module has `run(out: dict) -> None`. Figures are ratios against baselines measured in
the same run wherever a ratio makes sense, so they compare across machines.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(selected: list[str]) -> int:
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if selected:
        names = [n for n in names if any(s in n for s in selected)]
    results: dict[str, dict] = {}
    for name in names:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        out: dict = {}
        importlib.import_module(f"benchmarks.{name}").run(out)
        out["bench_seconds"] = round(time.perf_counter() - started, 1)
        results[name] = out
        for key, value in out.items():
            print(f"   {key}: {value}", flush=True)
    dest = HERE.parent / "bench-out" / "results.json"
    dest.parent.mkdir(exist_ok=True)
    dest.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results in {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
