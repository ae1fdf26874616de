"""The review loop's core without a terminal: sessions, undo, memos, spans, picker, sentences."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grondmotief.review.picker import search
from grondmotief.review.sentences import parse_range, sentence_range, sentence_span, sentences
from grondmotief.review.session import ReviewSession, legacy_marks_path, migrate_marks
from grondmotief.study.codebook import load_codebook
from grondmotief.study.folder import Study
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
    s.narrow("subsidies", [(1, 1)])
    [d] = read_codings(study.root, "anna")
    assert s.current.text[d["span"][0] : d["span"][1]] == "Elk jaar weer die subsidieaanvraag."
    assert d["memo"] == "eerst nadenken" and s.pending_memo == {}
    s.narrow("subsidies", [(1, 3)])  # all sentences: the whole passage again
    assert read_codings(study.root, "anna")[0]["span"] is None
    s.set_memo("subsidies", "herzien")
    assert read_codings(study.root, "anna")[0]["memo"] == "herzien"
    s.undo(), s.undo(), s.undo()
    assert read_codings(study.root, "anna") == []
    assert s.pending_memo == {"r1¶2": "eerst nadenken"}  # undo gives the pending memo back


def test_resume_skips_decided_and_nothing_applies_passages(study: Study) -> None:
    s = session(study)
    s.accept("subsidies")
    s.next()
    s.reject_rest()  # no suggestions (no feed) and no decision: "nothing applies" is recorded
    assert s.progress().done == 2
    again = session(Study.open(study.root))
    assert again.current.id == "r1¶6"
    again.go(1)
    assert again.decided(again.current) and again.nothing_applies() is not None


def test_nothing_applies_is_a_decision_a_code_replaces_and_undo_restores(study: Study) -> None:
    s = session(study)
    s.go(1)
    step = s.reject_rest()
    assert step is not None and step.what == "nothing applies"
    [d] = read_codings(study.root, "anna")
    assert (d["segment"], d["code"], d["decision"], d["source"], d["span"]) == (
        "r1¶4",
        "_none",
        "accepted",
        "manual",
        None,
    )
    assert d["text_sha"] == s.current.sha
    assert s.items() == []  # not a code: no row of its own in the code list
    assert s.reject_rest() is None  # said already
    step = s.add("permits")
    assert step is not None and step.what == "added permits (replaces 'nothing applies')"
    assert [(d["code"], d["decision"]) for d in read_codings(study.root, "anna")] == [("permits", "accepted")]
    assert s.nothing_applies() is None
    s.undo()
    assert [d["code"] for d in read_codings(study.root, "anna")] == ["_none"]
    assert s.nothing_applies() is not None
    s.undo()
    assert read_codings(study.root, "anna") == []
    assert not s.decided(s.current)


def test_nothing_applies_only_where_no_code_is_accepted(study: Study) -> None:
    s = session(study)
    s.accept("subsidies")
    s.reject("permits")
    assert s.reject_rest() is None  # a code applies and nothing is open: nothing to record
    assert {d["code"] for d in read_codings(study.root, "anna")} == {"subsidies", "permits"}
    s.next()
    s.reject("love")  # only rejections: x still says nothing applies
    step = s.reject_rest()
    assert step is not None and step.what == "nothing applies"
    assert {(d["segment"], d["code"]) for d in read_codings(study.root, "anna")} >= {("r1¶4", "_none")}


def test_memos_on_nothing_applies(study: Study) -> None:
    s = session(study)
    s.set_memo(None, "alleen context")
    s.reject_rest()  # the pending memo goes with the decision
    assert [(d["code"], d["memo"]) for d in read_codings(study.root, "anna")] == [("_none", "alleen context")]
    assert s.pending_memo == {}
    assert s.memo_of(None) == "alleen context"
    assert s.set_memo(None, "toch niets") == "memo saved on 'nothing applies'"
    assert read_codings(study.root, "anna")[0]["memo"] == "toch niets"
    s.undo(), s.undo()
    assert read_codings(study.root, "anna") == [] and s.pending_memo == {"r1¶2": "alleen context"}


def test_marks_from_the_old_cache_file_become_decisions(study: Study) -> None:
    s = session(study)
    s.go(2)
    s.accept("love")
    legacy = legacy_marks_path(study, "anna")
    legacy.parent.mkdir(parents=True, exist_ok=True)
    legacy.write_text('{"reviewed": ["r1¶6", "r2¶2", "r2¶99", "x9¶1", "nonsense"]}', encoding="utf-8")
    assert migrate_marks(study, "anna") == 1  # r1¶6 has a decision; the others are not passages
    assert not legacy.exists()
    got = {(d["segment"], d["code"]) for d in read_codings(study.root, "anna")}
    assert got == {("r1¶6", "love"), ("r2¶2", "_none")}
    assert migrate_marks(study, "anna") == 0


def test_picker_ranks_ids_and_labels_above_keywords() -> None:
    cb = load_codebook(FIXTURE / "study" / "codebooks" / "review.yaml", "review.yaml")
    # "ver": permits (Vergunningen), then Overvloed and Schaarste en overvloed, before the keyword
    # "verantwoording" of subsidies; letters-in-order matches only when nothing else matches.
    assert [m.code for m in search(cb, "ver")] == [
        "permits",
        "abundance",
        "scarcity-abundance",
        "subsidies",
        "partnership",
    ]
    assert [m.code for m in search(cb, "over")] == ["abundance", "scarcity-abundance", "partnership"]


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
