"""Hostile files (issue 13): time per fuzz case per file kind, and how fast the limits stop an attack.

- Per kind: CPU ms per fuzzed case (mean, 99th percentile, worst and its seed) over FUZZ_BENCH_CASES
  cases (default 300, the number `make test` runs), as a ratio to a clean case of the same kind run
  through the same harness: a ratio near 1 means damaged files cost what good ones do.
- YAML alias bombs of 9 and 30 levels against loading the demo codebook (they took 39 s and over
  2 minutes before the alias budget; now they are refused at the first alias over the budget).
- A template looping 10^10 times with `limits.template_seconds: 1`: seconds until `report` stops it.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import REPO

sys.path.insert(0, str(REPO / "tests"))


def _cpu_ms(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.process_time()
    fn()
    return (time.process_time() - start) * 1000


def run(out: dict) -> None:
    from fuzz_cases import KINDS, Kind, run_case, scratch

    cases = int(os.environ.get("FUZZ_BENCH_CASES", "300"))
    with tempfile.TemporaryDirectory(prefix="gm-bench-fuzz-") as tmp:
        work = scratch(Path(tmp))
        total = 0.0
        for name, kind in KINDS.items():
            clean = Kind(kind.name, kind.place, kind.args, lambda _seed, k=kind: _clean(k))
            base_ms = statistics.median(_cpu_ms(lambda c=clean: run_case(c, 0, work)) for _ in range(15))
            times = [(_cpu_ms(lambda s=seed, k=kind: run_case(k, s, work)), seed) for seed in range(cases)]
            ms = sorted(t for t, _ in times)
            worst, worst_seed = max(times)
            total += sum(ms)
            out[f"{name}_ms_per_case"] = round(statistics.mean(ms), 1)
            out[f"{name}_p99_ms"] = round(ms[int(len(ms) * 0.99) - 1], 1)
            out[f"{name}_worst_ms"] = f"{worst:.0f} (seed {worst_seed})"
            out[f"{name}_vs_clean_case"] = round(statistics.mean(ms) / base_ms, 2)
        out["all_kinds_cpu_s"] = round(total / 1000, 1)
        _limits(out, Path(tmp))


def _clean(kind) -> bytes:  # type: ignore[no-untyped-def]
    """The kind's unmutated file: the seed that `make` leaves alone is found by trying a few."""
    import fuzz_cases

    bases = {
        "settings": fuzz_cases.SETTINGS,
        "codings": fuzz_cases.CODINGS,
        "template": fuzz_cases.TEMPLATE,
        "transcript": (fuzz_cases.STUDY / "interviews" / "t1.md").read_text().replace("id: t1", "id: fz"),
        "codebook": (fuzz_cases.STUDY / "codebooks" / "mini.yaml").read_text(),
        "txt": (fuzz_cases.IMPORTS / "gesprek.txt").read_text(),
        "vtt": (fuzz_cases.IMPORTS / "gesprek.vtt").read_text(),
        "srt": (fuzz_cases.IMPORTS / "gesprek.srt").read_text(),
        "qdc": (fuzz_cases.REFI / "maxqda_like_codebook.qdc").read_text(),
    }
    if kind.name == "docx":
        return fuzz_cases._minimal_docx()
    if kind.name == "qdpx":
        return (fuzz_cases.REFI / "atlas26_like.qdpx").read_bytes()
    return bases[kind.name].encode("utf-8")


def _alias_bomb(levels: int) -> str:
    lines = ["format_version: 1", "name: X", "groups:", "  theme: {label: T}", "l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def _limits(out: dict, tmp: Path) -> None:
    from conftest import run_cli  # the in-process CLI, as the tests run it
    from grondmotief.core.errors import GrondmotiefError
    from grondmotief.core.fileio import load_yaml

    demo = (REPO / "codebooks" / "grondmotieven.yaml").read_text(encoding="utf-8")
    clean = statistics.median(_cpu_ms(lambda: load_yaml(demo, "x")) for _ in range(20))
    for levels in (9, 30):
        text = _alias_bomb(levels)

        def refuse(text: str = text) -> None:
            try:
                load_yaml(text, "x")
            except GrondmotiefError:
                return
            raise RuntimeError("alias bomb was not refused")

        bomb = statistics.median(_cpu_ms(refuse) for _ in range(20))
        out[f"alias_bomb_{levels}_levels_vs_demo_codebook_load"] = round(bomb / clean, 2)
    out["demo_codebook_load_ms"] = round(clean, 2)

    import shutil

    study = tmp / "cpu"
    shutil.copytree(REPO / "tests" / "fixtures" / "foundation" / "study", study)
    (study / "templates").mkdir()
    loop = "# T\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n"
    (study / "templates" / "lus.md.j2").write_text(loop, encoding="utf-8")
    with (study / "grondmotief.yaml").open("a", encoding="utf-8") as fh:
        fh.write("limits:\n  template_seconds: 1\n")
    start, cpu = time.perf_counter(), time.process_time()
    r = run_cli("--study", str(study), "report")
    assert r.exit_code == 1 and "stopped: rendering took more than 1 s" in r.stderr, r.stderr
    # CPU seconds of the whole command (context, rendering, watchdog); wall time grows on a busy machine.
    out["template_cpu_limit_1s_stops_after_cpu_s"] = round(time.process_time() - cpu, 2)
    out["template_cpu_limit_1s_stops_after_wall_s"] = round(time.perf_counter() - start, 2)
