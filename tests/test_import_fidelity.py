"""Importing real-shaped projects and texts faithfully (issue 15; issue 13 item 13).

Fixtures in tests/fixtures/fidelity/ (written by make_fixtures.py there): an NVivo 12 shaped
project of hard-wrapped news clippings with several selections of one code in one paragraph, a
MAXQDA 24 shaped paper whose lines start with "Abstract:" and "RQ1:", a blank project, a long
hard-wrapped report, and plain text as Word, Notepad and transcription services write it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from grondmotief.study.codings import Decision, parse_codings, render_codings
from grondmotief.study.folder import Study

FID = FIXTURES / "fidelity"
sys.path.insert(0, str(FID))
import make_fixtures as src  # noqa: E402  (the texts the fixtures were made from)


def _visible(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace())


def _codings(root: Path) -> list[dict]:
    return [
        json.loads(line)
        for p in sorted((root / "codings").glob("*.jsonl"))
        for line in p.read_text(encoding="utf-8").splitlines()
    ]


def _body(root: Path, tid: str) -> str:
    return Study.open(root).transcripts[tid].body


@pytest.fixture
def news(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "news"
    r = run_cli("import", str(FID / "nvivo12_like_news.qdpx"), "--study", str(root))
    assert r.exit_code == 0, r.stderr
    return root, r.stderr


# --------------------------------------------------------------------------- 1. one decision, exactly the coded pieces
def test_several_selections_in_one_paragraph_stay_separate_pieces(news: tuple[Path, str]) -> None:
    root, err = news
    s = Study.open(root)
    decisions = {(d["segment"], d["code"]): d for d in _codings(root)}
    seg = next(x for t in s.transcripts.values() for x in t.segments if "meghosszabbításáról" in x.text)
    d = decisions[(seg.id, "oltas")]
    pieces = [" ".join(p.split()) for p in src.OLTAS_PIECES]
    want = [[seg.text.index(p), seg.text.index(p) + len(p)] for p in pieces]
    assert d["spans"] == want  # each selection, nothing between them
    assert d["span"] == [want[0][0], want[-1][1]]  # the extent, for readers that know one range
    assert sum(e - b for b, e in d["spans"]) == sum(map(len, pieces))
    assert "selections of one code in one paragraph (kept as separate pieces of one decision): 2" in err
    # Béla made the selection, Anna coded it: the decision is Anna's, and the summary says so.
    other = next(x for x in s.transcripts["hirek"].segments if "oltásra" in x.text)
    assert decisions[(other.id, "oltas")]["coder"] == "anna"
    assert decisions[(other.id, "oltas")]["span"] is not None


def test_quote_csv_tally_and_agreement_count_only_the_coded_pieces(news: tuple[Path, str]) -> None:
    root, _ = news
    r = run_cli("--study", str(root), "quote", "--code", "oltas", "--format", "json")
    assert r.exit_code == 0, r.stderr
    quotes = json.loads(r.stdout)
    first = next(q for q in quotes if "meghosszabbításáról" in q["text"])
    assert first["text"] == " (…) ".join(" ".join(p.split()) for p in src.OLTAS_PIECES)
    assert "boltok" not in first["text"]  # the uncoded words between the pieces stay out
    r = run_cli("--study", str(root), "export", "--format", "csv")
    assert r.exit_code == 0, r.stderr
    row = next(x for x in csv.DictReader(io.StringIO(r.stdout)) if x["code"] == "oltas" and x["spans"])
    assert row["quote"] == first["text"] and row["spans"].count(";") == 2
    r = run_cli("--study", str(root), "tally", "--format", "json")
    assert r.exit_code == 0, r.stderr
    counts = {row["code"]: row["passages"] for row in json.loads(r.stdout)}
    assert counts == {"oltas": 2, "kormany": 1}  # passages holding a coded piece, each once


def test_multi_piece_decisions_export_as_one_selection_per_piece_and_come_back(
    news: tuple[Path, str], tmp_path: Path
) -> None:
    root, _ = news
    out = tmp_path / "news.qdpx"
    r = run_cli("--study", str(root), "export", "--format", "qdpx", "--output", str(out), "--validate")
    assert r.exit_code == 0, r.stderr
    import zipfile

    qde = zipfile.ZipFile(out).read("project.qde").decode()
    assert qde.count("<PlainTextSelection") == 5  # 3 pieces + 1 + 1, as in the NVivo project
    again = tmp_path / "again"
    r = run_cli("import", str(out), "--study", str(again))
    assert r.exit_code == 0, r.stderr
    key = lambda d: (d["segment"], d["code"], d["span"], d.get("spans"))  # noqa: E731
    assert sorted(map(key, _codings(again))) == sorted(map(key, _codings(root)))


# --------------------------------------------------------------------------- paragraphs follow the source
def test_hard_wrapped_news_keeps_its_blank_line_items_and_every_character(news: tuple[Path, str]) -> None:
    root, err = news
    t = Study.open(root).transcripts["hirek"]
    assert len(t.segments) == src.NEWS.count("\n\n") + 1  # one passage per item, not one per line
    # "Koronavírus:", "Kormányfő:" … are headings, not speakers: kept, word for word.
    assert _visible("".join(x.text for x in t.segments)) == _visible(src.NEWS)
    assert [x.text.split(":")[0] for x in t.segments[1:4]] == ["Koronavírus", "Kormányfő", "Budapest"]
    assert "8 line(s) starting with a word and ':' (5 different) are not speaker turns" in err


def test_long_hard_wrapped_blocks_are_split_at_line_breaks_and_sentence_ends(tmp_path: Path) -> None:
    root = tmp_path / "long"
    r = run_cli("import", str(FID / "long_wrapped.qdpx"), "--study", str(root))
    assert r.exit_code == 0, r.stderr
    segs = Study.open(root).transcripts["verslag"].segments
    assert max(len(x.text) for x in segs) <= 4000
    import zipfile

    zf = zipfile.ZipFile(FID / "long_wrapped.qdpx")
    text = zf.read(next(n for n in zf.namelist() if n.endswith(".txt"))).decode()
    assert _visible("".join(x.text for x in segs)) == _visible(text)
    # Cut where the source breaks a line (the wrapped block) or ends a sentence (the one long line).
    line_ends = tuple(line[-30:] for line in text.split("\n") if line)
    assert all(x.text.endswith(line_ends) or x.text.endswith(".") for x in segs)
    assert len(segs) < 10  # runs of lines, not a passage per 70-character line
    assert "2 paragraph(s) longer than 4000 characters were split" in r.stderr


def test_maxqda_paper_lines_starting_with_a_word_and_colon_stay_text(tmp_path: Path) -> None:
    root = tmp_path / "paper"
    r = run_cli("import", str(FID / "maxqda24_like_paper.qdpx"), "--study", str(root))
    assert r.exit_code == 0, r.stderr
    t = Study.open(root).transcripts["paper"]
    # No blank lines at all: every line is a paragraph, word for word.
    assert [x.text for x in t.segments] == src.PAPER.strip().split("\n")
    assert t.attributes == {"year": 2025}
    (d,) = _codings(root)
    seg = t.segments[4]
    assert d["segment"] == seg.id
    assert [seg.text[a:b] for a, b in d["spans"]] == src.SUBSIDY_PIECES


# --------------------------------------------------------------------------- 4. the summary
def test_summary_names_sources_codes_coders_memos_variables_and_what_was_dropped(news: tuple[Path, str]) -> None:
    _, err = news
    for line in (
        "nvivo12_like_news.qdpx: summary (NVivo 12 (12.6.0.959))",
        "  sources: 1 in the project, 1 imported as transcripts",
        "  codes: 2 in the project (2 new, 0 already in the codebook)",
        "  codings: 5 in the project → 3 decision(s); per coder: anna 3",
        "  users without codings: 2 (no coder file is made for them)",
        "  selections made by one user and coded by another: 1 (the decision goes to the user who coded)",
        "  memos: 0 on decisions, 0 on transcripts (0 notes in the project)",
        "  variables: 0",
        "  not imported: nothing",
        "  personal-data screen: none of the 9 imported passages is flagged",
    ):
        assert line in err.splitlines(), line


def test_summary_lists_every_dropped_item(tmp_path: Path) -> None:
    r = run_cli("import", str(FID / "maxqda24_like_paper.qdpx"), "--study", str(tmp_path / "p"))
    assert "  not imported: selections with a comment but no code: 1" in r.stderr.splitlines()
    assert "  variables: 1 (year)" in r.stderr.splitlines()


def test_blank_project_still_says_what_came_in(tmp_path: Path) -> None:
    r = run_cli("import", str(FID / "blank_project.qdpx"), "--study", str(tmp_path / "b"))
    assert r.exit_code == 0, r.stderr
    assert "  sources: 0 in the project, 0 imported as transcripts" in r.stderr
    assert "  codings: 0 in the project → 0 decision(s); per coder: none" in r.stderr
    assert "  users without codings: 1 (no coder file is made for them)" in r.stderr
    assert "the project has no codes, so no codebook was written: `check` needs codebooks/" in r.stderr


def test_personal_data_screen_count_and_what_it_means(tmp_path: Path) -> None:
    pytest.importorskip("grondmotief.privacy.names")
    root = tmp_path / "qc"
    from conftest import refi_sample

    r = run_cli("import", str(refi_sample("qualitative-coding_demo.qdpx")), "--study", str(root))
    assert r.exit_code == 0, r.stderr
    line = next(x for x in r.stderr.splitlines() if "personal-data screen" in x)
    flagged = int(line.split("screen: ")[1].split(" of ")[0])
    check = run_cli("--study", str(root), "check")
    assert check.exit_code == 1
    assert sum("may contain personal data" in x for x in check.stderr.splitlines() + check.stdout.splitlines()) == (
        flagged
    )
    assert "`check --no-pii` skips the scan" in line and "--allow-flagged" in line


# --------------------------------------------------------------------------- 3. a study of its own
def test_init_empty_writes_settings_only(tmp_path: Path) -> None:
    r = run_cli("init", "--empty", str(tmp_path / "s"))
    assert r.exit_code == 0, r.stderr
    files = sorted(p.relative_to(tmp_path / "s").as_posix() for p in (tmp_path / "s").rglob("*") if p.is_file())
    assert files == [".gitignore", "grondmotief.yaml", "templates/README.txt"]
    assert "codebook: codebook" in (tmp_path / "s" / "grondmotief.yaml").read_text(encoding="utf-8")


def test_import_into_a_new_folder_creates_a_study_without_the_demo(news: tuple[Path, str]) -> None:
    root, err = news
    assert err.startswith("created an empty study in")
    s = Study.open(root)
    assert sorted(s.codebook.codes) == ["kormany", "oltas"]  # no demo codes merged in
    assert sorted(s.transcripts) == ["hirek"]  # no example transcript


def test_import_does_not_take_over_a_folder_with_files_or_make_a_study_for_text(tmp_path: Path) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine\n", encoding="utf-8")
    # a --study that is no study is a usage error (exit 2), and nothing is written
    r = run_cli("import", str(FID / "blank_project.qdpx"), "--study", str(busy))
    assert r.exit_code == 2 and sorted(p.name for p in busy.iterdir()) == ["notes.txt"]
    r = run_cli("import", str(FID / "unlabelled_paragraphs.txt"), "--study", str(tmp_path / "new"))
    assert r.exit_code == 2 and f"grondmotief init --empty {tmp_path / 'new'}" in r.stderr
    assert not (tmp_path / "new").exists()


def test_a_failed_import_leaves_no_half_made_study(tmp_path: Path) -> None:
    r = run_cli("import", str(FIXTURES / "refi" / "traversal.qdpx"), "--study", str(tmp_path / "t"))
    assert r.exit_code == 1
    assert not (tmp_path / "t").exists()


# --------------------------------------------------------------------------- 2. plain text: speakers only when they recur
@pytest.fixture
def study(tmp_path: Path) -> Path:
    root = tmp_path / "s"
    assert run_cli("init", "--empty", str(root)).exit_code == 0
    return root


def _txt(study: Path, name: str, *args: str):
    return run_cli("--study", str(study), "import", str(FID / name), *args)


def test_txt_without_labels_keeps_its_blank_line_paragraphs(study: Path) -> None:
    r = _txt(study, "unlabelled_paragraphs.txt", "--id", "bh")
    assert r.exit_code == 0, r.stderr
    t = Study.open(study).transcripts["bh"]
    source = (FID / "unlabelled_paragraphs.txt").read_text(encoding="utf-8")
    assert [x.text for x in t.segments] == [" ".join(p.split()) for p in source.split("\n\n")]
    assert [x.label for x in t.segments] == ["R"] * 4
    assert "each of the 4 paragraph(s) is labelled R" in r.stderr


def test_txt_word_colon_line_starts_are_text(study: Path) -> None:
    r = _txt(study, "word_colon_lines.txt", "--id", "paper")
    assert r.exit_code == 0, r.stderr
    t = Study.open(study).transcripts["paper"]
    assert [x.text for x in t.segments] == src.PAPER.strip().split("\n")  # "Abstract:", "RQ1:" kept
    assert "6 line(s) starting with a word and ':' (5 different) are not speaker turns" in r.stderr


@pytest.mark.parametrize("name", ["opening_one_speaker.txt", "opening_one_speaker.vtt"])
def test_text_before_the_first_label_and_one_named_speaker_imports(study: Path, name: str) -> None:
    r = _txt(study, name, "--id", "m")
    assert r.exit_code == 0, r.stderr
    t = Study.open(study).transcripts["m"]
    assert t.segments[0].label == "N" and t.meta.speakers["N"] == "note"
    assert {x.label for x in t.segments[1:]} == {"R"}  # the one named speaker is the respondent
    assert "are labelled N (a note: kept, not coded); if they are the interviewer's, change 'N: ' to 'I: '" in r.stderr
    body = (FID / name).read_text(encoding="utf-8")
    if name.endswith(".txt"):
        # Every character is kept except the speaker name, which became the label R.
        assert _visible("".join(x.text for x in t.segments)) == _visible(body.replace("Marieke:", ""))
    check = run_cli("--study", str(study), "check", "--no-pii")
    assert "interviews/m.md" not in check.stderr + check.stdout


# --------------------------------------------------------------------------- 5. Windows encodings
def test_cp1252_is_suggested_first_and_the_suggested_command_works(study: Path, tmp_path: Path) -> None:
    target = tmp_path / "gesprek.txt"
    shutil.copy(FID / "word_export_cp1252.txt", target)
    r = run_cli("--study", str(study), "import", str(target))
    assert r.exit_code == 1
    cmd = r.stderr.split("`")[1]
    assert cmd == f"grondmotief import --encoding cp1252 {target}"
    ok = run_cli("--study", str(study), *cmd.split()[1:])
    assert ok.exit_code == 0, ok.stderr
    text = Study.open(study).transcripts["gesprek"].body
    for ch in "€„”’–…":
        assert ch in text


def test_latin1_that_yields_control_characters_is_read_as_cp1252_and_said(study: Path) -> None:
    r = _txt(study, "word_export_cp1252.txt", "--encoding", "latin-1", "--id", "w")
    assert r.exit_code == 0, r.stderr
    assert "decoded as cp1252, not latin-1" in r.stderr
    body = Study.open(study).transcripts["w"].body
    assert "Zo’n € 25 per jaar. „Te weinig”, zegt de penningmeester – maar goed." in body
    assert not any("\x80" <= ch <= "\x9f" for ch in body)


def test_latin1_with_a_byte_cp1252_lacks_is_refused(study: Path) -> None:
    r = _txt(study, "not_cp1252.txt", "--encoding", "latin-1")
    assert r.exit_code == 1
    assert "not_cp1252.txt:1: byte 0x81 is a control character in latin-1 and not a character in cp1252" in r.stderr
    assert not (study / "interviews" / "not_cp1252.md").exists()


def test_check_suggests_a_command_that_fixes_a_cp1252_transcript(study: Path) -> None:
    shutil.copy(FID / "cafe_cp1252.md", study / "interviews" / "cafe.md")
    r = run_cli("--study", str(study), "check", "--no-pii")
    hint = next(x for x in (r.stdout + r.stderr).splitlines() if "interviews/cafe.md" in x)
    cmd = hint.split("`")[1]
    assert cmd == "grondmotief import --encoding cp1252 --force interviews/cafe.md"
    here = os.getcwd()
    os.chdir(study)  # "from the study folder", as the hint says
    try:
        ok = run_cli(*cmd.split()[1:])
    finally:
        os.chdir(here)
    assert ok.exit_code == 0, ok.stderr
    again = run_cli("--study", str(study), "check", "--no-pii")
    assert "interviews/cafe.md" not in again.stdout + again.stderr
    # The file itself: the loaded title may be withheld by the personal-data screen.
    assert "title: Café De Hoek" in (study / "interviews" / "cafe.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the decision-file format
OLD = (
    '{"segment": "org07¶12", "code": "subsidies", "decision": "accepted", "span": [0, 214], '
    '"source": "manual", "score": null, "coder": "anna", "at": "2026-03-02T10:14:00Z", "memo": "", "text_sha": ""}\n'
)


def test_old_lines_load_and_are_written_back_byte_identical() -> None:
    result = parse_codings(OLD, "codings/anna.jsonl", "anna")
    assert not result.problems and result.decisions[0].ranges == [(0, 214)]
    assert render_codings(result.decisions) == OLD


def test_spans_are_checked_and_normalised() -> None:
    d = Decision.model_validate(json.loads(OLD)).with_ranges([(50, 60), (0, 10), (8, 12), (60, 70)])
    assert d.spans == [(0, 12), (50, 70)] and d.span == (0, 70)
    assert '"spans": [[0, 12], [50, 70]]' in d.to_line()
    assert Decision.model_validate(json.loads(OLD)).with_ranges([(3, 9)]).spans is None
    for bad in ([[0, 5]], [[5, 9], [0, 3]], [[0, 5], [5, 9]]):
        line = OLD.replace('"span": [0, 214]', f'"span": [{bad[0][0]}, {bad[-1][1]}], "spans": {json.dumps(bad)}')
        result = parse_codings(line, "codings/anna.jsonl", "anna")
        assert result.problems and result.problems[0].line == 1, bad
    wrong_extent = OLD.replace('"span": [0, 214]', '"span": [0, 99], "spans": [[0, 5], [7, 9]]')
    assert "extent" in parse_codings(wrong_extent, "codings/anna.jsonl", "anna").problems[0].message


def test_reconciling_keeps_the_pieces_the_coders_coded_not_the_text_between(news: tuple[Path, str]) -> None:
    from grondmotief.analysis.reconcile import Unit, settle

    root, _ = news
    s = Study.open(root)
    seg = s.transcripts["hirek"].segments[1]
    base = dict(segment=seg.id, code="oltas", decision="accepted", at="2026-01-01T00:00:00Z", text_sha=seg.sha)
    anna = Decision(coder="anna", **base).with_ranges([(0, 10), (40, 50)])
    bert = Decision(coder="bert", **base).with_ranges([(45, 60), (100, 110)])
    d = settle(s, Unit(seg.id, "oltas", {"anna": 1, "bert": 1}, {"anna": anna, "bert": bert}), True, "reconciled")
    assert d.ranges == [(0, 10), (40, 60), (100, 110)]
