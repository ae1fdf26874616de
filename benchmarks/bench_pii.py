"""Personal-data scan cache: `check` and `export --format csv` on a study of 2,000 transcripts
(about 4M words), first run (scans every passage) vs second run (reads the scan cache), and both
against `check --no-pii` (what reading the files costs). Scale with GRONDMOTIEF_BENCH_SCALE."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from benchmarks.common import gm
from benchmarks.synth import make_decisions, make_study, word_count


def run(out: dict) -> None:
    scale = float(os.environ.get("GRONDMOTIEF_BENCH_SCALE", "1"))
    n = max(10, int(2000 * scale))
    with tempfile.TemporaryDirectory() as tmp:
        study = make_study(Path(tmp) / "s", n, 2000, seed=7)
        make_decisions(study, n * 50)
        out["study"] = f"{n} transcripts, {word_count(study):,} words"
        bare = gm(study, "check", "--no-pii").seconds
        first = gm(study, "check").seconds
        second = gm(study, "check").seconds
        csv = ["export", "--format", "csv", "--output", f"{tmp}/out.csv", "--force"]
        for f in (Path(study) / ".grondmotief" / "pii").glob("*"):
            f.unlink()  # the export's first run scans afresh too
        e_first = gm(study, *csv).seconds
        e_second = gm(study, *csv).seconds
        out["check_no_pii_s"] = round(bare, 2)
        out["check_first_s"] = round(first, 2)
        out["check_second_s"] = round(second, 2)
        out["check_second_over_first"] = round(second / first, 2)
        out["check_second_over_no_pii"] = round(second / bare, 2)
        out["export_csv_first_s"] = round(e_first, 2)
        out["export_csv_second_s"] = round(e_second, 2)
        out["export_csv_second_over_first"] = round(e_second / e_first, 2)
