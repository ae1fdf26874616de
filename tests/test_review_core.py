"""The review loop's core without a terminal: sessions, undo, memos, spans, picker, sentences."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grondmotief.codebook import load_codebook
from grondmotief.review.picker import search
from grondmotief.review.sentences import parse_range, sentence_range, sentence_span, sentences
from grondmotief.review.session import ReviewSession
from grondmotief.study import Study
from review_pty import FIXTURE, copy_study, read_codings


@pytest.fixture
def study(tmp_path: Path) -> Study:
    return Study.open(copy_study(tmp_path))


def session(study: Study, coder: str = "anna") -> ReviewSession:
    return ReviewSession(study, coder, study.coded_segments())


def test_sentences_split_dutch_text_but_not_abbreviations_or_hesitations() -> None:
    text = "Elk jaar weer die aanvraag, bijv. in mei. Eh... ja, dat is zo. Dan?  Klaar!"
    spans = sentences(text)
    assert [text[s:e] for s, e in spans] == [
        "Elk jaar weer die aanvraag, bijv. in mei.",
        "Eh... ja, dat is zo.",
        "Dan?",
        "Klaar!",
    ]
    assert sentence_span(text, 2, 3) == (spans[1][0], spans[2][1])
    assert sentence_span(text, 3, 99) == (spans[2][0], spans[3][1])  # clamped
    assert sentence_range(text, sentence_span(text, 2, 3)) == (2, 3)
    assert sentence_range(text, (0, len(text))) is None  # the whole passage


def test_parse_range() -> None:
    assert parse_range("2-3", 5) == (2, 3)
    assert parse_range(" 2 – 4", 5) == (2, 4)
    assert parse_range("4", 5) == (4, 4)
    assert parse_range("3-", 5) == (3, 5)
    assert parse_range("-2", 5) == (1, 2)
    assert parse_range("4-2", 5) is None
    assert parse_range("6", 5) is None
    assert parse_range("", 5) is None


@given(st.text(alphabet="ab. !?…\n", max_size=60))
def test_sentences_stay_in_bounds_and_in_order(text: str) -> None:
    last = 0
    for start, end in sentences(text):
        assert last <= start < end <= len(text)
        last = end


def test_picker_finds_ids_dutch_labels_and_keywords() -> None:
    cb = load_codebook(FIXTURE / "study" / "codebooks" / "review.yaml", "review.yaml")
    assert search(cb, "subs")[0].code == "subsidies"
    assert search(cb, "schaar")[0].code == "scarcity"  # label Schaarste, before Schaarste en overvloed
    assert search(cb, "VERG")[0].code == "permits"  # label Vergunningen, any case
    assert search(cb, "liefde")[0].code == "love"
    assert search(cb, "overleg")[0].code == "partnership"  # a keyword
    assert search(cb, "sbsd")[0].code == "subsidies"  # letters in order, as a last resort
    assert search(cb, "zzz") == []
    assert [m.code for m in search(cb, "")] == cb.order


def test_accept_reject_and_undo_go_through_the_store(study: Study) -> None:
    s = session(study)
    assert s.current.id == "r1¶2"
    s.accept("subsidies")
    [d] = read_codings(study.root, "anna")
    assert (d["code"], d["decision"], d["source"], d["coder"]) == ("subsidies", "accepted", "manual", "anna")
    assert d["text_sha"] == s.current.sha
    s.reject("subsidies")
    assert read_codings(study.root, "anna")[0]["decision"] == "rejected"
    assert s.undo() is not None
    assert read_codings(study.root, "anna")[0]["decision"] == "accepted"  # the earlier decision, restored
    assert s.undo() is not None
    assert read_codings(study.root, "anna") == []
    assert s.undo() is None


def test_narrowing_and_memos(study: Study) -> None:
    s = session(study)
    s.set_memo(None, "eerst nadenken")
    assert s.pending_memo == {"r1¶2": "eerst nadenken"}
    assert read_codings(study.root, "anna") == []
    s.narrow("subsidies", 1, 1)
    [d] = read_codings(study.root, "anna")
    assert s.current.text[d["span"][0] : d["span"][1]] == "Elk jaar weer die subsidieaanvraag."
    assert d["memo"] == "eerst nadenken" and s.pending_memo == {}
    s.narrow("subsidies", 1, 3)  # all sentences: the whole passage again
    assert read_codings(study.root, "anna")[0]["span"] is None
    s.set_memo("subsidies", "herzien")
    assert read_codings(study.root, "anna")[0]["memo"] == "herzien"
    s.undo(), s.undo(), s.undo()
    assert read_codings(study.root, "anna") == []
    assert s.pending_memo == {"r1¶2": "eerst nadenken"}  # undo gives the pending memo back


def test_resume_skips_decided_and_marked_passages(study: Study) -> None:
    s = session(study)
    s.accept("subsidies")
    s.next()
    s.reject_rest()  # no suggestions (no feed) and no decision: marked as reviewed
    assert s.progress().done == 2
    again = session(study)
    assert again.current.id == "r1¶6"
    again.go(1)
    assert again.decided(again.current)


def test_two_sessions_of_one_coder_merge_on_disk(study: Study) -> None:
    one, two = session(study), session(Study.open(study.root))
    one.accept("subsidies")
    two.accept("permits")
    one.go(1)
    one.accept("love")
    got = {(d["segment"], d["code"]) for d in read_codings(study.root, "anna")}
    assert got == {("r1¶2", "subsidies"), ("r1¶2", "permits"), ("r1¶4", "love")}
    one.go(0)  # moving re-reads the file: the other window's decision shows up
    assert {it.code for it in one.items()} == {"subsidies", "permits"}


def test_session_refuses_a_broken_codings_file(study: Study) -> None:
    (study.root / "codings").mkdir()
    (study.root / "codings" / "anna.jsonl").write_text("{not json}\n{}\n", encoding="utf-8")
    with pytest.raises(Exception, match="check --fix"):
        session(study)


def test_an_apostrophe_word_before_a_full_stop_is_not_an_abbreviation() -> None:
    text = "Of we kijken oude foto's. Of hij vertelt. Dat zei dhr. Jansen."
    assert [text[s:e] for s, e in sentences(text)] == [
        "Of we kijken oude foto's.",
        "Of hij vertelt.",
        "Dat zei dhr. Jansen.",
    ]
