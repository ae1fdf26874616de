"""Interop: `agree` and `export` (qdpx, csv) on a synthetic study, and an import of the exported project.

Figures: seconds and peak memory per command, and each as a ratio to `check --no-pii` on the same
study (a command that reads everything once), so they compare across machines. Also the size of
the .qdpx and whether two exports were byte-identical.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from benchmarks.common import gm
from benchmarks.synth import make_decisions, make_study, word_count

TRANSCRIPTS = 400
DECISIONS = 40_000


def run(out: dict) -> None:
    scale = float(os.environ.get("GRONDMOTIEF_BENCH_SCALE", "1"))
    n, decisions = max(10, int(TRANSCRIPTS * scale)), max(200, int(DECISIONS * scale))
    with tempfile.TemporaryDirectory() as tmp:
        study = make_study(Path(tmp) / "study", n, 2000, seed=7)
        made = make_decisions(study, decisions, coders=("anna", "ben"))
        out["study"] = f"{n} transcripts, {word_count(study):,} words, {made:,} decisions by 2 coders"
        base = gm(study, "check", "--no-pii")
        out["baseline_check_no_pii"] = f"{base.seconds:.2f} s, peak {base.peak_mb:.0f} MB"
        runs = {
            "agree": ["agree", "--coders", "anna,ben", "--format", "json"],
            "agree_disagreements": ["agree", "--coders", "anna,ben", "--disagreements", "--format", "json"],
            "export_qdpx": ["export", "--format", "qdpx", "--output", f"{tmp}/a.qdpx"],
            "export_qdpx_again": ["export", "--format", "qdpx", "--output", f"{tmp}/b.qdpx"],
            "export_csv": ["export", "--format", "csv", "--output", f"{tmp}/a.csv"],
            "export_json": ["export", "--format", "json", "--output", f"{tmp}/a.json"],
        }
        for name, argv in runs.items():
            m = gm(study, *argv)
            out[name] = (
                f"{m.seconds:.2f} s ({m.seconds / base.seconds:.1f}× check), "
                f"peak {m.peak_mb:.0f} MB ({m.peak_mb / base.peak_mb:.1f}× check), exit {m.returncode}"
            )
        a, b = Path(tmp, "a.qdpx").read_bytes(), Path(tmp, "b.qdpx").read_bytes()
        out["qdpx_size"] = f"{len(a) / 1e6:.1f} MB"
        out["qdpx_byte_identical"] = hashlib.sha256(a).hexdigest() == hashlib.sha256(b).hexdigest()
        target = Path(tmp) / "imported"
        (target / "codebooks").mkdir(parents=True)
        m = gm(target, "import", f"{tmp}/a.qdpx")
        out["import_qdpx"] = (
            f"{m.seconds:.2f} s ({m.seconds / base.seconds:.1f}× check), peak {m.peak_mb:.0f} MB, exit {m.returncode}"
        )
