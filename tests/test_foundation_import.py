"""`grondmotief import` of .txt, .vtt, .srt, .docx and re-encoded .md files."""

from __future__ import annotations

from pathlib import Path

from conftest import FIXTURES, run_cli
from grondmotief.study.folder import Study

IMPORT = FIXTURES / "foundation" / "import"


def _import(study: Path, *args: str):
    return run_cli("--study", str(study), "import", *args)


def test_txt_merges_one_speakers_lines_and_labels_speakers(foundation_study: Path) -> None:
    result = _import(
        foundation_study, str(IMPORT / "gesprek.txt"), "--id", "txt1", "-a", "sector=sport", "-a", "municipalities=2"
    )
    assert result.exit_code == 0, result.stderr
    t = Study.open(foundation_study).transcript("txt1")
    assert [s.label for s in t.segments] == ["I", "R", "I", "R"]
    assert (
        t.segments[1].text
        == "Nou, een jaar of twintig. We zijn begonnen met vier mensen. Inmiddels zijn het er veertig."
    )
    assert t.attributes == {"sector": "sport", "municipalities": 2}
    assert t.meta.speakers == {"I": "interviewer", "R": "respondent"}
    text = (foundation_study / "interviews" / "txt1.md").read_text(encoding="utf-8")
    assert "Respondent" not in text and "Interviewer" not in text  # names are not kept


def test_vtt_drops_timestamps_and_merges_captions(foundation_study: Path) -> None:
    result = _import(foundation_study, str(IMPORT / "gesprek.vtt"))
    assert result.exit_code == 0, result.stderr
    t = Study.open(foundation_study).transcript("gesprek")
    assert [s.label for s in t.segments] == ["I", "R", "I"]
    assert (
        t.segments[1].text == "Nou, wisselend. Elk jaar weer die aanvraag, en dan in november horen of we door mogen."
    )
    assert "-->" not in t.body and "00:00" not in t.body


def test_srt_with_named_speakers(foundation_study: Path) -> None:
    result = _import(foundation_study, str(IMPORT / "gesprek.srt"), "--id", "srt1", "--date", "2024-02-03")
    assert result.exit_code == 0, result.stderr
    t = Study.open(foundation_study).transcript("srt1")
    assert [s.label for s in t.segments] == ["I", "R", "I"]
    assert t.segments[1].text == "We organiseren wandeltochten. Daarvoor hebben we een vergunning nodig."
    assert str(t.meta.interviewed) == "2024-02-03"


def test_docx_with_a_maintained_reader(foundation_study: Path) -> None:
    result = _import(foundation_study, str(IMPORT / "gesprek.docx"), "--id", "docx1", "--interviewer", "interviewer")
    assert result.exit_code == 0, result.stderr
    t = Study.open(foundation_study).transcript("docx1")
    assert [s.label for s in t.segments] == ["I", "R", "I", "R"]
    assert t.segments[1].text.endswith("maar die is vertrokken.")


def test_never_overwrites_without_force(foundation_study: Path) -> None:
    assert _import(foundation_study, str(IMPORT / "gesprek.txt"), "--id", "t1").exit_code == 1
    before = (foundation_study / "interviews" / "t1.md").read_text(encoding="utf-8")
    assert "Wandelclub" in before
    forced = _import(foundation_study, str(IMPORT / "gesprek.txt"), "--id", "t1", "--force")
    assert forced.exit_code == 0
    assert "Wandelclub" not in (foundation_study / "interviews" / "t1.md").read_text(encoding="utf-8")


def test_not_a_docx_and_zip_bomb_are_refused(foundation_study: Path) -> None:
    fake = _import(foundation_study, str(IMPORT / "nep.docx"))
    assert fake.exit_code == 1 and "not a .docx file" in fake.stderr
    bomb = _import(foundation_study, str(IMPORT / "bom.docx"))
    assert bomb.exit_code == 1 and "zip bomb" in bomb.stderr
    assert sorted(p.name for p in (foundation_study / "interviews").iterdir()) == ["t1.md", "t2.md"]


def test_latin1_markdown_is_converted_with_encoding(foundation_study: Path) -> None:
    src = FIXTURES / "foundation" / "broken" / "latin1.md"
    plain = _import(foundation_study, str(src))
    assert plain.exit_code == 1 and "--encoding" in plain.stderr
    ok = _import(foundation_study, str(src), "--encoding", "latin-1")
    assert ok.exit_code == 0, ok.stderr
    t = Study.open(foundation_study).transcript("latin")
    assert t.meta.title == "Café gesprek"
    assert "Één" in t.segments[1].text


def test_reported_speech_is_not_a_speaker(foundation_study: Path) -> None:
    result = _import(foundation_study, str(IMPORT / "reported_speech.txt"), "--id", "rs")
    assert result.exit_code == 0, result.stderr
    t = Study.open(foundation_study).transcript("rs")
    assert t.meta.speakers == {"I": "interviewer", "R": "respondent"}
    assert t.segments[1].text.endswith("Ze vragen me steeds: gaan we volgend jaar nog open?")


def test_in_place_reencoding_needs_force_and_refuses_valid_utf8(foundation_study: Path) -> None:
    target = foundation_study / "interviews" / "latin.md"
    target.write_bytes((FIXTURES / "foundation" / "broken" / "latin1.md").read_bytes())
    assert _import(foundation_study, str(target), "--encoding", "latin-1").exit_code == 1  # exists: needs --force
    assert _import(foundation_study, str(target), "--encoding", "latin-1", "--force").exit_code == 0
    fixed = target.read_bytes()
    again = _import(foundation_study, str(target), "--encoding", "latin-1", "--force")
    assert again.exit_code == 1 and "already valid UTF-8" in again.stderr
    assert target.read_bytes() == fixed  # not garbled by a second run


def test_unsupported_extension(foundation_study: Path, tmp_path: Path) -> None:
    odd = tmp_path / "notes.pdf"
    odd.write_bytes(b"%PDF-1.4")
    result = _import(foundation_study, str(odd))
    assert result.exit_code == 1 and "cannot import '.pdf'" in result.stderr
