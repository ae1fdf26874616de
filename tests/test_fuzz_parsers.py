"""Fuzzing every file kind the tool reads, through the real CLI (issue 13, Proof).

Each kind gets FUZZ_CASES seeded cases (300 by default; `FUZZ_CASES=5000 make test` for a longer
run): a damaged transcript, codebook, settings, codings, template, .docx, .vtt, .srt, .txt, .qdpx or
.qdc (tests/fuzz_cases.py makes them), one command run in-process, and for every case: exit 0, 1 or
2 only, a file name in every error, no traceback, no "internal error", nothing written outside the
study. Time per case is measured by benchmarks/bench_fuzz.py, not asserted here.

The two property tests below check invariants of the parsers directly.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO
from fuzz_cases import KINDS, problems, run_case, scratch
from grondmotief.core.errors import GrondmotiefError
from grondmotief.core.fileio import decode_text
from grondmotief.study.transcripts import parse_transcript

FUZZ_CASES = int(os.environ.get("FUZZ_CASES", "300"))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Jinja on fuzzed string escapes such as '\\i'
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_fuzzed_files_through_the_cli(kind: str, tmp_path: Path) -> None:
    workdir = scratch(tmp_path)
    failures, exits = [], set()
    for seed in range(FUZZ_CASES):
        outcome = run_case(KINDS[kind], seed, workdir)
        exits.add(outcome.exit_code)
        found = problems(outcome)
        if found:
            failures.append(f"{kind} seed {seed}: {'; '.join(found)}")
    if workdir != tmp_path:
        shutil.rmtree(workdir, ignore_errors=True)
    assert not failures, "\n".join(failures[:20])
    # A fuzzer whose cases all fail at the first byte tests nothing: some must get through.
    assert FUZZ_CASES < 100 or {0, 1} <= exits, exits


TRANSCRIPT = (REPO / "interviews" / "org01.md").read_text(encoding="utf-8")
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(cut=st.integers(0, len(TRANSCRIPT)), insert=st.text(max_size=20), at=st.integers(0, len(TRANSCRIPT)))
def test_segments_are_exact_slices_of_the_body(cut: int, insert: str, at: int) -> None:
    text = TRANSCRIPT[:cut]
    text = text[:at] + insert + text[at:]
    transcript, _ = parse_transcript(text, Path("org01.md"), "org01.md")
    if transcript is not None:
        for seg in transcript.segments:
            assert transcript.body[seg.start : seg.end] == seg.text


@PROPERTY
@given(data=st.binary(max_size=300))
def test_decoding_bytes(data: bytes) -> None:
    try:
        decode_text(data, "x.md")
    except GrondmotiefError as exc:
        assert "x.md" in str(exc)
