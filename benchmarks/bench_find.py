"""Find: a warm `grondmotief find` against `grep -c` over the same files, and against a cold run.

The study: GRONDMOTIEF_FIND_TRANSCRIPTS transcripts (default 2,000) of 2,000 words (4M words),
times GRONDMOTIEF_BENCH_SCALE (default 1; e.g. 0.05 for a quick look). Figures (ratios of
wall times measured in this run, whole processes, start-up included; best of REPEAT runs,
because the machine is shared and a neighbour can only slow a run down):
- `warm_vs_grep`: warm `find wachtlijst --count --format csv` / `grep -c -i wachtlijst` on the
  interview files. grep knows no lemmas, compounds or split verbs; this says what Dutch-aware
  search costs over a plain text scan.
- `cold_vs_warm`: the first `find` (parses every transcript with spaCy and writes the suggest
  cache) / a warm one: what the cache saves.
- `warm_split_verb_vs_grep`: the same as `warm_vs_grep` for `meedenken` (split verbs).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from benchmarks.common import gm, measure
from benchmarks.synth import make_study, word_count


def run(out: dict) -> None:
    scale = float(os.environ.get("GRONDMOTIEF_BENCH_SCALE", "1"))
    repeat = max(1, int(os.environ.get("GRONDMOTIEF_BENCH_REPEAT", "3")))
    n = max(2, round(int(os.environ.get("GRONDMOTIEF_FIND_TRANSCRIPTS", "2000")) * scale))
    with tempfile.TemporaryDirectory() as tmp:
        study = make_study(Path(tmp) / "study", n, 2000)
        files = sorted(str(p) for p in (study / "interviews").glob("*.md"))
        out["transcripts"] = n
        out["words"] = word_count(study)
        cold = gm(study, "find", "wachtlijst", "--count", "--format", "csv")
        warm = min(gm(study, "find", "wachtlijst", "--count", "--format", "csv").seconds for _ in range(repeat))
        split = min(gm(study, "find", "meedenken", "--count", "--format", "csv").seconds for _ in range(repeat))
        grep = min(measure(["grep", "-c", "-i", "wachtlijst", *files]).seconds for _ in range(repeat))
        out["cold_seconds"] = round(cold.seconds, 2)
        out["warm_seconds"] = round(warm, 3)
        out["grep_seconds"] = round(grep, 4)
        out["warm_vs_grep"] = round(warm / grep, 1)
        out["warm_split_verb_vs_grep"] = round(split / grep, 1)
        out["cold_vs_warm"] = round(cold.seconds / warm, 1)
