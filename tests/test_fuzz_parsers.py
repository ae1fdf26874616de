"""Fuzzing the parsers: whatever the bytes, only the tool's own error family may escape."""

from __future__ import annotations

import contextlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, REPO
from grondmotief.codebook import lint_codebook
from grondmotief.codings import parse_codings
from grondmotief.errors import GrondmotiefError
from grondmotief.fileio import decode_text
from grondmotief.importers import parse_captions, parse_lines
from grondmotief.transcripts import parse_transcript

CODEBOOK = (REPO / "codebooks" / "grondmotieven.yaml").read_text(encoding="utf-8")
TRANSCRIPT = (REPO / "interviews" / "org01.md").read_text(encoding="utf-8")
CODINGS = (FIXTURES / "foundation" / "broken" / "not_json.jsonl").read_text(encoding="utf-8")
CAPTIONS = (FIXTURES / "foundation" / "import" / "gesprek.vtt").read_text(encoding="utf-8")
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@st.composite
def mutated(draw, base: str):
    """A valid file with a few random cuts, insertions and swaps: the damage real files get."""
    text = base[: draw(st.integers(200, 6000))]
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, max(0, len(text) - 1)))
        kind = draw(st.sampled_from(["cut", "insert", "dup"]))
        if kind == "cut":
            text = text[:i] + text[i + draw(st.integers(1, 40)) :]
        elif kind == "insert":
            text = (
                text[:i]
                + draw(st.text(alphabet=st.sampled_from(list(":-[]{}&*!|>'\"\n\t #%@`¶\x00\ufeff")), max_size=8))
                + text[i:]
            )
        else:
            text = text[:i] + text[max(0, i - 30) : i] + text[i:]
    return text


@FUZZ
@given(text=st.one_of(mutated(CODEBOOK), st.text(max_size=400)))
def test_codebook_parser(tmp_path: Path, text: str) -> None:
    path = tmp_path / "cb.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    with contextlib.suppress(GrondmotiefError):
        lint_codebook(path, "cb.yaml")


@FUZZ
@given(text=st.one_of(mutated(TRANSCRIPT), st.text(max_size=400)))
def test_transcript_parser(text: str) -> None:
    transcript, problems = parse_transcript(text, Path("org01.md"), "org01.md")
    if transcript is not None:
        for seg in transcript.segments:
            assert transcript.body[seg.start : seg.end] == seg.text


@FUZZ
@given(text=st.one_of(mutated(CODINGS * 5), st.text(max_size=400)))
def test_codings_parser(text: str) -> None:
    parse_codings(text, "codings/x.jsonl", "tester")


@FUZZ
@given(text=st.one_of(mutated(CAPTIONS * 3), st.text(max_size=400)))
def test_caption_and_text_parsers(text: str) -> None:
    parse_captions(text)
    parse_lines(text.split("\n"))


@FUZZ
@given(data=st.binary(max_size=300))
def test_decoding_bytes(data: bytes) -> None:
    try:
        decode_text(data, "x.md")
    except GrondmotiefError as exc:
        assert "x.md" in str(exc)
