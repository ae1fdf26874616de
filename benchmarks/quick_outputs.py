"""Record what the quick commands print (stdout, stderr, exit code), to compare two checkouts.

Start-up work (issue 14) must not change a byte of output. This runs a fixed list of invocations
of quote/tally/find/words/report/check on a fresh copy of the demo study, each with the caches
cold and then warm, against the source in SRC, and writes the results as JSON:

    python -m benchmarks.quick_outputs /work/main/src /tmp/before.json
    python -m benchmarks.quick_outputs src /tmp/after.json
    python -m benchmarks.quick_outputs --diff /tmp/before.json /tmp/after.json
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import REPO

CASES: list[list[str]] = [
    ["quote", "--theme", "subsidies", "--limit", "3"],
    ["quote", "--code", "scarcity", "--format", "json"],
    ["quote", "--motive", "Schaarste", "--format", "md", "--limit", "2"],
    ["quote", "--theme", "nosuchtheme"],
    ["quote", "--coder", "nobody"],
    ["quote", "--where", "organisation_type=volunteers-only", "--limit", "2"],
    ["tally"],
    ["tally", "--format", "md"],
    ["tally", "--format", "csv"],
    ["tally", "--format", "json"],
    ["tally", "--format", "text"],
    ["tally", "--group", "theme"],
    ["tally", "--by", "organisation_type"],
    ["tally", "--by", "organisation_type", "--format", "csv"],
    ["tally", "--by", "nosuchattr"],
    ["tally", "--coder", "anna"],
    ["tally", "--format", "bogus"],
    ["tally", "--help"],
    ["find", "wachtlijst"],
    ["find", "wachtlijst", "--format", "json"],
    ["find", "subsidie", "--count"],
    ["find", "wachtlijst", "--format", "md"],
    ["find", "wacht.*", "--regex", "--format", "text", "-t", "org01"],
    ["find", "zzzgeenmatch"],
    ["find"],
    ["words"],
    ["words", "--limit", "15", "--format", "csv"],
    ["words", "--format", "md", "--limit", "5"],
    ["words", "--compare", "organisation_type", "--limit", "5"],
    ["words", "--theme", "subsidies", "--format", "json", "--limit", "3"],
    ["words", "--heads", "--limit", "5"],
    ["words", "--help"],
    ["report", "--check"],
    ["check"],
    ["--help"],
    ["nosuchcommand"],
    ["crosstab", "theme", "motive"],
]
WIDTHS = ("80", "200")


def _copy_study(dest: Path) -> None:
    for part in ("codebooks", "interviews", "codings", "templates", "chapters"):
        if (REPO / part).exists():
            shutil.copytree(REPO / part, dest / part)
    for name in ("grondmotief.yaml",):
        if (REPO / name).exists():
            shutil.copy(REPO / name, dest / name)


def record(src: str, out: Path) -> None:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        study = Path(tmp) / "study"
        study.mkdir()
        _copy_study(study)
        for width in WIDTHS:
            env = {**os.environ, "PYTHONPATH": str(Path(src).resolve()), "COLUMNS": width}
            env.pop("NO_COLOR", None)
            for args in CASES:
                for state in ("cold", "warm"):
                    if state == "cold":
                        shutil.rmtree(study / ".grondmotief", ignore_errors=True)
                    p = subprocess.run(
                        [sys.executable, "-m", "grondmotief", "--study", str(study), *args],
                        capture_output=True,
                        env=env,
                        cwd=tmp,
                    )
                    results.append(
                        {
                            "args": args,
                            "width": width,
                            "state": state,
                            "code": p.returncode,
                            "stdout": p.stdout.decode("utf-8", "replace").replace(str(study), "STUDY"),
                            "stderr": p.stderr.decode("utf-8", "replace").replace(str(study), "STUDY"),
                        }
                    )
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(results)} runs in {out}")


def diff(a: Path, b: Path) -> int:
    before = json.loads(a.read_text(encoding="utf-8"))
    after = json.loads(b.read_text(encoding="utf-8"))
    bad = 0
    for x, y in zip(before, after, strict=True):
        for key in ("code", "stdout", "stderr"):
            if x[key] != y[key]:
                bad += 1
                print(f"DIFF {key}: {' '.join(x['args'])} (COLUMNS={x['width']}, {x['state']})")
                if key != "code":
                    import difflib

                    lines = difflib.unified_diff(x[key].splitlines(), y[key].splitlines(), lineterm="", n=1)
                    print("\n".join(list(lines)[:20]))
    print(f"{len(before)} runs compared, {bad} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1] == "--diff":
        sys.exit(diff(Path(sys.argv[2]), Path(sys.argv[3])))
    record(sys.argv[1], Path(sys.argv[2]))
