"""Scale: a synthetic study of 1,250 and 5,000 transcripts (about 2.5M and 10M words) with
125,000 and 500,000 decisions. Every main command must complete; we report time, peak memory
and how each grows when the study grows 4× (4.0 is linear)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from benchmarks.common import gm
from benchmarks.synth import make_decisions, make_study, word_count

SIZES = [(1250, 125_000), (5000, 500_000)]
COMMANDS = {
    "check": ["check", "--no-pii"],
    "check_pii": ["check"],
    "suggest_cold": ["suggest", "--format", "summary"],
    "suggest_warm": ["suggest", "--format", "summary"],
    "tally": ["tally"],
    "report": ["report"],
    "quote": ["quote", "--theme", "subsidies", "--limit", "20"],
    "agree": ["agree"],
    "export_qdpx": ["export", "--format", "qdpx", "--output", "{tmp}/out.qdpx", "--force"],
    "export_csv": ["export", "--format", "csv", "--output", "{tmp}/out.csv", "--force"],
}


def run(out: dict) -> None:
    scale = float(os.environ.get("GRONDMOTIEF_BENCH_SCALE", "1"))
    with tempfile.TemporaryDirectory() as tmp:
        timings: dict[str, list[tuple[float, float]]] = {}
        for n, decisions in SIZES:
            n, decisions = max(10, int(n * scale)), max(100, int(decisions * scale))
            study = make_study(Path(tmp) / f"s{n}", n, 2000, seed=n)
            made = make_decisions(study, decisions)
            out[f"study_{n}"] = f"{n} transcripts, {word_count(study):,} words, {made:,} decisions"
            for name, argv in COMMANDS.items():
                m = gm(study, *[a.format(tmp=tmp) for a in argv])
                timings.setdefault(name, []).append((m.seconds, m.peak_mb))
                out[f"{name}_{n}"] = f"{m.seconds:.1f} s, peak {m.peak_mb:.0f} MB (exit {m.returncode})"
        for name, rows in timings.items():
            (t1, m1), (t2, m2) = rows
            out[f"growth_{name}"] = f"time ×{t2 / t1:.2f}, memory ×{m2 / m1:.2f} for 4× the study"
